import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the log context reads of the request being handled: the Fastify request, whose `id` is the
 * request id (HTTP-9) and whose `auth` the auth guard sets once the token is verified (AUTH-7).
 * Structural, so this lib needs neither Fastify's types nor @suite/auth.
 */
export interface LoggedRequest {
  readonly id: string;
  readonly auth?: { readonly tenant: string; readonly principalType: string; readonly subject: string };
}

/** The request being handled, for the log lines written while it is (see {@link requestLogFields}). */
const current = new AsyncLocalStorage<LoggedRequest>();

/**
 * Runs `fn` (the rest of the request's handling: guards, interceptors, handler, services, peer
 * calls, the exception filter) with `req` as the current request.
 */
export function runWithRequest<T>(req: LoggedRequest, fn: () => T): T {
  return current.run(req, fn);
}

/** The request being handled, or `undefined` outside of one (boot, background work, timers started at boot). */
export function currentRequest(): LoggedRequest | undefined {
  return current.getStore();
}

/**
 * The fields every log line written while a request is handled carries: `reqId` always, and once
 * the token is verified `tenant`, `principalType` and `sub` (AUTH-14; never the token). Read when
 * the line is written, so a line written after the auth guard names the tenant without any step
 * that copies it somewhere.
 */
export function requestLogFields(): Record<string, string> | undefined {
  const req = current.getStore();
  if (!req) return undefined;
  const auth = req.auth;
  return auth
    ? { reqId: String(req.id), tenant: auth.tenant, principalType: auth.principalType, sub: auth.subject }
    : { reqId: String(req.id) };
}
