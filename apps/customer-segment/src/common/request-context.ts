import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import { AuthContext } from '@suite/auth';
import type { FastifyRequest } from 'fastify';

/**
 * What a service needs to know about the request besides its inputs: the verified caller (the
 * tenant is `auth.tenant`, TEN-2), the request id for events and peer calls (HTTP-9, EVT-1), and
 * the language headers (LOC-3, LOC-4). Built once per request by `@Ctx()`; never ambient.
 */
export interface RequestCtx {
  readonly auth: AuthContext;
  readonly requestId: string;
  readonly traceparent?: string;
  readonly acceptLanguage?: string;
  readonly contentLanguage?: string;
  /** For media-type rules a route adds to HTTP-2 (JSON Patch is never a merge patch, META-6). */
  readonly contentType?: string;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Injects the {@link RequestCtx} of the request (only on routes behind the auth guards). */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestCtx => {
  const req = context.switchToHttp().getRequest<FastifyRequest & { auth?: AuthContext }>();
  if (!req.auth) throw ApiError.internal(new Error('@Ctx() used on a route without a verified token'));
  return {
    auth: req.auth,
    requestId: String(req.id),
    traceparent: header(req, 'traceparent'),
    acceptLanguage: header(req, 'accept-language'),
    contentLanguage: header(req, 'content-language'),
    contentType: header(req, 'content-type'),
  };
});

/** Headers a peer call may carry on (S2S-5); the language header is set per call. */
export function forwardHeaders(ctx: RequestCtx): Record<string, string> {
  const out: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.traceparent) out.traceparent = ctx.traceparent;
  return out;
}
