import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import type { Connection } from 'mongoose';
import { AssignmentExists, AssignmentsRepository } from './assignments.repository';
import type { AssignmentRecord } from './assignment.types';

function rec(id: string, categoryId: string, refId: string): AssignmentRecord {
  const now = new Date();
  return {
    _id: id,
    categoryId,
    ref: { id: refId, type: 'PRODUCT', localizedName: {} },
    published: true,
    metadata: { version: 1, createdAt: now, modifiedAt: now },
  };
}

describe('AssignmentsRepository (embedded server)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let repo: AssignmentsRepository;
  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('asgrepo') });
    repo = new AssignmentsRepository(new TenantModelRegistry(connection));
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('allows one assignment per reference per category, the same reference in many categories', async () => {
    await repo.insert('tone', rec('a1', 'C1', 'p'));
    await repo.insert('tone', rec('a2', 'C2', 'p'));
    await expect(repo.insert('tone', rec('a3', 'C1', 'p'))).rejects.toBeInstanceOf(AssignmentExists);
    expect((await repo.categoryIdsOfRef('tone', 'p')).sort()).toEqual(['C1', 'C2']);
  });

  it('keeps tenants apart', async () => {
    await repo.insert('ttwo', rec('a1', 'C1', 'p'));
    expect(await repo.categoryIdsOfRef('ttwo', 'p')).toEqual(['C1']);
    expect(await repo.deleteMany('ttwo', { 'ref.id': 'p' })).toBe(1);
    expect((await repo.categoryIdsOfRef('tone', 'p')).sort()).toEqual(['C1', 'C2']);
    expect(await repo.findByRef('tthree', 'C1', 'p')).toBeNull();
  });

  it('touches an existing assignment (version + 1) and pages by category in creation order', async () => {
    const touched = await repo.touch('tone', 'a1', new Date(), { published: false });
    expect(touched).toMatchObject({ published: false, metadata: { version: 2 } });
    expect(await repo.touch('tone', 'missing', new Date(), {})).toBeNull();
    const page = await repo.page('tone', { categoryId: { $in: ['C1', 'C2'] } }, { 'metadata.createdAt': 1, _id: 1 }, 0, 1, true);
    expect(page.total).toBe(2);
    expect(page.items.map((a) => a._id)).toEqual(['a1']);
  });
});
