import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { IdempotencyKeyRepository, IdempotencyRecord } from './idempotency-key.repository';
import type { StoredOutcome } from './stored-outcome';

/** How keys behave; every field has a default ({@link DEFAULT_IDEMPOTENCY_OPTIONS}). */
export interface IdempotencyOptions {
  /** How long a request waits for the first request with its key to finish before it is answered `409` (default 5 s). */
  waitMs: number;
  /**
   * The lease of a running request (default 30 s). Its holder renews it every third of it while it
   * runs, so only a holder that stopped (a crash) loses its key, and that after at most this long.
   */
  leaseMs: number;
  /** How long an outcome is kept and replayed, counted from the first request (default 24 h). */
  retentionMs: number;
  /** The longest pause between two looks at a running key while waiting (default 200 ms; the first is 20 ms). */
  pollIntervalMs: number;
}

export const DEFAULT_IDEMPOTENCY_OPTIONS: Readonly<IdempotencyOptions> = Object.freeze({
  waitMs: 5_000,
  leaseMs: 30_000,
  retentionMs: 24 * 3600 * 1000,
  pollIntervalMs: 200,
});

const FIRST_POLL_MS = 20;

/** What a request with a key may do. */
export type Claim =
  /** Run the handler, then {@link HeldKey.complete} or {@link HeldKey.release}. */
  | { kind: 'acquired'; held: HeldKey }
  /** Answer the stored outcome again. */
  | { kind: 'replay'; outcome: StoredOutcome }
  /** The key belongs to another request (`422`). */
  | { kind: 'mismatch' }
  /** The first request is still running after the wait (`409`). */
  | { kind: 'busy' };

/**
 * The idempotency keys of every tenant: decides for each request with a key whether it runs, gets a
 * stored outcome again, or is refused. Correctness rests on single-document atomic writes only:
 * one insert wins a new key, compare-and-set on the claim's `owner` guards every later change, so
 * of any number of concurrent requests with one key in any number of processes, exactly one runs.
 * Waiting is polling (with a wake-up when the holder is in this process).
 */
export class IdempotencyKeys {
  private readonly options: IdempotencyOptions;
  /** Waiters of this process per key, woken when a holder of this process finishes. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly records: IdempotencyKeyRepository,
    options: Partial<IdempotencyOptions> | undefined,
    private readonly logger: Logger,
  ) {
    this.options = { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options };
  }

  /**
   * Claims the key `id` of `tenant` for a request with this `fingerprint`; while the first request
   * with the key runs, waits for its outcome up to `waitMs`.
   */
  async claim(tenant: string, id: string, fingerprint: string): Promise<Claim> {
    const deadline = Date.now() + this.options.waitMs;
    let pause = FIRST_POLL_MS;
    let insertFirst = true;
    for (;;) {
      const claim = await this.attempt(tenant, id, fingerprint, insertFirst);
      const left = deadline - Date.now();
      if (claim.kind !== 'busy' || left <= 0) return claim;
      await this.sleep(signalOf(tenant, id), Math.min(pause, left));
      pause = Math.min(pause * 2, this.options.pollIntervalMs);
      // The key exists now; look before trying to insert.
      insertFirst = false;
    }
  }

  private async attempt(tenant: string, id: string, fingerprint: string, insertFirst: boolean): Promise<Claim> {
    let insert = insertFirst;
    // A record can vanish (released, taken over) between two steps: a few rounds settle it.
    for (let round = 0; round < 5; round++) {
      const now = new Date();
      const fresh = this.freshRecord(id, fingerprint, now);
      if (insert && (await this.records.insert(tenant, fresh))) return this.acquired(tenant, fresh);
      insert = true;
      const found = await this.records.find(tenant, id);
      if (!found) continue;
      if (found.expiresAt.getTime() <= now.getTime()) {
        // Past its retention: ignored, and overwritten by whoever comes first.
        if (await this.records.replace(tenant, found.owner, fresh)) return this.acquired(tenant, fresh);
        continue;
      }
      if (found.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (found.state === 'done' && found.outcome) return { kind: 'replay', outcome: found.outcome };
      if (found.lockedUntil && found.lockedUntil.getTime() > now.getTime()) return { kind: 'busy' };
      // The holder stopped renewing its lease (it crashed): the key is taken over, once.
      if (await this.records.replace(tenant, found.owner, fresh)) {
        this.logger.warn({ tenant, idempotencyRecord: id }, 'idempotency key taken over from a holder whose lease lapsed');
        return this.acquired(tenant, fresh);
      }
    }
    return { kind: 'busy' };
  }

  private freshRecord(id: string, fingerprint: string, now: Date): IdempotencyRecord {
    return {
      id,
      fingerprint,
      state: 'running',
      owner: randomUUID(),
      lockedUntil: new Date(now.getTime() + this.options.leaseMs),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.retentionMs),
    };
  }

  private acquired(tenant: string, record: IdempotencyRecord): Claim {
    return { kind: 'acquired', held: new HeldKey(this.records, tenant, record.id, record.owner, this.options.leaseMs, this.logger, this) };
  }

  /** Wakes the waiters of this process for a key that was completed or released. */
  notify(tenant: string, id: string): void {
    const waiting = this.waiters.get(signalOf(tenant, id));
    if (waiting) for (const wake of [...waiting]) wake();
  }

  private sleep(signal: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiting = this.waiters.get(signal);
      if (!waiting) this.waiters.set(signal, (waiting = new Set()));
      const set = waiting;
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(signal) === set) this.waiters.delete(signal);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }
}

/**
 * A key this request holds while its handler runs: the lease is renewed in the background until
 * the outcome is stored or the key released. Neither ever throws: a database failure here is
 * logged, and the client still gets the handler's answer (the record then stays `running` until its
 * lease lapses, after which a retry runs again).
 */
export class HeldKey {
  private renewal?: NodeJS.Timeout;
  private settled = false;

  constructor(
    private readonly records: IdempotencyKeyRepository,
    private readonly tenant: string,
    private readonly id: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly keys: IdempotencyKeys,
  ) {
    this.renewal = setInterval(() => void this.renew(), Math.max(1, Math.floor(leaseMs / 3)));
    this.renewal.unref();
  }

  /** Stores the outcome to replay; `undefined` (an outcome that cannot be kept) releases the key instead. */
  async complete(outcome: StoredOutcome | undefined): Promise<void> {
    if (outcome === undefined) return this.release();
    if (!this.finish()) return;
    try {
      const stored = await this.records.complete(this.tenant, this.id, this.owner, outcome, new Date());
      if (!stored)
        this.logger.warn({ tenant: this.tenant, idempotencyRecord: this.id }, 'idempotency key lost its lease before completion');
    } catch (err) {
      this.logger.error({ tenant: this.tenant, idempotencyRecord: this.id, err }, 'idempotency outcome not stored');
    } finally {
      this.keys.notify(this.tenant, this.id);
    }
  }

  /** Gives the key up, so that a retry executes again (after a 5xx or an unexpected error). */
  async release(): Promise<void> {
    if (!this.finish()) return;
    try {
      await this.records.release(this.tenant, this.id, this.owner);
    } catch (err) {
      this.logger.error({ tenant: this.tenant, idempotencyRecord: this.id, err }, 'idempotency key not released');
    } finally {
      this.keys.notify(this.tenant, this.id);
    }
  }

  /** Stops the renewals (the request ended without an outcome, e.g. torn down); the lease then lapses. */
  abandon(): void {
    this.finish();
  }

  /** True the first time: stops the renewals. */
  private finish(): boolean {
    clearInterval(this.renewal);
    this.renewal = undefined;
    if (this.settled) return false;
    this.settled = true;
    return true;
  }

  private async renew(): Promise<void> {
    try {
      const held = await this.records.renew(this.tenant, this.id, this.owner, new Date(Date.now() + this.leaseMs));
      if (!held && !this.settled) {
        clearInterval(this.renewal);
        this.logger.warn({ tenant: this.tenant, idempotencyRecord: this.id }, 'idempotency key lost its lease while running');
      }
    } catch (err) {
      this.logger.warn({ tenant: this.tenant, idempotencyRecord: this.id, err }, 'idempotency lease not renewed');
    }
  }
}

function signalOf(tenant: string, id: string): string {
  return `${tenant}/${id}`;
}
