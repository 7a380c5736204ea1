import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Connection } from 'mongoose';
import { openConnection } from './persistence.module';
import { WindowCounters } from './window-counters';

describe('WindowCounters against the embedded server', () => {
  let db: TestDatabase;
  let connection: Connection;
  let counters: WindowCounters;
  const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('counters') });
    counters = new WindowCounters(connection, 'testcounters');
    await counters.ensureIndexes();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('counts per key and fixed window; a new window starts from zero', async () => {
    expect(await counters.hit('a', 60_000, 1, T0 + 1000)).toMatchObject({ count: 1, endsAt: T0 + 60_000 });
    expect(await counters.hit('a', 60_000, 2, T0 + 59_999)).toMatchObject({ count: 3, endsAt: T0 + 60_000 });
    expect(await counters.hit('b', 60_000, 1, T0 + 2000)).toMatchObject({ count: 1 });
    expect(await counters.hit('a', 60_000, 1, T0 + 60_000)).toMatchObject({ count: 1, endsAt: T0 + 120_000 });
    // Another window length is another counter.
    expect(await counters.hit('a', 30_000, 1, T0 + 1000)).toMatchObject({ count: 1, endsAt: T0 + 30_000 });
  });

  it('gives concurrent hits distinct counts: nothing is lost or counted twice', async () => {
    const hits = await Promise.all(Array.from({ length: 50 }, () => counters.hit('busy', 60_000, 1, T0)));
    expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('reads the counts of several keys in their current windows without counting', async () => {
    await counters.hit('peek-a', 60_000, 4, T0);
    await counters.hit('peek-b', 30_000, 2, T0 + 31_000);
    const read = () =>
      counters.peek(
        [
          { key: 'peek-a', windowMs: 60_000 },
          { key: 'peek-b', windowMs: 30_000 },
          { key: 'peek-none', windowMs: 60_000 },
        ],
        T0 + 40_000,
      );
    expect(await read()).toEqual([
      { count: 4, endsAt: T0 + 60_000 },
      { count: 2, endsAt: T0 + 60_000 },
      { count: 0, endsAt: T0 + 60_000 },
    ]);
    expect(await read()).toEqual(await read());
    expect(await counters.peek([{ key: 'peek-a', windowMs: 60_000 }], T0 + 60_000)).toEqual([{ count: 0, endsAt: T0 + 120_000 }]);
  });

  it('stores the end of each window for the TTL index, which removes counters after it', async () => {
    await counters.hit('ttl', 60_000, 1, T0);
    const doc = await connection.collection('testcounters').findOne({ _id: `ttl|60000|${T0}` as never });
    expect(doc).toMatchObject({ count: 1, expiresAt: new Date(T0 + 60_000) });
    const indexes = await connection.collection('testcounters').indexes();
    expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 })]));
  });

  it('refuses a collection name that could be a tenant collection', () => {
    expect(() => new WindowCounters(connection, 'acme_counters')).toThrow(/not a shared collection name/);
  });
});
