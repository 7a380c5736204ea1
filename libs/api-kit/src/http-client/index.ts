/*
 * Peer HTTP client of the suite (conventions section 10). Policy notes, so call sites need not
 * re-derive them:
 *
 * One client per upstream service per process. `ServiceHttpClient` owns the upstream's undici
 * Pool, its circuit breaker and its bulkhead; apps build one per peer (from CUSTOMER_SEGMENT_URL,
 * CATEGORY_URL, ...) and wrap it in small `clients/*.client.ts` tolerant readers.
 *
 * Where a call may go (S2S-1, S2S-2). The pool is bound to the configured origin, and a path must
 * start with `/{service}/{tenant}/` for the tenant the token is minted for; absolute URLs,
 * `//host` paths, dot segments, `?`/`#` in the path and non-RFC 3986 characters are refused with
 * a 500 (our bug), so a service token can never reach another host, service or tenant.
 * Redirects are never followed.
 *
 * Headers (S2S-3, S2S-5). `Authorization: Bearer <service token for (tenant, scopes)>` from the
 * injected token source, never the user's token. Of the caller's headers only `X-Request-Id`,
 * `traceparent` and `Accept-Language` pass, and only when well formed.
 *
 * Timeouts (S2S-6). Connect 1 s, one attempt 2 s (request sent → last body byte), one logical
 * call 5 s including the token, bulkhead waits, retries and backoff. A call site may lower them,
 * or raise the attempt timeout up to 10 s; the client refuses anything else.
 *
 * Retries (S2S-7). Only GET/HEAD/PUT/DELETE and POSTs marked `idempotent: true`; never PATCH or a
 * plain POST. Only after a network error, a timeout, or 429/502/503/504 (never 500 or other
 * 4xx). At most 2 retries, after ~100 ms and ~400 ms with ±20 % jitter; a `Retry-After` up to 2 s
 * is waited for (the longer of it and the backoff), a longer one ends the retries; a retry whose
 * wait would reach the deadline is not made.
 *
 * Circuit breaker (S2S-8), see circuit-breaker.ts for why it is not opossum. Every attempt, not
 * every logical call, is one breaker call: 5 consecutive failures, or >= 50 % failures among the
 * last 20 calls younger than 30 s (with >= 10 of them), open it for 30 s; then one probe goes
 * through (half-open) and decides. Failures are network errors, timeouts, 5xx and 429; any other
 * answer (401/403/404/400, an unparseable 2xx body) is a success for the breaker, because the
 * peer is up. An open breaker fails the call at once, without touching the peer, with
 * `Retry-After` = remaining open time (ERR-12).
 *
 * Bulkhead (S2S-9). At most 50 attempts in flight per upstream (the pool has the same size); an
 * attempt that cannot get a slot within 200 ms fails as unavailable and is not retried.
 *
 * What maps to what (S2S-10):
 *   network error, timeout, 5xx, 429 after retries, open circuit, full bulkhead,
 *   unreadable / invalid JSON, body > 5 MiB, redirect, 401/403, 404 without `expect404`,
 *   no service token                        → 503 upstream_unavailable, detail field = service
 *   other 4xx (we built a bad request), a request the client refuses → 500 internal_error
 *   404 with `expect404`                     → returned as { status: 404, body: undefined }
 *   2xx                                      → returned, body parsed as JSON (undefined if empty)
 * 401/403, unexpected 404 and other 4xx are logged at error level (configuration or contract
 * bug); other failures at warn. The thrown ApiError's `cause` is a PeerCallError naming the kind.
 *
 * Logging (S2S-12). One line per attempt: upstream, method, path template, tenant, request id
 * (`reqId`), attempt number, status, latency, outcome. Never tokens, never bodies. Breaker state
 * changes at warn. Metrics (@suite/observability): `peer_requests_total` and
 * `peer_request_duration_seconds` per attempt by upstream and outcome, `peer_circuit_breaker_state`.
 * With tracing on, the undici instrumentation makes a span per attempt and writes `traceparent`.
 *
 * Lists (S2S-14). `readAllPages` pages with pageSize=1000 until a short page; `chunkIdsForQ`
 * writes ids as quoted q list items and splits them to respect Q-30 (4096 chars, 200 items).
 */
export * from './logger';
export * from './retry-policy';
export * from './circuit-breaker';
export * from './bulkhead';
export * from './paging';
export * from './service-http-client';
