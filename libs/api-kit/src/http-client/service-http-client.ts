import { isValidTenant } from '../domain/tenant';
import type { IncomingHttpHeaders } from 'node:http';
import { TextDecoder } from 'node:util';
import { recordPeerAttempt, registerCircuitBreaker, tracingEnabled } from '@suite/observability';
import { Pool } from 'undici';
import { ApiError } from '../errors';
import { Bulkhead, BulkheadFullError, BulkheadOptions, DEFAULT_BULKHEAD_OPTIONS } from './bulkhead';
import {
  BreakerOutcome,
  BreakerPermit,
  BreakerState,
  CircuitBreaker,
  CircuitBreakerOptions,
  DEFAULT_BREAKER_OPTIONS,
} from './circuit-breaker';
import { silentLogger, StructuredLogger } from './logger';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryableMethod,
  parseRetryAfterMs,
  PEER_METHODS,
  PeerMethod,
  RETRYABLE_STATUSES,
  RetryPolicy,
} from './retry-policy';

/** Timeouts of one client (S2S-6 defaults in {@link DEFAULT_PEER_TIMEOUTS}). */
export interface PeerTimeouts {
  /** TCP connect timeout. */
  connectMs: number;
  /** One attempt: from sending the request to the last byte of the response body. */
  attemptMs: number;
  /** One logical call, token, bulkhead waits, retries and backoff included. */
  deadlineMs: number;
}

export const DEFAULT_PEER_TIMEOUTS: Readonly<PeerTimeouts> = Object.freeze({ connectMs: 1000, attemptMs: 2000, deadlineMs: 5000 });

/** S2S-6: a call site may raise the per-attempt timeout up to this, never higher. */
export const MAX_ATTEMPT_TIMEOUT_MS = 10_000;
/** S2S-10: a response body above this is treated as an unavailable upstream. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Obtains a service token for `tenant` holding exactly `scopes` (S2S-3, S2S-4), e.g. `ServiceTokenProvider.getToken`. */
export type ServiceTokenSource = (tenant: string, scopes: string[]) => Promise<string>;

/** Construction options of {@link ServiceHttpClient}. Everything but service, baseUrl and tokenProvider has an S2S default. */
export interface ServiceHttpClientOptions {
  /** The upstream's service name and path prefix, e.g. `customer-segment`; also the detail field of its 503s. */
  service: string;
  /** Origin of the upstream from configuration (`CUSTOMER_SEGMENT_URL`, …): scheme, host and port only. */
  baseUrl: string;
  tokenProvider: ServiceTokenSource;
  timeouts?: Partial<PeerTimeouts>;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<CircuitBreakerOptions>;
  bulkhead?: Partial<BulkheadOptions>;
  logger?: StructuredLogger;
  /** Largest accepted response body; defaults to 5 MiB (S2S-10). */
  maxBodyBytes?: number;
  /** Clock for the breaker and deadline arithmetic; injectable for tests. */
  now?: () => number;
}

/**
 * Headers a call may pass on (S2S-5). Any other header given here is dropped, whatever its case,
 * so `Authorization`, `Cookie`, `X-Forwarded-*` or `legalEntityId` of the incoming request can
 * never leak to a peer even when a caller hands over the whole incoming header object.
 */
export type ForwardableHeaders = Record<string, string | string[] | undefined>;

/** One logical call to the upstream. */
export interface PeerRequest {
  /** The tenant of the request being served; the token is minted for it and the path must use it (S2S-2). */
  tenant: string;
  method: PeerMethod;
  /** Percent-encoded path that starts with `/{service}/{tenant}/`; no query string (use `query`). */
  path: string;
  /** Path with placeholders, for logs: `/customer-segment/{tenant}/segments/items`. */
  pathTemplate: string;
  /** Query parameters, encoded by the client (`+` → `%2B`, Q-8); `undefined` values are skipped. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body for POST/PUT/PATCH/DELETE. */
  body?: unknown;
  /** Scopes the service token must hold for this endpoint; `[]` when the endpoint needs none (S2S-3). */
  scopes: string[];
  /** Only `X-Request-Id`, `traceparent` and `Accept-Language` are forwarded (S2S-5). */
  headers?: ForwardableHeaders;
  /** Mark a read-only POST (`…/search`, `…/segments/match`) as safe to retry (S2S-7). */
  idempotent?: boolean;
  /** A 404 is a normal answer for this call (for example "product has no category"): returned, not thrown. */
  expect404?: boolean;
  /**
   * Per-call bounds within S2S-6/S2S-7 (HTTP-8 item 15): `attemptMs` up to 10 s, `deadlineMs`
   * and `maxRetries` only lower than the client's. A call site using them says why in code.
   */
  timeouts?: Partial<Pick<PeerTimeouts, 'attemptMs' | 'deadlineMs'>>;
  maxRetries?: number;
  /**
   * Reads a usable non-empty body from its raw bytes instead of the default strict UTF-8 JSON
   * parse; whatever it throws makes the answer `invalid_body` (a 503, never retried), exactly
   * like unparseable JSON. For large answers whose decoding the caller can do better.
   */
  decodeBody?: (bytes: Buffer) => unknown;
  /**
   * The entity tag of an earlier answer to this same request, sent as `If-None-Match` when it is a
   * well-formed tag (it came from the peer; otherwise the call goes unconditional). The peer's word,
   * given now, that the answer is still that one (RFC 9110 §13.1.2: `304` to a GET or HEAD, `412`
   * to any other method) is then a usable answer with `unchanged: true` and no body, so the caller
   * may use what it read from that earlier answer.
   */
  ifNoneMatch?: string;
}

/** A usable answer: a 2xx, a 404 when the call set `expect404`, a 304 when it set `ifNoneMatch`. */
export interface PeerResponse<T> {
  status: number;
  /** Parsed JSON; `undefined` for an empty body (204, HEAD) and for an expected 404. */
  body: T | undefined;
  headers: IncomingHttpHeaders;
  /** The answer named by the call's `ifNoneMatch` is unchanged (304 or 412): use the earlier one. */
  unchanged?: boolean;
}

/** Why a call failed; attached as `cause` of the thrown {@link ApiError}, for callers' logs and tests. */
export type PeerFailureKind =
  'network' | 'timeout' | 'status' | 'invalid_body' | 'body_too_large' | 'circuit_open' | 'bulkhead_full' | 'token_unavailable' | 'refused';

/** The `cause` of every {@link ApiError} the client throws for an upstream failure. */
export class PeerCallError extends Error {
  constructor(
    readonly service: string,
    readonly kind: PeerFailureKind,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(`${service}: ${kind}${status === undefined ? '' : ` ${status}`} after ${attempts} attempt(s)`);
    this.name = 'PeerCallError';
  }
}

interface AttemptResult {
  /** A usable response, or undefined when the attempt failed. */
  response?: PeerResponse<unknown>;
  kind?: PeerFailureKind;
  status?: number;
  /** Whether S2S-7 allows another attempt after this failure (method permitting). */
  retryable: boolean;
  retryAfterMs?: number;
  /** Breaker open: how long until it lets a probe through. */
  breakerRetryAfterMs?: number;
  /** The failure is our own fault (bad request, bad credentials, unexpected 404): log at error level. */
  configError?: boolean;
  /** Map to 500 instead of 503 (a 4xx other than 401/403/404/429: we built a bad request). */
  internal?: boolean;
}

const SERVICE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
// RFC 3986 path characters (unreserved, pct-encoded, sub-delims, ":", "@", "/"); no "?", "#",
// spaces, controls or raw non-ASCII, so the path we log is the path we send.
const PATH_CHARS = /^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]+$/;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const HEADER_TEXT = /^[\x20-\x7e]{1,512}$/;
/** One entity tag, strong or weak (RFC 9110 §8.8.3), as an earlier answer gave it. */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e]{0,256}"$/;

/** Whether the call is sent with `If-None-Match` (a well-formed tag). */
function isConditional(call: PeerRequest): boolean {
  return typeof call.ifNoneMatch === 'string' && ENTITY_TAG.test(call.ifNoneMatch);
}

/** The status that says "unchanged" to a conditional call (RFC 9110 §13.1.2); none for others. */
function unchangedStatus(call: PeerRequest): number {
  if (!isConditional(call)) return -1;
  return call.method === 'GET' || call.method === 'HEAD' ? 304 : 412;
}

/**
 * The one base client for calls to a peer suite service (S2S-1). Create exactly one instance per
 * upstream service per process (it owns that upstream's connection pool, circuit breaker and
 * bulkhead) and wrap it in small per-peer clients. See the notes at the top of `index.ts` for
 * the policy and the outcome-to-error table.
 *
 * @example
 * const segments = new ServiceHttpClient({ service: 'customer-segment', baseUrl: config.customerSegmentUrl,
 *   tokenProvider: (t, s) => serviceTokens.getToken(t, s), logger });
 * const res = await segments.request<SegmentRow[]>({
 *   tenant, method: 'GET', path: `/customer-segment/${tenant}/segments`,
 *   pathTemplate: '/customer-segment/{tenant}/segments',
 *   query: { customerId, q: `id:${quotedIdList(ids)}`, pageSize: ids.length, pageNumber: 1 },
 *   scopes: ['customersegment.segment_read'], headers: { 'x-request-id': requestId, traceparent },
 * });
 */
export class ServiceHttpClient {
  readonly service: string;
  private readonly origin: string;
  private readonly pool: Pool;
  private readonly tokenProvider: ServiceTokenSource;
  private readonly timeouts: PeerTimeouts;
  private readonly retry: RetryPolicy;
  private readonly breaker: CircuitBreaker;
  private readonly bulkhead: Bulkhead;
  private readonly logger: StructuredLogger;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;
  /** Stops reporting this client's breaker in `peer_circuit_breaker_state`. */
  private readonly stopReporting: () => void;

  constructor(options: ServiceHttpClientOptions) {
    if (!SERVICE_PATTERN.test(options.service)) throw new TypeError('service must be a lowercase service name');
    this.service = options.service;
    this.origin = parseOrigin(options.baseUrl);
    this.tokenProvider = options.tokenProvider;
    this.timeouts = { ...DEFAULT_PEER_TIMEOUTS, ...options.timeouts };
    for (const [k, v] of Object.entries(this.timeouts)) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`timeout ${k} must be positive`);
    }
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (!Number.isInteger(this.retry.maxRetries) || this.retry.maxRetries < 0) {
      throw new RangeError('retry.maxRetries must be a non-negative integer');
    }
    this.logger = options.logger ?? silentLogger;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.now = options.now ?? Date.now;
    this.breaker = new CircuitBreaker(
      { ...DEFAULT_BREAKER_OPTIONS, ...options.breaker },
      {
        now: this.now,
        onStateChange: (from, to, reason) =>
          this.logger.warn({ upstream: this.service, from, to, reason }, 'peer circuit breaker state changed'),
      },
    );
    this.bulkhead = new Bulkhead({ ...DEFAULT_BULKHEAD_OPTIONS, ...options.bulkhead });
    // One pool per upstream; its size equals the bulkhead so the bulkhead, not undici's
    // unbounded queue, decides who waits. undici never follows redirects here.
    this.pool = new Pool(this.origin, {
      connections: this.bulkhead.maxConcurrent,
      connect: { timeout: this.timeouts.connectMs },
    });
    this.stopReporting = registerCircuitBreaker(this.service, () => this.breaker.state);
  }

  /** The breaker's state now (for readiness reporting and tests). */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /**
   * Makes one logical call (S2S-5 to S2S-10). Resolves with the response for a 2xx, or for a
   * 404 when `expect404` is set. Every other outcome throws {@link ApiError}:
   * `503 upstream_unavailable` (detail field = this service's name, `Retry-After` while the
   * breaker is open) for network errors, timeouts, 5xx, 429 after retries, open circuit, full
   * bulkhead, unreadable or invalid JSON, bodies above 5 MiB, 401/403, unexpected 404, redirects,
   * and an unavailable token source; `500 internal_error` for any other 4xx and for a request
   * this client refuses to send (wrong service or tenant prefix, malformed path). The `cause`
   * of an upstream failure is a {@link PeerCallError}.
   */
  async request<T>(call: PeerRequest): Promise<PeerResponse<T>> {
    const startedAt = this.now();
    const target = this.prepare(call);
    const limits = this.limitsFor(call);
    const deadlineAt = startedAt + limits.deadlineMs;
    // Inside a request the logger adds the request's context; named here too for calls made outside one.
    const logBase = {
      upstream: this.service,
      method: call.method,
      path: call.pathTemplate,
      tenant: call.tenant,
      reqId: target.headers['x-request-id'],
    };

    let token: string;
    try {
      token = await withTimeout(this.tokenProvider(call.tenant, [...call.scopes]), deadlineAt - this.now());
    } catch {
      // Never log the error itself: a token endpoint's message may echo credentials.
      this.logger.error({ ...logBase, attempt: 0, outcome: 'token_unavailable' }, 'peer call: no service token');
      recordPeerAttempt(this.service, 'token_unavailable');
      throw ApiError.upstreamUnavailable(this.service);
    }
    target.headers.authorization = `Bearer ${token}`;

    const mayRetry = isRetryableMethod(call.method, call.idempotent === true);
    const maxAttempts = 1 + (mayRetry ? limits.maxRetries : 0);
    let last: AttemptResult = { retryable: false, kind: 'timeout' };
    let attempt = 0;
    while (attempt < maxAttempts) {
      attempt += 1;
      const attemptStart = this.now();
      last = await this.attempt(call, target, Math.min(limits.attemptMs, deadlineAt - attemptStart));
      const latencyMs = this.now() - attemptStart;
      const line = { ...logBase, attempt, status: last.response?.status ?? last.status, latencyMs, outcome: last.kind ?? 'ok' };
      recordPeerAttempt(this.service, line.outcome, latencyMs / 1000);
      if (last.response) {
        this.logger.info(line, 'peer call');
        return last.response as PeerResponse<T>;
      }
      if (last.configError) this.logger.error(line, 'peer call failed: caller or configuration error');
      else this.logger.warn(line, 'peer call failed');

      if (!last.retryable || attempt >= maxAttempts) break;
      let delay = backoffDelayMs(this.retry, attempt - 1);
      if (last.retryAfterMs !== undefined) {
        if (last.retryAfterMs > this.retry.maxRetryAfterMs) break; // a long Retry-After ends the retries
        delay = Math.max(delay, last.retryAfterMs);
      }
      // Never beyond the deadline: a retry needs time for the wait and at least a little for itself.
      if (this.now() + delay >= deadlineAt) break;
      await sleep(delay);
    }

    const cause = new PeerCallError(this.service, last.kind ?? 'timeout', attempt, last.status);
    if (last.internal) {
      throw ApiError.internal(cause);
    }
    const error = ApiError.upstreamUnavailable(
      this.service,
      last.breakerRetryAfterMs === undefined ? undefined : last.breakerRetryAfterMs / 1000,
    );
    error.cause = cause;
    throw error;
  }

  /** Closes the pool: waits for calls in flight up to one deadline, then drops the sockets. */
  async close(): Promise<void> {
    this.stopReporting();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.pool.close().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.timeouts.deadlineMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (!this.pool.destroyed) await this.pool.destroy().catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------

  /** Validates the call and builds path and headers; refusals are our own bug → 500. */
  private prepare(call: PeerRequest): { path: string; headers: Record<string, string>; body?: string } {
    const refuse = (why: string): never => {
      this.logger.error({ upstream: this.service, method: call.method, path: call.pathTemplate, why }, 'peer call refused');
      recordPeerAttempt(this.service, 'refused');
      throw ApiError.internal(new PeerCallError(this.service, 'refused', 0));
    };
    if (!PEER_METHODS.includes(call.method)) refuse('method not allowed');
    if (!isValidTenant(call.tenant)) refuse('invalid tenant');
    // S2S-1/S2S-2: only this upstream's origin (the pool is bound to it), only this service's
    // prefix and only the tenant being served, so a service token cannot travel elsewhere.
    const prefix = `/${this.service}/${call.tenant}/`;
    if (typeof call.path !== 'string' || !call.path.startsWith(prefix)) refuse('path outside /{service}/{tenant}/');
    if (!PATH_CHARS.test(call.path)) refuse('path has characters outside RFC 3986 path syntax');
    const segments = call.path.slice(1).split('/');
    if (
      segments.some((s, i) => (s === '' && i < segments.length - 1) || s === '.' || s === '..' || /%2e%2e|^%2e$|^\.%2e$|^%2e\.$/i.test(s))
    ) {
      refuse('path has empty or dot segments');
    }
    if (!Array.isArray(call.scopes) || call.scopes.some((s) => typeof s !== 'string' || !/^[\x21-\x7e]+$/.test(s))) {
      refuse('invalid scopes');
    }
    let path = call.path;
    if (call.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(call.query)) if (v !== undefined) qs.append(k, String(v));
      const text = qs.toString();
      if (text) path += `?${text}`;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    const forwarded = pickForwardedHeaders(call.headers);
    Object.assign(headers, forwarded);
    // With tracing on, the undici instrumentation writes `traceparent` itself: the same trace id
    // and flags, with this call's span as the parent (W3C trace context). A second header of ours
    // would make the pair unreadable for the peer.
    if (tracingEnabled()) delete headers.traceparent;
    // The tag came from the peer: one that is not a well-formed entity tag is not sent back (HTTP-9).
    if (isConditional(call)) headers['if-none-match'] = call.ifNoneMatch!;
    let body: string | undefined;
    if (call.body !== undefined) {
      if (call.method === 'GET' || call.method === 'HEAD') refuse('body on GET/HEAD');
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    return { path, headers, body };
  }

  private limitsFor(call: PeerRequest): { attemptMs: number; deadlineMs: number; maxRetries: number } {
    const attemptMs = call.timeouts?.attemptMs ?? this.timeouts.attemptMs;
    const deadlineMs = call.timeouts?.deadlineMs ?? this.timeouts.deadlineMs;
    const maxRetries = call.maxRetries ?? this.retry.maxRetries;
    // A call site may only tighten the policy (raising the attempt timeout to at most 10 s is the
    // one allowed exception, S2S-6); anything else is a programming error.
    if (!(attemptMs > 0 && attemptMs <= Math.max(MAX_ATTEMPT_TIMEOUT_MS, this.timeouts.attemptMs))) {
      throw new RangeError(`attemptMs must be in (0, ${MAX_ATTEMPT_TIMEOUT_MS}]`);
    }
    if (!(deadlineMs > 0 && deadlineMs <= this.timeouts.deadlineMs)) throw new RangeError('deadlineMs may only be lowered');
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > this.retry.maxRetries) {
      throw new RangeError('maxRetries may only be lowered');
    }
    return { attemptMs, deadlineMs, maxRetries };
  }

  /** One attempt: breaker permit, bulkhead slot, the exchange, classification. Never throws. */
  private async attempt(
    call: PeerRequest,
    target: { path: string; headers: Record<string, string>; body?: string },
    timeoutMs: number,
  ): Promise<AttemptResult> {
    if (timeoutMs <= 0) return { kind: 'timeout', retryable: false };
    const decision = this.breaker.tryAcquire();
    if (!decision.allowed) {
      return { kind: 'circuit_open', retryable: false, breakerRetryAfterMs: decision.retryAfterMs };
    }
    const permit: BreakerPermit = decision.permit;
    const waitStart = this.now();
    let release: () => void;
    try {
      release = await this.bulkhead.acquire(timeoutMs);
    } catch (e) {
      this.breaker.record(permit, 'cancelled');
      if (e instanceof BulkheadFullError) return { kind: 'bulkhead_full', retryable: false };
      throw e;
    }
    let outcome: BreakerOutcome = 'failure';
    try {
      const remaining = timeoutMs - (this.now() - waitStart);
      if (remaining <= 0) {
        outcome = 'cancelled';
        return { kind: 'timeout', retryable: false };
      }
      const result = await this.exchange(call, target, remaining);
      outcome = breakerOutcomeOf(result);
      return result;
    } finally {
      release();
      this.breaker.record(permit, outcome);
    }
  }

  /** Sends the request and reads the response within `timeoutMs`, then classifies it. */
  private async exchange(
    call: PeerRequest,
    target: { path: string; headers: Record<string, string>; body?: string },
    timeoutMs: number,
  ): Promise<AttemptResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      let res;
      try {
        res = await this.pool.request({
          method: call.method,
          path: target.path,
          headers: target.headers,
          body: target.body,
          signal: controller.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (e) {
        return { kind: timedOut || isTimeoutError(e) ? 'timeout' : 'network', retryable: true };
      }
      const status = res.statusCode;
      const retryAfterMs = parseRetryAfterMs(res.headers['retry-after'], this.now());

      const usable = (status >= 200 && status < 300) || (status === 404 && call.expect404 === true) || status === unchangedStatus(call);
      if (!usable) {
        // Drain a little so the connection can be reused, without buffering an error page.
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return classifyStatus(status, retryAfterMs);
      }
      if (status === 404 || status === 204 || status === unchangedStatus(call) || call.method === 'HEAD') {
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const unchanged = status === unchangedStatus(call) ? { unchanged: true } : {};
        return { response: { status, body: undefined, headers: res.headers, ...unchanged }, retryable: false };
      }

      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
        res.body.destroy();
        return { kind: 'body_too_large', status, retryable: false };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body) {
          const buf = chunk as Buffer;
          size += buf.length;
          if (size > this.maxBodyBytes) {
            res.body.destroy();
            return { kind: 'body_too_large', status, retryable: false };
          }
          chunks.push(buf);
        }
      } catch (e) {
        return { kind: timedOut || isTimeoutError(e) ? 'timeout' : 'network', status, retryable: true };
      }
      if (size === 0) return { response: { status, body: undefined, headers: res.headers }, retryable: false };
      let parsed: unknown;
      try {
        const bytes = Buffer.concat(chunks, size);
        parsed = call.decodeBody ? call.decodeBody(bytes) : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        return { kind: 'invalid_body', status, retryable: false };
      }
      return { response: { status, body: parsed, headers: res.headers }, retryable: false };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Maps a status the caller cannot use to the S2S-10 outcome. */
function classifyStatus(status: number, retryAfterMs: number | undefined): AttemptResult {
  if (status >= 500 || status === 429) {
    return { kind: 'status', status, retryable: RETRYABLE_STATUSES.has(status), retryAfterMs };
  }
  if (status === 401 || status === 403 || status === 404) {
    // We always send a service token, so 401/403 mean our configuration is wrong, and an
    // unexpected 404 means a contract mismatch: the upstream is unusable for us (503), loudly.
    return { kind: 'status', status, retryable: false, configError: true };
  }
  if (status >= 400) return { kind: 'status', status, retryable: false, configError: true, internal: true };
  // 1xx that undici surfaces, 3xx (never followed: a token must not travel to another host), other 2xx handled earlier.
  return { kind: 'status', status, retryable: false, configError: true };
}

/** S2S-8: network errors, timeouts, 5xx and 429 are failures; every other answer is a success. */
function breakerOutcomeOf(result: AttemptResult): BreakerOutcome {
  if (result.response) return 'success';
  switch (result.kind) {
    case 'network':
    case 'timeout':
      return 'failure';
    case 'status':
      return result.status !== undefined && (result.status >= 500 || result.status === 429) ? 'failure' : 'success';
    default:
      return 'success';
  }
}

function isTimeoutError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** Keeps only the S2S-5 headers, case-insensitively, and only well-formed values (HTTP-9). */
export function pickForwardedHeaders(headers: ForwardableHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== 'string') continue;
    switch (name.toLowerCase()) {
      case 'x-request-id':
        if (REQUEST_ID_PATTERN.test(value)) out['x-request-id'] = value;
        break;
      case 'traceparent':
        if (TRACEPARENT_PATTERN.test(value)) out.traceparent = value;
        break;
      case 'accept-language':
        if (HEADER_TEXT.test(value)) out['accept-language'] = value;
        break;
      default:
        break;
    }
  }
  return out;
}

function parseOrigin(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('baseUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must use http or https');
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new TypeError('baseUrl must be an origin only (scheme, host, port)');
  }
  return url.origin;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return Promise.reject(new Error('deadline exceeded'));
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('deadline exceeded')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
