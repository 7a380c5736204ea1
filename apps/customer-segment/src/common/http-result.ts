import type { FastifyReply } from 'fastify';

/**
 * A service's answer when status or headers depend on the outcome (upserts 201/204, lists with
 * `X-Total-Count`, creates with `Location`). Controllers hand it to {@link send}.
 */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Writes an {@link HttpResult}; a 204 never has a body (segment §1.13). */
export function send(reply: FastifyReply, result: HttpResult): void {
  reply.status(result.status);
  if (result.headers) reply.headers(result.headers);
  if (result.status === 204 || result.body === undefined) reply.send();
  else reply.send(result.body);
}

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({ status: 200, body, headers });
export const noContent = (): HttpResult => ({ status: 204 });

/** HTTP-6: `201` with `Location`; assignments (no own id) have no body. */
export const created = (location: string, body?: unknown): HttpResult => ({ status: 201, body, headers: { Location: location } });

/** PAG-6: a list, with `X-Total-Count` when the count was asked for. */
export function list(items: unknown[], total: number | undefined): HttpResult {
  return { status: 200, body: items, headers: total === undefined ? undefined : { 'X-Total-Count': String(total) } };
}
