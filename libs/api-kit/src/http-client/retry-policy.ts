/** HTTP methods the peer client sends. */
export type PeerMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const PEER_METHODS: readonly PeerMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Retry settings (S2S-7 defaults in {@link DEFAULT_RETRY_POLICY}). */
export interface RetryPolicy {
  /** Retries after the first attempt (not attempts). */
  maxRetries: number;
  /** Delay before retry n (0-based); the last value repeats if there are more retries than values. */
  baseDelaysMs: number[];
  /** Relative jitter: 0.2 means each delay is drawn from [0.8 × base, 1.2 × base]. */
  jitter: number;
  /** A `Retry-After` up to this long is waited for; a longer one ends the retries. */
  maxRetryAfterMs: number;
  /** Random source in [0, 1), injectable so tests can pin the jitter. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 2,
  baseDelaysMs: [100, 400],
  jitter: 0.2,
  maxRetryAfterMs: 2000,
  random: Math.random,
});

/** Statuses after which an idempotent call may be retried (S2S-7). `500` is deliberately absent. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Whether a call may be retried at all (S2S-7): `GET`, `HEAD`, `PUT` and `DELETE` always,
 * `POST` only when the call site marks it idempotent because it only reads (`…/search`,
 * `…/segments/match`), `PATCH` never, whatever the flag says.
 */
export function isRetryableMethod(method: PeerMethod, markedIdempotent = false): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'PUT':
    case 'DELETE':
      return true;
    case 'POST':
      return markedIdempotent;
    default:
      return false;
  }
}

/** The jittered delay before retry number `retryIndex` (0 for the first retry). */
export function backoffDelayMs(policy: Pick<RetryPolicy, 'baseDelaysMs' | 'jitter' | 'random'>, retryIndex: number): number {
  const bases = policy.baseDelaysMs;
  const base = bases.length === 0 ? 0 : bases[Math.min(retryIndex, bases.length - 1)];
  const factor = 1 + policy.jitter * (2 * policy.random() - 1);
  return Math.max(0, Math.round(base * factor));
}

/**
 * Parses a `Retry-After` value (delta-seconds or HTTP-date) into milliseconds from `nowMs`.
 * Returns `undefined` for a missing or unparseable value, which then simply does not count.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // Only accept something that looks like an IMF-fixdate/RFC 850 date, not any string Date.parse likes.
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
