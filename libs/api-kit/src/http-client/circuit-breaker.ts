/*
 * Why not opossum: S2S-8 fixes rules that opossum 9 cannot express
 * without patching its internals:
 *  - "5 consecutive failures" - opossum has no consecutive-failure trigger at all, only a
 *    percentage over a rolling window;
 *  - "the last 20 calls within 30 s" - opossum's window is purely time-bucketed
 *    (rollingCountTimeout / rollingCountBuckets), it cannot cap it to the last N calls;
 *  - "at least 50 %" - opossum opens only when the error rate is strictly greater than
 *    errorThresholdPercentage;
 *  - opossum also wants to own the call (`fire()`), its timeout and its semaphore, while the
 *    client needs to record one outcome per attempt with its own failure classification
 *    (4xx other than 429 are successes, a call rejected by the bulkhead never reached the peer).
 * Emulating the first rule by calling `breaker.open()` from outside would leave two sources of
 * truth for the state. The breaker below is ~150 lines, has no timers (state is computed from an
 * injectable clock on each call) and is unit-tested rule by rule.
 */

/** Thresholds of one breaker (S2S-8 defaults in {@link DEFAULT_BREAKER_OPTIONS}). */
export interface CircuitBreakerOptions {
  /** Open after this many failures in a row. */
  consecutiveFailures: number;
  /** Size of the count-based window ("the last 20 calls"). */
  windowSize: number;
  /** Only window entries younger than this count ("within 30 s"). */
  windowMs: number;
  /** The ratio rule applies only with at least this many calls in the window. */
  minCallsInWindow: number;
  /** Open when failures / calls in the window is at least this ratio. */
  failureRatio: number;
  /** How long an open breaker fails calls before letting one probe through. */
  openMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<CircuitBreakerOptions> = Object.freeze({
  consecutiveFailures: 5,
  windowSize: 20,
  windowMs: 30_000,
  minCallsInWindow: 10,
  failureRatio: 0.5,
  openMs: 30_000,
});

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * How an attempt ended, as far as the breaker is concerned:
 * `failure` - network error, timeout, 5xx or 429 (S2S-8);
 * `success` - the peer answered anything else (including 401/403/404/400 and unparseable 2xx bodies);
 * `cancelled` - the attempt never reached the peer (for example the bulkhead refused it).
 */
export type BreakerOutcome = 'success' | 'failure' | 'cancelled';

/** Permission to make one attempt; hand it back through {@link CircuitBreaker.record}. */
export interface BreakerPermit {
  readonly probe: boolean;
  /** @internal state generation the permit was issued in; stale outcomes do not move the state. */
  readonly generation: number;
}

export type BreakerDecision = { allowed: true; permit: BreakerPermit } | { allowed: false; retryAfterMs: number };

export interface BreakerHooks {
  now?: () => number;
  onStateChange?: (from: BreakerState, to: BreakerState, reason: string) => void;
}

/**
 * Circuit breaker of S2S-8, one per upstream service and process. Not a timer-driven state
 * machine: the open → half-open transition happens lazily when a call asks for a permit after
 * `openMs`. Exactly one probe is let through while half-open; every other call fails fast.
 */
export class CircuitBreaker {
  private readonly opts: CircuitBreakerOptions;
  private readonly now: () => number;
  private readonly onStateChange: (from: BreakerState, to: BreakerState, reason: string) => void;
  private stateValue: BreakerState = 'closed';
  private generation = 0;
  private consecutive = 0;
  private window: { at: number; failed: boolean }[] = [];
  private openedAt = 0;
  private probeInFlight = false;

  constructor(options: Partial<CircuitBreakerOptions> = {}, hooks: BreakerHooks = {}) {
    this.opts = { ...DEFAULT_BREAKER_OPTIONS, ...options };
    for (const [k, v] of Object.entries(this.opts)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        throw new RangeError(`circuit breaker option ${k} must be a positive number`);
      }
    }
    if (this.opts.failureRatio > 1) throw new RangeError('failureRatio must be at most 1');
    this.now = hooks.now ?? Date.now;
    this.onStateChange = hooks.onStateChange ?? (() => undefined);
  }

  /** The current state, with an expired open period already turned into half-open. */
  get state(): BreakerState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.opts.openMs) return 'half-open';
    return this.stateValue;
  }

  /**
   * Asks to make one attempt. A refusal carries how long the caller should wait (for the
   * `Retry-After` of ERR-12); no attempt may be made without a permit.
   */
  tryAcquire(): BreakerDecision {
    const now = this.now();
    if (this.stateValue === 'open') {
      const remaining = this.openedAt + this.opts.openMs - now;
      if (remaining > 0) return { allowed: false, retryAfterMs: remaining };
      this.transition('half-open', 'open period elapsed');
    }
    if (this.stateValue === 'half-open') {
      // Only one probe at a time; the others fail as if open. The probe's own deadline bounds
      // how long this lasts, so a short Retry-After is honest.
      if (this.probeInFlight) return { allowed: false, retryAfterMs: 1000 };
      this.probeInFlight = true;
      return { allowed: true, permit: { probe: true, generation: this.generation } };
    }
    return { allowed: true, permit: { probe: false, generation: this.generation } };
  }

  /** Records how the attempt made under `permit` ended. Call exactly once per permit. */
  record(permit: BreakerPermit, outcome: BreakerOutcome): void {
    const now = this.now();
    if (permit.probe) {
      if (permit.generation !== this.generation || this.stateValue !== 'half-open') return;
      this.probeInFlight = false;
      if (outcome === 'success') {
        this.reset();
        this.transition('closed', 'probe succeeded');
      } else if (outcome === 'failure') {
        this.open(now, 'probe failed');
      }
      // cancelled: the probe never reached the peer; the next caller may probe instead.
      return;
    }
    // Attempts that started before the breaker opened must neither extend nor end the open period.
    if (permit.generation !== this.generation || this.stateValue !== 'closed') return;
    if (outcome === 'cancelled') return;
    const failed = outcome === 'failure';
    this.window.push({ at: now, failed });
    if (this.window.length > this.opts.windowSize) this.window.shift();
    if (!failed) {
      this.consecutive = 0;
      return;
    }
    this.consecutive += 1;
    if (this.consecutive >= this.opts.consecutiveFailures) {
      this.open(now, `${this.consecutive} consecutive failures`);
      return;
    }
    const recent = this.window.filter((e) => now - e.at < this.opts.windowMs);
    const failures = recent.filter((e) => e.failed).length;
    if (recent.length >= this.opts.minCallsInWindow && failures >= this.opts.failureRatio * recent.length) {
      this.open(now, `${failures} of the last ${recent.length} calls failed`);
    }
  }

  private open(now: number, reason: string): void {
    this.openedAt = now;
    this.probeInFlight = false;
    this.reset();
    this.transition('open', reason);
  }

  private reset(): void {
    this.consecutive = 0;
    this.window = [];
  }

  private transition(to: BreakerState, reason: string): void {
    const from = this.stateValue;
    this.stateValue = to;
    this.generation += 1;
    if (from !== to) this.onStateChange(from, to, reason);
  }
}
