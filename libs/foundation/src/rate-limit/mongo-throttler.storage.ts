import type { ThrottlerStorage } from '@nestjs/throttler';
import type { WindowCounters } from '@suite/persistence';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Blocked keys remembered per process at most (only keys over their limit are kept, until their window ends). */
const MAX_REMEMBERED_BLOCKS = 10_000;
/** Keys with an allowance remembered per process at most (the busiest tenants of the current windows). */
const MAX_ALLOWANCES = 10_000;
/** A block is at most this share of the limit: 1/100, so a limit under 200 is counted hit by hit. */
const BLOCK_DIVISOR = 100;
/** A process aims at about one reservation per key every this many milliseconds. */
const RESERVATION_INTERVAL_MS = 100;

/**
 * Hits one process reserved in the shared counter of a key's window and has not admitted yet.
 * `pending` is the reservation in flight, awaited by every hit that found the allowance empty.
 */
interface Allowance {
  windowEnd: number;
  available: number;
  /** The shared count after this process's last reservation (reported as `totalHits`). */
  count: number;
  reservedAt: number;
  block: number;
  waiting: number;
  /** The shared count reached the limit: what is left in `available` is the last of the window. */
  full: boolean;
  pending?: Promise<void>;
}

/**
 * The `ThrottlerStorage` of @nestjs/throttler on MongoDB: a fixed window per key, counted by
 * {@link WindowCounters} (atomic `$inc` on one document per key and window, shared by every instance
 * of the service). A key is blocked from the hit that passes the limit until its window ends;
 * `blockDuration` is therefore not used.
 *
 * Hits are admitted from blocks reserved in the shared counter, not counted one by one: a process
 * adds a block of `n` to the window's count in one write and admits up to `n` hits from memory. A
 * block is granted only as far as the count stays within the limit, so the instances together never
 * admit more than the limit; what they may refuse early is at most one unused block per instance
 * (a block is at most 1 % of the limit). The block follows the process's own rate (about one
 * reservation every 100 ms, starting at 1), so a quiet tenant is counted hit by hit and a busy one
 * costs a handful of writes per second instead of one per request. Limits under 200 per window are
 * always counted hit by hit, exactly.
 *
 * Within a window a count only grows, so once this process has seen a key over its limit it answers
 * the rest of the window from memory, without a database write: a flood costs one write per
 * instance, not one per request.
 */
export class MongoThrottlerStorage implements ThrottlerStorage {
  private readonly blockedUntil = new Map<string, number>();
  private readonly allowances = new Map<string, Allowance>();

  constructor(private readonly counters: WindowCounters) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const maxBlock = Math.floor(limit / BLOCK_DIVISOR);
    for (;;) {
      const now = Date.now();
      const until = this.blockedUntil.get(key);
      if (until !== undefined && until > now) return blocked(limit + 1, until - now);
      if (until !== undefined) this.blockedUntil.delete(key);
      if (maxBlock <= 1) return this.countOne(key, ttl, limit, now);

      const allowance = this.allowanceOf(key, ttl, now);
      if (allowance.available > 0) {
        allowance.available--;
        return admitted(allowance.count - allowance.available, allowance.windowEnd - now);
      }
      if (allowance.full) {
        this.remember(key, allowance.windowEnd, now);
        return blocked(limit + 1, allowance.windowEnd - now);
      }
      allowance.pending ??= this.reserve(key, ttl, limit, maxBlock, allowance).finally(() => (allowance.pending = undefined));
      allowance.waiting++;
      try {
        await allowance.pending;
      } finally {
        allowance.waiting--;
      }
      // Loop: the reservation filled the allowance, or blocked the key, or the window ended meanwhile.
    }
  }

  /** One hit, one write: the exact count of small limits. */
  private async countOne(key: string, ttl: number, limit: number, now: number): Promise<ThrottlerStorageRecord> {
    const hit = await this.counters.hit(key, ttl, 1, now);
    const left = hit.endsAt - now;
    if (hit.count <= limit) return admitted(hit.count, left);
    this.remember(key, hit.endsAt, now);
    return blocked(hit.count, left);
  }

  /** Adds a block to the shared count of the allowance's window and keeps the part within the limit. */
  private async reserve(key: string, ttl: number, limit: number, maxBlock: number, allowance: Allowance): Promise<void> {
    const now = Date.now();
    const block = Math.min(maxBlock, Math.max(allowance.waiting, nextBlock(allowance, now)));
    // Counted in the allowance's own window (its start is `windowEnd - ttl`), even if that window
    // ended while the hit waited: then the block is lost with the window, never moved to the next.
    const hit = await this.counters.hit(key, ttl, block, allowance.windowEnd - ttl);
    const granted = Math.max(0, Math.min(block, limit - (hit.count - block)));
    allowance.available += granted;
    allowance.count = hit.count;
    allowance.reservedAt = now;
    allowance.block = block;
    allowance.full = granted < block;
  }

  private allowanceOf(key: string, ttl: number, now: number): Allowance {
    const current = this.allowances.get(key);
    if (current && current.windowEnd > now) return current;
    const windowEnd = Math.floor(now / ttl) * ttl + ttl;
    // A new window starts from a block of 1 unless the previous window showed the rate.
    const fresh: Allowance = {
      windowEnd,
      available: 0,
      count: 0,
      reservedAt: current?.reservedAt ?? 0,
      block: current?.block ?? 1,
      waiting: 0,
      full: false,
    };
    if (!current && this.allowances.size >= MAX_ALLOWANCES) {
      for (const [k, a] of this.allowances) if (a.windowEnd <= now && !a.pending) this.allowances.delete(k);
    }
    if (current || this.allowances.size < MAX_ALLOWANCES) this.allowances.set(key, fresh);
    return fresh;
  }

  private remember(key: string, until: number, now: number): void {
    if (until <= now) return;
    if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) {
      for (const [k, t] of this.blockedUntil) if (t <= now) this.blockedUntil.delete(k);
      // Still full: forget rather than grow; the database answers for the forgotten keys.
      if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) return;
    }
    this.blockedUntil.set(key, until);
  }
}

/** The next block: doubled while the last one lasted under the interval, else scaled to last about the interval. */
function nextBlock(allowance: Allowance, now: number): number {
  if (allowance.reservedAt === 0) return 1;
  const lasted = now - allowance.reservedAt;
  if (lasted < RESERVATION_INTERVAL_MS) return allowance.block * 2;
  return Math.max(1, Math.floor((allowance.block * RESERVATION_INTERVAL_MS) / lasted));
}

function admitted(totalHits: number, leftMs: number): ThrottlerStorageRecord {
  return { totalHits, timeToExpire: seconds(leftMs), isBlocked: false, timeToBlockExpire: 0 };
}

function blocked(totalHits: number, leftMs: number): ThrottlerStorageRecord {
  return { totalHits, timeToExpire: seconds(leftMs), isBlocked: true, timeToBlockExpire: seconds(leftMs) };
}

/** Whole seconds, at least 1 (Retry-After, ERR-3). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
