import type { ThrottlerStorage } from '@nestjs/throttler';
import type { WindowCounters } from '@suite/persistence';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Blocked keys remembered per process at most (only keys over their limit are kept, until their window ends). */
const MAX_REMEMBERED_BLOCKS = 10_000;

/**
 * The `ThrottlerStorage` of @nestjs/throttler on MongoDB: a fixed window per key, counted by
 * {@link WindowCounters} (one atomic `$inc` per request, shared by every instance of the service).
 * A key is blocked from the hit that passes the limit until its window ends; `blockDuration` is
 * therefore not used. Within a window a count only grows, so once this process has seen a key
 * over its limit it answers the rest of the window from memory, without a database write: a flood
 * costs one write per instance, not one per request.
 */
export class MongoThrottlerStorage implements ThrottlerStorage {
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly counters: WindowCounters) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const until = this.blockedUntil.get(key);
    if (until !== undefined && until > now) return blocked(limit + 1, until - now);
    if (until !== undefined) this.blockedUntil.delete(key);
    const hit = await this.counters.hit(key, ttl, 1, now);
    const left = hit.endsAt - now;
    if (hit.count <= limit) return { totalHits: hit.count, timeToExpire: seconds(left), isBlocked: false, timeToBlockExpire: 0 };
    this.remember(key, hit.endsAt, now);
    return blocked(hit.count, left);
  }

  private remember(key: string, until: number, now: number): void {
    if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) {
      for (const [k, t] of this.blockedUntil) if (t <= now) this.blockedUntil.delete(k);
      // Still full: forget rather than grow; the database answers for the forgotten keys.
      if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) return;
    }
    this.blockedUntil.set(key, until);
  }
}

function blocked(totalHits: number, leftMs: number): ThrottlerStorageRecord {
  return { totalHits, timeToExpire: seconds(leftMs), isBlocked: true, timeToBlockExpire: seconds(leftMs) };
}

/** Whole seconds, at least 1 (Retry-After, ERR-3). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
