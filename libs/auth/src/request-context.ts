import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiError, wantsTotalCount } from '@suite/api-kit';
import type { AuthContext } from './auth-context';

/**
 * The one request context (STYLE habit 3): what a service needs to know about the request besides
 * its inputs. Built once per request, after the guards, by `@Ctx()`, and passed first to every
 * service method; never ambient, never a request-scoped provider.
 */
export interface RequestContext {
  /** The verified caller: principal, customer and legal entity, scopes (AUTH-7). */
  readonly auth: AuthContext;
  /** The token's tenant, which the tenant guard has matched with the path (TEN-2). */
  readonly tenant: string;
  /** HTTP-9: the request id, for logs, events and peer calls. */
  readonly requestId: string;
  /** W3C trace context, forwarded unchanged on peer calls (S2S-5). */
  readonly traceparent?: string;
  /** LOC-3 / LOC-4 raw headers; their meaning depends on the tenant's languages. */
  readonly acceptLanguage?: string;
  readonly contentLanguage?: string;
  /** For media-type rules a route adds to HTTP-2 (a JSON Patch is never a merge patch, META-6). */
  readonly contentType?: string;
  /** PAG-6: `X-Total-Count: true` (any letter case) asks for a count; nothing else does. */
  readonly wantsTotal: boolean;
  /**
   * The client's address: the socket peer, or what a trusted proxy (TRUST_PROXY) forwarded in
   * `X-Forwarded-For`. Keys failed-attempt throttles; never a proof of identity.
   */
  readonly clientAddress?: string;
}

const CONTEXT = Symbol.for('suite.requestContext');

type ContextRequest = {
  id: unknown;
  /** Fastify's `request.ip` (honours the adapter's trustProxy). */
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  auth?: AuthContext;
  [CONTEXT]?: RequestContext;
};

/** A repeated header is read as its values joined by commas (RFC 9110 §5.3). */
function header(headers: ContextRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Builds (once, then memoised on the request) the {@link RequestContext} of a verified request. */
export function requestContextOf(req: ContextRequest): RequestContext {
  const cached = req[CONTEXT];
  if (cached) return cached;
  if (!req.auth) throw ApiError.internal(new Error('@Ctx() used on a route without a verified token'));
  const ctx: RequestContext = Object.freeze({
    auth: req.auth,
    tenant: req.auth.tenant,
    requestId: String(req.id),
    traceparent: header(req.headers, 'traceparent'),
    acceptLanguage: header(req.headers, 'accept-language'),
    contentLanguage: header(req.headers, 'content-language'),
    contentType: header(req.headers, 'content-type'),
    wantsTotal: wantsTotalCount(req.headers['x-total-count']),
    clientAddress: req.ip,
  });
  req[CONTEXT] = ctx;
  return ctx;
}

/** Injects the {@link RequestContext}; only on routes behind the auth guards (a 500 otherwise). */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext =>
  requestContextOf(context.switchToHttp().getRequest<ContextRequest>()),
);

/** Headers a peer call carries on (S2S-5); the language header is set per call. */
export function forwardHeaders(ctx: Pick<RequestContext, 'requestId' | 'traceparent'>): Record<string, string> {
  const out: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.traceparent) out.traceparent = ctx.traceparent;
  return out;
}
