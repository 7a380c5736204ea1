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
  counted(key: string, windowMs: number, now: number): number {
    return this.counts.get(`${key}|${Math.floor(now / windowMs) * windowMs}`) ?? 0;
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

  describe('limits of 200 and more: admitted from blocks reserved in the shared count', () => {
    afterEach(() => jest.restoreAllMocks());

    async function admittedOf(storages: MongoThrottlerStorage[], hits: number, limit: number): Promise<number> {
      const answers = await Promise.all(
        Array.from({ length: hits }, (_, i) => storages[i % storages.length].increment('tenant:busy', 3_600_000, limit)),
      );
      return answers.filter((a) => !a.isBlocked).length;
    }

    it('admits at most the limit over two instances, refuses a block each early at most, writes far less than per hit', async () => {
      const counters = new FakeCounters();
      const storages = [0, 1].map(() => new MongoThrottlerStorage(counters as unknown as WindowCounters));
      let admitted = 0;
      // Waves of concurrent hits, as under load.
      for (let wave = 0; wave < 30; wave++) admitted += await admittedOf(storages, 500, 10_000);
      expect(admitted).toBeLessThanOrEqual(10_000);
      expect(admitted).toBeGreaterThanOrEqual(10_000 - 2 * 100);
      expect(counters.calls.length).toBeLessThan(15_000 / 20);
    });

    it('counts a quiet key hit by hit: a block follows the rate, starting at 1', async () => {
      const counters = new FakeCounters();
      const storage = new MongoThrottlerStorage(counters as unknown as WindowCounters);
      let now = 1_000_000;
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      for (let i = 0; i < 5; i++) {
        expect((await storage.increment('tenant:quiet', 3_600_000, 100_000)).isBlocked).toBe(false);
        now += 150;
      }
      expect(counters.calls).toHaveLength(5);
      expect(counters.counted('tenant:quiet', 3_600_000, now)).toBe(5);
    });

    it('counts limits under 200 exactly, hit by hit, under concurrency', async () => {
      const counters = new FakeCounters();
      const storages = [0, 1].map(() => new MongoThrottlerStorage(counters as unknown as WindowCounters));
      expect(await admittedOf(storages, 400, 150)).toBe(150);
    });

    it('does not carry a block into the next window: the new window counts from its own first hit', async () => {
      const counters = new FakeCounters();
      const storage = new MongoThrottlerStorage(counters as unknown as WindowCounters);
      let now = 3_600_000 * 10 + 1_000;
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      await admittedOf([storage], 300, 10_000);
      const first = counters.counted('tenant:busy', 3_600_000, now);
      expect(first).toBeGreaterThanOrEqual(300);
      now += 3_600_000;
      expect((await storage.increment('tenant:busy', 3_600_000, 10_000)).isBlocked).toBe(false);
      expect(counters.counted('tenant:busy', 3_600_000, now)).toBeLessThanOrEqual(first);
      expect(counters.counted('tenant:busy', 3_600_000, now)).toBeGreaterThan(0);
    });

    it('once the shared count reached the limit, admits what it reserved, then refuses from memory until the window ends', async () => {
      const counters = new FakeCounters();
      const other = new MongoThrottlerStorage(counters as unknown as WindowCounters);
      const storage = new MongoThrottlerStorage(counters as unknown as WindowCounters);
      // Another instance took all but 5 of the window.
      await counters.hit('tenant:busy', 3_600_000, 995);
      expect(await admittedOf([storage], 50, 1_000)).toBe(5);
      const writes = counters.calls.length;
      expect(await admittedOf([storage, other], 20, 1_000)).toBe(0);
      expect(counters.calls.length).toBeLessThanOrEqual(writes + 1);
    });
  });
});
