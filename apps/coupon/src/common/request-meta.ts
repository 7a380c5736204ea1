import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** What a service needs of the HTTP request besides the body: ids to correlate logs, events and peer calls. */
export interface RequestMeta {
  requestId: string;
  /** Only the headers a peer call may forward (S2S-5); the client filters them again. */
  forward: Record<string, string | undefined>;
}

/** Injects {@link RequestMeta}: the request id (HTTP-9) and `traceparent`. */
export const ReqMeta = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const traceparent = req.headers.traceparent;
  return { requestId: String(req.id), forward: { 'x-request-id': String(req.id), traceparent: typeof traceparent === 'string' ? traceparent : undefined } };
});
