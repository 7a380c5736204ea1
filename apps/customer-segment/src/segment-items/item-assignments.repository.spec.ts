import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase } from '@suite/testing';
import { Connection } from 'mongoose';
import { ItemAssignmentsRepository } from './item-assignments.repository';

describe('ItemAssignmentsRepository (embedded server)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let repo: ItemAssignmentsRepository;
  const now = new Date('2024-01-01T00:00:00.000Z');

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: 'itemrepo' });
    repo = new ItemAssignmentsRepository(new TenantModelRegistry(connection));
  });
  afterAll(async () => {
    await connection.close();
    await db.stop();
  });

  it('upserts with enrichment and removes it when a later snapshot has none', async () => {
    const key = { segmentId: 's1', type: 'CATEGORY' as const, itemId: 'cat-1' };
    const created = await repo.upsert('ita', key, { enrichment: { code: 'C1', name: { en: 'Cat' } } }, now);
    expect(created).toEqual({
      created: true,
      value: {
        segmentId: 's1',
        type: 'CATEGORY',
        item: { id: 'cat-1', code: 'C1', name: { en: 'Cat' } },
        metadata: { version: 1, createdAt: now, modifiedAt: now },
      },
    });
    const updated = await repo.upsert('ita', key, {}, now);
    expect(updated.value.item).toEqual({ id: 'cat-1' });
    expect(updated.value.metadata.version).toBe(2);
  });

  it('lists item ids of a type across segments, optionally restricted to given ids', async () => {
    await repo.insert('ita', { segmentId: 's2', type: 'PRODUCT', itemId: 'p-1' }, {}, now);
    await repo.insert('ita', { segmentId: 's3', type: 'PRODUCT', itemId: 'p-1' }, {}, now);
    await repo.insert('ita', { segmentId: 's3', type: 'PRODUCT', itemId: 'p-2' }, {}, now);
    expect((await repo.itemIds('ita', ['s2', 's3'], 'PRODUCT')).sort()).toEqual(['p-1', 'p-2']);
    expect(await repo.itemIds('ita', ['s2', 's3'], 'PRODUCT', ['p-2', 'p-9'])).toEqual(['p-2']);
    expect(await repo.itemIds('ita', ['s1'], 'PRODUCT')).toEqual([]);
    expect(await repo.itemIds('ita', [], 'PRODUCT')).toEqual([]);
  });

  it('never reaches another tenant', async () => {
    expect(await repo.findOne('itb', { segmentId: 's1', type: 'CATEGORY', itemId: 'cat-1' })).toBeNull();
    expect(await repo.itemIds('itb', ['s2', 's3'], 'PRODUCT')).toEqual([]);
    expect((await repo.page('itb', { filter: {}, sort: [['_id', 1]], skip: 0, limit: 10, withTotal: true, maxTimeMS: 1000 })).total).toBe(
      0,
    );
    expect(await repo.delete('itb', { segmentId: 's2', type: 'PRODUCT', itemId: 'p-1' })).toBeNull();
    expect(await repo.findOne('ita', { segmentId: 's2', type: 'PRODUCT', itemId: 'p-1' })).not.toBeNull();
  });
});
