/**
 * Small HTTP helpers for the suite-level specs: every call goes over real HTTP (fetch) to the
 * gateway's base URL, exactly as a storefront or back office would call it, and reports the
 * status, the parsed body, the headers and the wall-clock time of the whole exchange.
 */
import { performance } from 'node:perf_hooks';
import { signDevToken } from '@suite/auth';

/** Signing settings shared by the test, the launched apps (through env) and the token CLI. */
export interface Signing {
  secret: string;
  issuer: string;
  audience: string;
}

/** The environment that makes every launched app accept the test's HS256 tokens (AUTH-2). */
export function authEnv(signing: Signing): Record<string, string> {
  return { AUTH_HS256_SECRET: signing.secret, AUTH_ISSUER: signing.issuer, AUTH_AUDIENCE: signing.audience, NODE_ENV: 'test' };
}

export interface Reply<T = any> {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when empty. */
  body: T;
  text: string;
  headers: Headers;
  /** Milliseconds from sending the request to the last byte of the answer. */
  ms: number;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort the exchange after this many milliseconds (default 15 s) so a hang fails the test, not jest. */
  timeoutMs?: number;
}

export type Call = <T = any>(method: string, path: string, options?: CallOptions) => Promise<Reply<T>>;

/** A caller bound to one base URL. Paths start with `/`. */
export function httpClient(baseUrl: string): Call {
  return async <T = any>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, body: body as T, text, headers: res.headers, ms };
  };
}

/** Token factory for one suite launch (all tokens HS256 with the launch's signing settings). */
export function tokens(signing: Signing) {
  return {
    /** A back-office employee holding the given scopes. */
    employee: (tenant: string, scopes: string[]) => signDevToken({ tenant, principalType: 'employee', scopes }, signing),
    /** A logged-in shopper; `legalEntityId` is the B2B context claim (AUTH-3). */
    customer: (tenant: string, customerId: string, scopes: string[], legalEntityId?: string) =>
      signDevToken({ tenant, principalType: 'customer', customerId, legalEntityId, scopes }, signing),
    /** A guest of the storefront: no identity, no scopes (AUTH-6). */
    anonymous: (tenant: string, visitId: string) => signDevToken({ tenant, principalType: 'anonymous', sid: visitId, scopes: [] }, signing),
  };
}

/** The payload of a JWT, without verifying it (the caller verifies separately where it matters). */
export function jwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`not a JWT: ${token.slice(0, 20)}…`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` until it gives something other than `undefined`/`false` (a throw counts as not yet),
 * every `everyMs`; fails naming `what` after `timeoutMs`.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(everyMs);
  }
}
