import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import type { Connection } from 'mongoose';
import { CategoryStateRepository, CHANGE_LOG_LENGTH, idsSince, MAX_IDS_PER_ENTRY } from './category-state.repository';

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

  it('logs the ids of each epoch step and answers what changed since an epoch', async () => {
    expect(await repo.changesSince('logged', 0)).toEqual({ epoch: 0, changed: [] });
    await repo.bumpEpoch('logged', ['a']);
    await repo.bumpEpoch('logged', ['b', 'c', 'b']);
    await repo.bumpEpoch('logged', ['a']);
    expect(await repo.epoch('logged')).toBe(3);
    expect((await repo.changesSince('logged', 0)).changed?.sort()).toEqual(['a', 'b', 'c']);
    expect((await repo.changesSince('logged', 1)).changed?.sort()).toEqual(['a', 'b', 'c']);
    expect(await repo.changesSince('logged', 2)).toEqual({ epoch: 3, changed: ['a'] });
    expect(await repo.changesSince('logged', 3)).toEqual({ epoch: 3, changed: [] });
    // A reader ahead of the stored epoch (another database?) cannot catch up incrementally.
    expect(await repo.changesSince('logged', 4)).toEqual({ epoch: 3, changed: undefined });
    // Other tenants see nothing of it.
    expect(await repo.changesSince('loggedother', 0)).toEqual({ epoch: 0, changed: [] });
  });

  it('says "reload in full" when the log does not reach back, or a step changed everything', async () => {
    for (let i = 0; i < CHANGE_LOG_LENGTH + 2; i++) await repo.bumpEpoch('long', [`x${i}`]);
    const epoch = CHANGE_LOG_LENGTH + 2;
    expect(await repo.changesSince('long', 1)).toEqual({ epoch, changed: undefined });
    expect((await repo.changesSince('long', 2)).changed).toHaveLength(CHANGE_LOG_LENGTH);
    expect(await repo.changesSince('long', epoch - 1)).toEqual({ epoch, changed: [`x${CHANGE_LOG_LENGTH + 1}`] });
    await repo.bumpEpoch('long'); // no ids: everything
    await repo.bumpEpoch('long', ['y']);
    expect(await repo.changesSince('long', epoch)).toEqual({ epoch: epoch + 2, changed: undefined });
    expect(await repo.changesSince('long', epoch + 1)).toEqual({ epoch: epoch + 2, changed: ['y'] });
    await repo.bumpEpoch(
      'long',
      Array.from({ length: MAX_IDS_PER_ENTRY + 1 }, (_, i) => `z${i}`),
    );
    expect(await repo.changesSince('long', epoch + 2)).toEqual({ epoch: epoch + 3, changed: undefined });
  });

  it('answers the epoch with its newest entry in one lookup, and distrusts a step without its stamped entry', async () => {
    expect(await repo.epochAndLast('stamped')).toEqual({ epoch: 0, last: undefined, pathsPending: [] });
    await repo.bumpEpoch('stamped', ['a']);
    await repo.bumpEpoch('stamped', ['b']);
    expect(await repo.epochAndLast('stamped')).toEqual({ epoch: 2, last: { e: 2, ids: ['b'] }, pathsPending: [] });
    // A bump that logged nothing (an older writer during a rollout): the log has a gap at 3.
    await connection.collection('stamped_category_state').updateOne({ _id: 'tree-epoch' } as never, { $inc: { epoch: 1 } });
    await repo.bumpEpoch('stamped', ['c']);
    expect(await repo.changesSince('stamped', 2)).toEqual({ epoch: 4, changed: undefined });
    expect(await repo.changesSince('stamped', 3)).toEqual({ epoch: 4, changed: ['c'] });
    expect(await repo.changesSince('stamped', 1)).toEqual({ epoch: 4, changed: undefined });
  });

  it('marks and clears the categories whose assignment paths are being rewritten, per tenant, with the epoch lookup', async () => {
    await repo.markPathsPending('marks', 'a');
    await repo.markPathsPending('marks', 'b');
    await repo.markPathsPending('marks', 'a');
    expect(await repo.epochAndLast('marks')).toEqual({ epoch: 0, last: undefined, pathsPending: ['a', 'b'] });
    expect((await repo.epochAndLast('other')).pathsPending).toEqual([]);
    // The marks live beside the epoch, which keeps counting.
    await repo.bumpEpoch('marks', ['x']);
    await repo.clearPathsPending('marks', ['a', 'never-marked']);
    expect(await repo.epochAndLast('marks')).toEqual({ epoch: 1, last: { e: 1, ids: ['x'] }, pathsPending: ['b'] });
    await repo.clearPathsPending('other', ['b']);
    expect((await repo.epochAndLast('marks')).pathsPending).toEqual(['b']);
  });
});

describe('idsSince', () => {
  const log = [
    { e: 5, ids: ['a'] },
    { e: 6, ids: ['b', 'a'] },
    { e: 7, all: true as const },
    { e: 8, ids: ['c'] },
  ];
  it('unions an unbroken run of stamped entries after `since`', () => {
    expect(idsSince(log, 7, 8)).toEqual(['c']);
    expect(idsSince(log, 8, 8)).toEqual([]);
    expect(idsSince(log.slice(0, 2), 4, 6)).toEqual(['a', 'b']);
  });
  it('refuses what it cannot prove: too far back, an "everything" step, a missing or extra step, a reader ahead', () => {
    expect(idsSince(log, 3, 8)).toBeUndefined();
    expect(idsSince(log, 5, 8)).toBeUndefined();
    expect(
      idsSince(
        [
          { e: 5, ids: ['a'] },
          { e: 7, ids: ['b'] },
        ],
        4,
        7,
      ),
    ).toBeUndefined();
    expect(idsSince(log.slice(0, 2), 4, 7)).toBeUndefined();
    expect(idsSince(log, 9, 8)).toBeUndefined();
    expect(idsSince([{ ids: ['x'] }], 0, 1)).toBeUndefined();
  });
});
