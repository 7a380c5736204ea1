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
    const page = await repo.page('tone', {
      filter: { categoryId: { $in: ['C1', 'C2'] } },
      sort: { 'metadata.createdAt': 1, _id: 1 },
      skip: 0,
      limit: 1,
      withTotal: true,
    });
    expect(page.total).toBe(2);
    expect(page.items.map((a) => a._id)).toEqual(['a1']);
  });

  it('pages with the total of the count command, per tenant, and answers an empty page for a tenant without assignments', async () => {
    const sort = { 'metadata.createdAt': 1 as const, _id: 1 as const };
    const window = (filter: Record<string, unknown>, skip: number, limit: number, withTotal: boolean) => ({
      filter,
      sort,
      skip,
      limit,
      withTotal,
    });
    const page = await repo.pageCounted('tone', window({ categoryId: { $in: ['C1', 'C2'] }, 'ref.type': 'PRODUCT' }, 1, 1, true));
    expect(page.total).toBe(2);
    expect(page.items.map((a) => a._id)).toEqual(['a2']);
    expect(await repo.pageCounted('tone', window({ categoryId: 'C1', 'ref.type': 'PRODUCT' }, 0, 10, false))).toEqual({
      items: [expect.objectContaining({ _id: 'a1' })],
      total: undefined,
    });
    expect(await repo.pageCounted('nobody', window({ categoryId: 'C1', 'ref.type': 'PRODUCT' }, 0, 10, true))).toEqual({
      items: [],
      total: 0,
    });
    await expect(repo.pageCounted('tone', window({}, 0, 10, true))).rejects.toThrow('predicate');
  });

  it('reads of each record only what the projection leaves (the listing leaves out categoryPath)', async () => {
    await repo.insert('tproj', { ...rec('p1', 'C1', 'p1'), categoryPath: ['R', 'C1'] });
    const q = { filter: { categoryPath: 'R', 'ref.type': 'PRODUCT' }, sort: { _id: 1 as const }, skip: 0, limit: 10, withTotal: true };
    expect((await repo.pageCounted('tproj', q)).items[0].categoryPath).toEqual(['R', 'C1']);
    const lean = await repo.pageCounted('tproj', { ...q, projection: { categoryPath: 0 } });
    expect(lean.total).toBe(1);
    expect(lean.items[0]).toMatchObject({ _id: 'p1', categoryId: 'C1' });
    expect(lean.items[0]).not.toHaveProperty('categoryPath');
  });

  it('keeps and rewrites category paths: a move, a promotion, a repair, a backfill', async () => {
    const withPath = (id: string, categoryId: string, path?: string[]) => ({
      ...rec(id, categoryId, id),
      ...(path ? { categoryPath: path } : {}),
    });
    await repo.insert('paths', withPath('x1', 'X', ['R', 'A', 'X']));
    await repo.insert('paths', withPath('x2', 'Y', ['R', 'A', 'X', 'Y']));
    await repo.insert('paths', withPath('x3', 'B', ['R', 'B']));
    await repo.insert('paths', withPath('x4', 'Z'));
    const paths = async () => Object.fromEntries((await repo.find('paths', {})).map((a) => [a._id, a.categoryPath]));
    expect(await repo.hasPathless('paths')).toBe(true);
    expect(await repo.categoryIdsWithoutPath('paths')).toEqual(['Z']);
    // X moved under B: everything at or below X gets the new prefix, the rest is untouched.
    await repo.reparentPaths('paths', 'X', ['R', 'B']);
    expect(await paths()).toEqual({ x1: ['R', 'B', 'X'], x2: ['R', 'B', 'X', 'Y'], x3: ['R', 'B'], x4: undefined });
    // B deleted, its children promoted: R and B leave the paths below B.
    await repo.pullFromPaths('paths', 'B', ['R', 'B']);
    expect(await paths()).toMatchObject({ x1: ['X'], x2: ['X', 'Y'], x3: [] });
    await repo.setPaths(
      'paths',
      [
        { categoryId: 'Z', path: ['Q', 'Z'] },
        { categoryId: 'X', path: ['nope'] },
      ],
      true,
    );
    expect(await paths()).toMatchObject({ x1: ['X'], x4: ['Q', 'Z'] });
    expect(await repo.hasPathless('paths')).toBe(false);
    await repo.setPaths('paths', [{ categoryId: 'X', path: ['R', 'X'] }], false);
    await repo.setPathOf('paths', ['x2'], ['R', 'X', 'Y']);
    expect(await paths()).toMatchObject({ x1: ['R', 'X'], x2: ['R', 'X', 'Y'] });
    // Another tenant's assignments are never touched.
    await repo.insert('paths2', withPath('x1', 'X', ['R', 'A', 'X']));
    await repo.reparentPaths('paths', 'X', ['S']);
    expect((await repo.find('paths2', {}))[0].categoryPath).toEqual(['R', 'A', 'X']);
    expect(await repo.hasPathless('paths2')).toBe(false);
  });
});
