import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import type { Connection } from 'mongoose';
import { CategoriesRepository, CategoryUniqueViolation } from './categories.repository';
import type { CategoryRecord } from './category.types';

function rec(id: string, over: Partial<CategoryRecord> = {}): CategoryRecord {
  const now = new Date();
  return {
    _id: id,
    type: 'STANDARD',
    ancestorIds: [],
    depth: 0,
    localizedName: { en: id },
    position: 0,
    published: true,
    mixins: {},
    metadata: { version: 1, createdAt: now, modifiedAt: now },
    ...over,
  };
}

describe('CategoriesRepository (embedded server)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let repo: CategoriesRepository;
  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('catrepo') });
    repo = new CategoriesRepository(new TenantModelRegistry(connection));
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('keeps tenants apart: same id, same code and ECN in two tenants; reads never see the other', async () => {
    await repo.insert('alpha', rec('X', { code: 'C', codeLower: 'c', ecn: ['E'] }));
    await repo.insert('beta', rec('X', { code: 'C', codeLower: 'c', ecn: ['E'], localizedName: { en: 'beta' } }));
    expect((await repo.findById('alpha', 'X'))?.localizedName).toEqual({ en: 'X' });
    expect((await repo.findById('beta', 'X'))?.localizedName).toEqual({ en: 'beta' });
    expect(await repo.findById('gamma', 'X')).toBeNull();
    await repo.deleteByIds('beta', ['X']);
    expect(await repo.findById('alpha', 'X')).not.toBeNull();
  });

  it('reports which unique rule a write broke: id, code (case-insensitive) or ECN', async () => {
    await repo.insert('uniq', rec('A', { code: 'Code', codeLower: 'code', ecn: ['E1', 'E2'] }));
    await repo.insert('uniq', rec('B'));
    await repo.insert('uniq', rec('C'));
    const rule = async (p: Promise<unknown>) => ((await p.catch((e) => e)) as CategoryUniqueViolation).rule;
    expect(await rule(repo.insert('uniq', rec('A')))).toBe('id');
    expect(await rule(repo.insert('uniq', rec('D', { code: 'CODE', codeLower: 'code' })))).toBe('code');
    expect(await rule(repo.insert('uniq', rec('D', { ecn: ['E2'] })))).toBe('ecn');
    expect(await rule(repo.update('uniq', 'B', undefined, { ecn: ['E1'] }, []))).toBe('ecn');
  });

  it('compare-and-sets on the version and returns null on a miss', async () => {
    await repo.insert('cas', rec('V'));
    expect((await repo.update('cas', 'V', 1, { position: 3 }, []))?.metadata.version).toBe(2);
    expect(await repo.update('cas', 'V', 1, { position: 4 }, [])).toBeNull();
    expect((await repo.update('cas', 'V', undefined, { position: 5 }, ['code']))?.position).toBe(5);
  });

  it('finds subtrees by materialised ancestry, rewrites it in one batch and promotes children', async () => {
    await repo.insert('tree', rec('R'));
    await repo.insert('tree', rec('C1', { parentId: 'R', ancestorIds: ['R'], depth: 1, position: 2 }));
    await repo.insert('tree', rec('C2', { parentId: 'R', ancestorIds: ['R'], depth: 1, position: 1 }));
    await repo.insert('tree', rec('G', { parentId: 'C1', ancestorIds: ['R', 'C1'], depth: 2 }));
    expect((await repo.findDescendants('tree', 'R')).map((r) => r._id).sort()).toEqual(['C1', 'C2', 'G']);
    expect((await repo.findDescendants('tree', 'R', 1)).map((r) => r._id).sort()).toEqual(['C1', 'C2']);
    expect((await repo.findChildren('tree', ['R'])).map((r) => r._id)).toEqual(['C2', 'C1']);
    expect(await repo.findDescendants('other', 'R')).toEqual([]);
    await repo.setAncestry('tree', [{ id: 'G', ancestorIds: ['X', 'Y', 'Z'] }]);
    expect(await repo.findById('tree', 'G')).toMatchObject({ ancestorIds: ['X', 'Y', 'Z'], depth: 3 });
    await repo.setAncestry('tree', [{ id: 'G', ancestorIds: ['R', 'C1'] }]);
    await repo.pullAncestors('tree', 'C1', ['R', 'C1']);
    await repo.promoteChildren('tree', 'C1', new Date());
    expect(await repo.findById('tree', 'G')).toMatchObject({ ancestorIds: [], depth: 0, metadata: { version: 2 } });
    expect((await repo.findById('tree', 'G'))?.parentId).toBeUndefined();
    expect(await repo.hasChildren('tree', 'C1')).toBe(false);
    expect(await repo.hasChildren('tree', 'R')).toBe(true);
  });

  it('pages with a total and never creates a collection on reads', async () => {
    expect(await repo.page('nobody', { filter: {}, sort: { _id: 1 }, skip: 0, limit: 10, withTotal: true })).toEqual({
      items: [],
      total: 0,
    });
    expect(await repo.findAll('nobody')).toEqual([]);
    const names = (await connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('nobody_'))).toEqual([]);
  });
});
