import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase } from '@suite/testing';
import { Connection } from 'mongoose';
import { CustomerAssignmentsRepository, customerCountKey } from './customer-assignments.repository';

describe('CustomerAssignmentsRepository (embedded server)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let repo: CustomerAssignmentsRepository;
  const now = new Date('2024-01-01T00:00:00.000Z');

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: 'custrepo' });
    repo = new CustomerAssignmentsRepository(new TenantModelRegistry(connection));
  });
  afterAll(async () => {
    await connection.close();
    await db.stop();
  });

  it('upserts in one command: version 1 and MANUAL on create, +1 and full mixin replace on update', async () => {
    const key = { segmentId: 's1', customerId: 'c1', legalEntityId: null };
    const created = await repo.upsert('cua', key, { mixins: { m: { a: 1 } } }, now);
    expect(created).toEqual({
      created: true,
      value: { ...key, assignmentType: 'MANUAL', mixins: { m: { a: 1 } }, metadata: { version: 1, createdAt: now, modifiedAt: now } },
    });
    const later = new Date('2024-02-01T00:00:00.000Z');
    const updated = await repo.upsert('cua', key, {}, later);
    expect(updated).toEqual({
      created: false,
      value: { ...key, assignmentType: 'MANUAL', metadata: { version: 2, createdAt: now, modifiedAt: later } },
    });
  });

  it('keeps B2C and B2B records apart and guards updates by version', async () => {
    const b2b = { segmentId: 's1', customerId: 'c1', legalEntityId: 'le1' };
    expect(await repo.updateExisting('cua', b2b, {}, now)).toBeNull();
    await repo.insert('cua', b2b, {}, now);
    await expect(repo.insert('cua', b2b, {}, now)).rejects.toMatchObject({ errorCode: 'duplicate_resource' });
    expect(await repo.updateExisting('cua', b2b, {}, now, 7)).toBeNull();
    expect((await repo.updateExisting('cua', b2b, {}, now, 1))?.metadata.version).toBe(2);
    expect((await repo.findOne('cua', { segmentId: 's1', customerId: 'c1', legalEntityId: null }))?.metadata.version).toBe(2);
    expect(await repo.keysOfCustomer('cua', 'c1')).toEqual(
      expect.arrayContaining([
        { segmentId: 's1', legalEntityId: null },
        { segmentId: 's1', legalEntityId: 'le1' },
      ]),
    );
  });

  it('counts memberships per customer and legal entity in one aggregation', async () => {
    await repo.upsert('cua', { segmentId: 's2', customerId: 'c1', legalEntityId: null }, {}, now);
    const counts = await repo.countsByCustomer('cua', ['c1', 'c1', 'nobody']);
    expect(counts.get(customerCountKey('c1', null))).toBe(2);
    expect(counts.get(customerCountKey('c1', 'le1'))).toBe(1);
    expect(counts.get(customerCountKey('nobody', null))).toBeUndefined();
  });

  it('never reaches another tenant', async () => {
    const key = { segmentId: 's1', customerId: 'c1', legalEntityId: null };
    expect(await repo.findOne('cub', key)).toBeNull();
    expect(await repo.keysOfCustomer('cub', 'c1')).toEqual([]);
    expect((await repo.countsByCustomer('cub', ['c1'])).size).toBe(0);
    expect(await repo.delete('cub', key)).toBeNull();
    expect(await repo.anyInSegment('cub', 's1')).toBe(false);
    expect(await repo.deleteBatchOfSegment('cub', 's1')).toEqual([]);
    expect(await repo.findOne('cua', key)).not.toBeNull();
  });

  it('deletes a segment’s assignments in batches and returns what it deleted', async () => {
    const deleted = await repo.deleteBatchOfSegment('cua', 's1', 1);
    expect(deleted).toHaveLength(1);
    expect((await repo.deleteBatchOfSegment('cua', 's1')).length).toBe(1);
    expect(await repo.anyInSegment('cua', 's1')).toBe(false);
    expect(await repo.anyInSegment('cua', 's2')).toBe(true);
  });
});
