import type { WindowCount, WindowCounters } from '@suite/persistence';
import { MongoThrottlerStorage } from './mongo-throttler.storage';

/** Counts in memory like WindowCounters (its own spec runs against the database). */
class FakeCounters {
  readonly calls: string[] = [];
  private readonly counts = new Map<string, number>();
  async hit(key: string, windowMs: number, by = 1, now = Date.now()): Promise<WindowCount> {
    this.calls.push(key);
    const start = Math.floor(now / windowMs) * windowMs;
    const id = `${key}|${start}`;
    const count = (this.counts.get(id) ?? 0) + by;
    this.counts.set(id, count);
    return { count, endsAt: start + windowMs };
  }
}

describe('MongoThrottlerStorage (the ThrottlerStorage of the tenant rate limit)', () => {
  it('admits the limit per window, then blocks until the window ends', async () => {
    const counters = new FakeCounters();
    const storage = new MongoThrottlerStorage(counters as unknown as WindowCounters);
    const records = [];
    for (let i = 0; i < 3; i++) records.push(await storage.increment('tenant:acme', 3_600_000, 2));
    expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    const left = 3_600_000 - (Date.now() % 3_600_000);
    expect(records[2].timeToBlockExpire).toBeGreaterThanOrEqual(Math.floor(left / 1000));
    expect(records[2].timeToBlockExpire).toBeLessThanOrEqual(Math.ceil(left / 1000) + 1);
    expect((await storage.increment('tenant:other', 3_600_000, 2)).isBlocked).toBe(false);
  });

  it('answers a blocked key from memory for the rest of its window, without a database write', async () => {
    const counters = new FakeCounters();
    const storage = new MongoThrottlerStorage(counters as unknown as WindowCounters);
    await storage.increment('tenant:acme', 3_600_000, 1);
    await storage.increment('tenant:acme', 3_600_000, 1);
    expect(counters.calls).toHaveLength(2);
    for (let i = 0; i < 5; i++) expect((await storage.increment('tenant:acme', 3_600_000, 1)).isBlocked).toBe(true);
    expect(counters.calls).toHaveLength(2);
  });
});
