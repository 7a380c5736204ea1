import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import type { Connection } from 'mongoose';
import { CategoryStateRepository } from './category-state.repository';

describe('CategoryStateRepository: hierarchy lock and tree epoch (embedded server)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let repo: CategoryStateRepository;
  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('catstate') });
    repo = new CategoryStateRepository(new TenantModelRegistry(connection));
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('grants the lock to exactly one of many concurrent takers', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => `o${i}`);
    const got = await Promise.all(owners.map((o) => repo.tryAcquire('race', o, 10_000)));
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it('releases by owner only, and lets a lapsed lock be taken over', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    expect(await repo.tryAcquire('lapse', 'a', 1000, t0)).toBe(true);
    expect(await repo.tryAcquire('lapse', 'b', 1000, new Date(t0.getTime() + 500))).toBe(false);
    await repo.release('lapse', 'b'); // not the holder: no effect
    expect(await repo.tryAcquire('lapse', 'b', 1000, new Date(t0.getTime() + 600))).toBe(false);
    // a's lease lapses; b takes over; a can neither renew nor release b's lock.
    expect(await repo.tryAcquire('lapse', 'b', 1000, new Date(t0.getTime() + 1500))).toBe(true);
    expect(await repo.renew('lapse', 'a', 1000, new Date(t0.getTime() + 1600))).toBe(false);
    await repo.release('lapse', 'a');
    expect(await repo.tryAcquire('lapse', 'c', 1000, new Date(t0.getTime() + 1700))).toBe(false);
    await repo.release('lapse', 'b');
    expect(await repo.tryAcquire('lapse', 'c', 1000, new Date(t0.getTime() + 1800))).toBe(true);
  });

  it('keeps locks and epochs per tenant', async () => {
    expect(await repo.tryAcquire('alpha', 'x', 10_000)).toBe(true);
    expect(await repo.tryAcquire('beta', 'y', 10_000)).toBe(true);
    expect(await repo.epoch('alpha')).toBe(0);
    await repo.bumpEpoch('alpha');
    await repo.bumpEpoch('alpha');
    expect(await repo.epoch('alpha')).toBe(2);
    expect(await repo.epoch('beta')).toBe(0);
    expect(await repo.epoch('never')).toBe(0);
  });
});
