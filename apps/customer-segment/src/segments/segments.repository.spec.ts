import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase } from '@suite/testing';
import { Connection } from 'mongoose';
import { SegmentsRepository } from './segments.repository';
import { SegmentState } from './segment.types';

const state = (over: Partial<SegmentState> = {}): SegmentState => ({ name: { en: 'n' }, status: 'ACTIVE', siteCode: 'main', ...over });

describe('SegmentsRepository (embedded server)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let registry: TenantModelRegistry;
  let repo: SegmentsRepository;

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: 'segrepo' });
    registry = new TenantModelRegistry(connection);
    repo = new SegmentsRepository(registry);
  });
  afterAll(async () => {
    await connection.close();
    await db.stop();
  });

  it('inserts, reads back plain data without Mongo internals, and refuses a taken id', async () => {
    const now = new Date('2024-05-14T12:00:00.000Z');
    await repo.insert(
      'repoa',
      's1',
      state({
        description: { en: 'd' },
        validity: { from: now },
        mixins: { m: { a: 1 } },
        metadataMixins: { m: 'https://x.example/m.json' },
      }),
      now,
    );
    const got = await repo.findById('repoa', 's1');
    expect(got).toEqual({
      id: 's1',
      name: { en: 'n' },
      description: { en: 'd' },
      validity: { from: now },
      status: 'ACTIVE',
      siteCode: 'main',
      mixins: { m: { a: 1 } },
      metadata: { version: 1, createdAt: now, modifiedAt: now, mixins: { m: 'https://x.example/m.json' } },
    });
    await expect(repo.insert('repoa', 's1', state(), now)).rejects.toMatchObject({ errorCode: 'duplicate_resource', resourceId: 's1' });
  });

  it('keeps tenants apart: same id in two tenants, reads and deletes never cross', async () => {
    await repo.insert('repob', 's1', state({ siteCode: 'other' }), new Date());
    expect((await repo.findById('repoa', 's1'))?.siteCode).toBe('main');
    expect((await repo.findById('repob', 's1'))?.siteCode).toBe('other');
    expect(await repo.findById('repoc', 's1')).toBeNull();
    expect(await repo.delete('repoc', 's1')).toBeNull();
    expect(await repo.count('repob')).toBe(1);
    expect(await repo.findIds('repob', { siteCode: 'main' })).toEqual([]);
    // Reads never create collections (TEN-6).
    expect(await registry.tenantCollections('repoc')).toEqual([]);
  });

  it('replaces guarded by version: a matching version writes and returns the previous state; a stale one misses', async () => {
    const before = await repo.replace('repoa', 's1', 1, state({ status: 'INACTIVE' }), new Date());
    expect(before?.status).toBe('ACTIVE');
    const after = await repo.findById('repoa', 's1');
    expect(after).toMatchObject({ status: 'INACTIVE', metadata: { version: 2 } });
    // Full replace: optional fields left out are removed.
    expect(after?.description).toBeUndefined();
    expect(after?.mixins).toBeUndefined();
    expect(after?.metadata.mixins).toBeUndefined();
    expect(await repo.replace('repoa', 's1', 1, state(), new Date())).toBeNull();
    expect(await repo.versionOf('repoa', 's1')).toBe(2);
    expect(await repo.replace('repoa', 'ghost', undefined, state(), new Date())).toBeNull();
    expect(await repo.versionOf('repoa', 'ghost')).toBeNull();
  });

  it('pages with filter, sort and total', async () => {
    for (const id of ['p-b', 'p-a', 'p-c']) await repo.insert('repod', id, state(), new Date());
    const page = await repo.page('repod', {
      filter: { _id: { $in: ['p-a', 'p-c', 'zz'] } },
      sort: [['_id', -1]],
      skip: 0,
      limit: 1,
      withTotal: true,
      maxTimeMS: 5000,
    });
    expect(page).toEqual({ items: [expect.objectContaining({ id: 'p-c' })], total: 2 });
  });
});
