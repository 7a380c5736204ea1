/** Limits of one bulkhead (S2S-9 defaults in {@link DEFAULT_BULKHEAD_OPTIONS}). */
export interface BulkheadOptions {
  /** Concurrent outgoing requests allowed to one upstream. */
  maxConcurrent: number;
  /** How long a request may wait for a free slot before it fails as unavailable. */
  maxWaitMs: number;
}

export const DEFAULT_BULKHEAD_OPTIONS: Readonly<BulkheadOptions> = Object.freeze({ maxConcurrent: 50, maxWaitMs: 200 });

/** Thrown by {@link Bulkhead.acquire} when no slot freed up in time. */
export class BulkheadFullError extends Error {
  constructor() {
    super('bulkhead full');
    this.name = 'BulkheadFullError';
  }
}

interface Waiter {
  grant: (release: () => void) => void;
  timer: NodeJS.Timeout;
}

/**
 * A counting semaphore with a bounded, FIFO wait (S2S-9). It keeps one slow upstream from tying
 * up every request of this process: at most `maxConcurrent` attempts run against the upstream,
 * and a caller that cannot start within `maxWaitMs` gets {@link BulkheadFullError} instead of
 * queueing behind a dead peer. undici's own pool queue has no such wait limit.
 */
export class Bulkhead {
  private readonly opts: BulkheadOptions;
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(options: Partial<BulkheadOptions> = {}) {
    this.opts = { ...DEFAULT_BULKHEAD_OPTIONS, ...options };
    if (!Number.isInteger(this.opts.maxConcurrent) || this.opts.maxConcurrent < 1) {
      throw new RangeError('bulkhead maxConcurrent must be a positive integer');
    }
    if (!(this.opts.maxWaitMs >= 0)) throw new RangeError('bulkhead maxWaitMs must be >= 0');
  }

  get maxConcurrent(): number {
    return this.opts.maxConcurrent;
  }

  /** Attempts running now. */
  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for a slot now. */
  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a release function once a slot is held; rejects with {@link BulkheadFullError}
   * after `min(maxWaitMs, waitLimitMs)`. The release function is idempotent.
   */
  acquire(waitLimitMs: number = this.opts.maxWaitMs): Promise<() => void> {
    if (this.active < this.opts.maxConcurrent && this.waiters.length === 0) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    const wait = Math.max(0, Math.min(this.opts.maxWaitMs, waitLimitMs));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new BulkheadFullError());
        }, wait),
      };
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        // Hand the slot over directly so that `active` never dips and a newcomer cannot jump the queue.
        clearTimeout(next.timer);
        next.grant(this.releaser());
      } else {
        this.active -= 1;
      }
    };
  }
}
