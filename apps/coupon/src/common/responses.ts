import type { FastifyReply } from 'fastify';

/** PAG-6 / coupon §1.6: the total goes into both `X-Total-Count` and `Items-Count`, only when asked for. */
export function sendList<T>(reply: FastifyReply, page: { items: T[]; total?: number }): T[] {
  if (page.total !== undefined) reply.header('X-Total-Count', String(page.total)).header('Items-Count', String(page.total));
  return page.items;
}

/** HTTP-6 / coupon §3.6: `201` with `Location` and the `{id, yrn}` body. */
export function sendCreated(reply: FastifyReply, created: { id: string; yrn: string; location: string }): { id: string; yrn: string } {
  reply.header('Location', created.location);
  return { id: created.id, yrn: created.yrn };
}
