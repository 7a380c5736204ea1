import { Client, expectCategoryError, Harness, startHarness } from './support';

/**
 * A tree of 5 levels with mixed positions, built, reordered, re-parented (a rejected cycle, two
 * concurrent moves that would together form a cycle), published and unpublished, deleted both
 * ways, checking what every read endpoint shows at each step.
 */
describe('category hierarchy over HTTP', () => {
  let h: Harness;
  let c: Client;
  let anon: Client;
  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, 'hier');
    anon = await Client.as(h.url, 'hier', [], { principalType: 'anonymous', sid: 'visit-1' } as never);
  });
  afterAll(() => h.close());

  const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);
  const tree = (node: any): any => [node.id, node.subcategories.map(tree)];
  const unpub = '?showUnpublished=true';

  async function build() {
    // root R: children B(pos 2), A(pos 1), C(pos 1, created later) → order A, C, B
    await c.category({ id: 'R', position: 0 });
    await c.category({ id: 'B', parentId: 'R', position: 2 });
    await c.category({ id: 'A', parentId: 'R', position: 1 });
    await c.category({ id: 'C', parentId: 'R', position: 1 });
    await c.category({ id: 'A1', parentId: 'A', position: 5 });
    await c.category({ id: 'A2', parentId: 'A', position: 0 });
    await c.category({ id: 'A11', parentId: 'A1' });
    await c.category({ id: 'A111', parentId: 'A11' });
    await c.category({ id: 'S', position: 3 });
  }

  it('builds a 5-level tree and shows it in sibling order everywhere', async () => {
    await build();
    expect(tree((await c.get('/category-trees/R')).body)).toEqual([
      'R',
      [
        [
          'A',
          [
            ['A2', []],
            ['A1', [['A11', [['A111', []]]]]],
          ],
        ],
        ['C', []],
        ['B', []],
      ],
    ]);
    expect(ids((await c.get('/category-trees')).body)).toEqual(['R', 'S']);
    expect(ids((await c.get('/categories/R/subcategories')).body)).toEqual(['A', 'C', 'B', 'A2', 'A1', 'A11', 'A111']);
    expect(ids((await c.get('/categories/R/subcategories?depth=1')).body)).toEqual(['A', 'C', 'B']);
    expect(ids((await c.get('/categories/R/subcategories?depth=2')).body)).toEqual(['A', 'C', 'B', 'A2', 'A1']);
    expect(ids((await c.get('/categories/A111/parents')).body)).toEqual(['R', 'A', 'A1', 'A11']);
    expect((await c.get('/categories/R/parents')).body).toEqual([]);
    expect((await c.get('/categories/A111/subcategories')).body).toEqual([]);
    const paged = await c.get('/categories/R/subcategories?pageSize=2&pageNumber=2', { 'X-Total-Count': 'TRUE' });
    expect(ids(paged.body)).toEqual(['B', 'A2']);
    expect(paged.headers.get('x-total-count')).toBe('7');
    const sorted = await c.get('/categories/R/subcategories?sort=id:desc&pageSize=3');
    expect(ids(sorted.body)).toEqual(['C', 'B', 'A2']);
    expectCategoryError(await c.get('/categories/R/subcategories?depth=0'), 400, 'validation_failed');
    expect(ids((await c.post('/category-trees/search', { categoryIds: ['A111'] })).body)).toEqual(['R']);
    expect(ids((await c.post('/category-trees/search', { categoryIds: ['S', 'nope'] })).body)).toEqual(['S']);
    expect((await c.post('/category-trees/search', { categoryIds: [] })).body).toEqual([]);
    // Op 22 answers the same trees as op 21 (both from the snapshot's cached JSON), in root order.
    const both = await c.post('/category-trees/search', { categoryIds: ['S', 'A11', 'A111'] });
    expect(both.headers.get('content-type')).toMatch(/^application\/json/);
    expect(both.body).toEqual((await c.get('/category-trees')).body);
    expect((await c.post('/category-trees/search', { categoryIds: ['A11'] })).body).toEqual([(await c.get('/category-trees/R')).body]);
    expect(ids((await c.get('/category-trees?categoryIds=A2, S ,')).body)).toEqual(['R', 'S']);
    const legacy = (await c.get('/categories/categoryTree')).body;
    expect(legacy).toEqual(expect.objectContaining({ id: 'R', name: 'R', media: [] }));
    expect(legacy.subcategories.map((n: any) => n.id)).toEqual(['A', 'C', 'B']);
  });

  it('reorders siblings by position', async () => {
    const b = (await c.get('/categories/B')).body;
    expect((await c.patch('/categories/B', { position: 0, metadata: { version: b.metadata.version } })).status).toBe(204);
    expect(ids((await c.get('/categories/R/subcategories?depth=1')).body)).toEqual(['B', 'A', 'C']);
    expect(tree((await c.get('/category-trees/R')).body)[1].map((n: any) => n[0])).toEqual(['B', 'A', 'C']);
  });

  it('re-parents a subtree and moves its whole ancestry with it', async () => {
    const a1 = (await c.get('/categories/A1')).body;
    expect((await c.patch('/categories/A1', { parentId: 'C', metadata: { version: a1.metadata.version } })).status).toBe(204);
    expect(ids((await c.get('/categories/A111/parents')).body)).toEqual(['R', 'C', 'A1', 'A11']);
    expect(ids((await c.get('/categories/C/subcategories')).body)).toEqual(['A1', 'A11', 'A111']);
    expect(ids((await c.get('/categories/A/subcategories')).body)).toEqual(['A2']);
    const moved = (await c.get('/categories/A1')).body;
    expect(moved.parentId).toBe('C');
    expect(moved.metadata.version).toBe(a1.metadata.version + 1);
    // A move to another tree, then back with PUT (a PUT without parentId would make it a root).
    const put = await c.put('/categories/A11', { localizedName: { en: 'A11' }, published: true, parentId: 'S' });
    expect(put.status).toBe(204);
    expect(ids((await c.get('/categories/A111/parents')).body)).toEqual(['S', 'A11']);
    expect(ids((await c.get('/category-trees?categoryIds=A111')).body)).toEqual(['S']);
    expect((await c.put('/categories/A11', { localizedName: { en: 'A11' }, published: true, parentId: 'A1' })).status).toBe(204);
    expect(ids((await c.get('/categories/A111/parents')).body)).toEqual(['R', 'C', 'A1', 'A11']);
  });

  it('rejects a move under itself or a descendant, and a missing parent', async () => {
    const a1 = (await c.get('/categories/A1')).body;
    const self = await c.patch('/categories/A1', { parentId: 'A1', metadata: { version: a1.metadata.version } });
    expectCategoryError(self, 400, 'business_rule_violation');
    expect(self.body.details).toEqual(['Category cannot be moved under itself or one of its descendants']);
    expectCategoryError(
      await c.patch('/categories/A1', { parentId: 'A111', metadata: { version: a1.metadata.version } }),
      400,
      'business_rule_violation',
    );
    expectCategoryError(
      await c.put('/categories/C', { localizedName: { en: 'C' }, published: true, parentId: 'A11' }),
      400,
      'business_rule_violation',
    );
    const missing = await c.patch('/categories/A1', { parentId: 'ghost', metadata: { version: a1.metadata.version } });
    expectCategoryError(missing, 400, 'validation_failed');
    expect(missing.body.details).toEqual(["Parent category with id 'ghost' not found"]);
    expect((await c.get('/categories/A1')).body.metadata.version).toBe(a1.metadata.version);
  });

  it('lets exactly one of two concurrent moves that together would form a cycle succeed (repeated)', async () => {
    for (let round = 0; round < 5; round++) {
      const x = `X${round}`;
      const y = `Y${round}`;
      await c.category({ id: x });
      await c.category({ id: y });
      const [rx, ry] = await Promise.all([
        c.patch(`/categories/${x}`, { parentId: y, metadata: { version: 1 } }),
        c.patch(`/categories/${y}`, { parentId: x, metadata: { version: 1 } }),
      ]);
      expect([rx.status, ry.status].sort()).toEqual([204, 400]);
      const loser = rx.status === 400 ? rx : ry;
      expect(loser.body.details).toEqual(['Category cannot be moved under itself or one of its descendants']);
      const roots = ids((await c.get(`/category-trees?categoryIds=${x},${y}`)).body);
      expect(roots).toHaveLength(1);
      const only = (await c.get(`/category-trees/${roots[0]}`)).body;
      expect(tree(only)).toEqual([roots[0], [[roots[0] === x ? y : x, []]]]);
    }
  });

  it('never lets a PUT without version undo a concurrent move in parentId only (META-5.4, repeated)', async () => {
    await c.category({ id: 'PA' });
    await c.category({ id: 'PB' });
    await c.category({ id: 'PX', parentId: 'PA' });
    await c.category({ id: 'PX1', parentId: 'PX' });
    // The PUT starts a little after the move, at varying offsets, so that some rounds read before
    // the move writes and write after it: the window where an unguarded write restored the old
    // parentId while the materialised ancestry kept the new one.
    for (let round = 0; round < 30; round++) {
      const before = (await c.get('/categories/PX')).body;
      const target = before.parentId === 'PA' ? 'PB' : 'PA';
      const [move, put] = await Promise.all([
        c.patch('/categories/PX', { parentId: target, metadata: { version: before.metadata.version } }),
        new Promise((r) => setTimeout(r, 5 + 2 * round)).then(() =>
          c.put('/categories/PX', { localizedName: { en: 'PX' }, published: true, parentId: before.parentId }),
        ),
      ]);
      expect(put.status).toBe(204);
      expect([204, 409]).toContain(move.status);
      const parentId = (await c.get('/categories/PX')).body.parentId;
      // Whoever won, every read family agrees with the authoritative parentId.
      expect({ round, parents: ids((await c.get('/categories/PX/parents')).body) }).toEqual({ round, parents: [parentId] });
      expect({ round, parents: ids((await c.get('/categories/PX1/parents')).body) }).toEqual({ round, parents: [parentId, 'PX'] });
      expect({ round, children: ids((await c.get(`/categories/${parentId}/subcategories?depth=1`)).body) }).toEqual({
        round,
        children: ['PX'],
      });
    }
  }, 60_000);

  it('applies the visibility rule of each read family while a middle node is unpublished', async () => {
    const c1 = (await c.get('/categories/C')).body;
    const unpublished = await c.patch('/categories/C', { published: false, metadata: { version: c1.metadata.version } });
    expect(unpublished.status).toBe(204);
    // Single read: 404 unless showUnpublished.
    expectCategoryError(await anon.get('/categories/C'), 404, 'resource_not_found');
    expect((await c.get(`/categories/C${unpub}`)).status).toBe(200);
    // Flat list: a published child of an unpublished parent is listed.
    const flat = ids((await anon.get('/categories?pageSize=100')).body);
    expect(flat).toContain('A1');
    expect(flat).not.toContain('C');
    // Parents: the unpublished ancestor is left out, published ones above it stay.
    expect(ids((await anon.get('/categories/A111/parents')).body)).toEqual(['R', 'A1', 'A11']);
    expect(ids((await c.get(`/categories/A111/parents${unpub}`)).body)).toEqual(['R', 'C', 'A1', 'A11']);
    // Subcategories and trees stop at the unpublished node.
    expect(ids((await anon.get('/categories/R/subcategories')).body)).toEqual(['B', 'A', 'A2']);
    expectCategoryError(await anon.get('/categories/C/subcategories'), 404, 'resource_not_found');
    expect(tree((await anon.get('/category-trees/R')).body)).toEqual([
      'R',
      [
        ['B', []],
        ['A', [['A2', []]]],
      ],
    ]);
    expect(ids((await anon.post('/category-trees/search', { categoryIds: ['A111'] })).body)).toEqual([]);
    expect(ids((await c.post(`/category-trees/search${unpub}`, { categoryIds: ['A111'] })).body)).toEqual(['R']);
    // An unpublished root hides its whole tree.
    const s = (await c.get('/categories/S')).body;
    await c.patch('/categories/S', { published: false, metadata: { version: s.metadata.version } });
    expect(ids((await anon.get('/category-trees')).body)).not.toContain('S');
    expectCategoryError(await anon.get('/category-trees/S'), 404, 'resource_not_found');
    expect((await c.get(`/category-trees/S${unpub}`)).status).toBe(200);
    // Republish C: everything is back.
    const c2 = (await c.get(`/categories/C${unpub}`)).body;
    await c.patch('/categories/C', { published: true, metadata: { version: c2.metadata.version } });
    expect(ids((await anon.get('/categories/R/subcategories')).body)).toEqual(['B', 'A', 'C', 'A2', 'A1', 'A11', 'A111']);
  });

  it('refuses to delete a root with children unless withSubcategories, and promotes children otherwise', async () => {
    const refused = await c.delete('/categories/R');
    expectCategoryError(refused, 400, 'business_rule_violation');
    expect(refused.body.details).toEqual(['Cannot delete root category without subsequent categories']);
    await c.post('/categories/A1/assignments', { ref: { id: 'p-1', type: 'PRODUCT' } });
    const a11 = (await c.get('/categories/A11')).body;
    expect((await c.delete('/categories/A1')).status).toBe(204);
    expectCategoryError(await c.get(`/categories/A1${unpub}`), 404, 'resource_not_found');
    const promoted = (await c.get('/categories/A11')).body;
    expect(promoted.parentId).toBeUndefined();
    expect(promoted.metadata.version).toBe(a11.metadata.version + 1);
    expect((await c.get('/categories/A11/parents')).body).toEqual([]);
    expect(ids((await c.get('/categories/A111/parents')).body)).toEqual(['A11']);
    expect(ids((await c.get('/category-trees')).body)).toEqual(expect.arrayContaining(['R', 'A11']));
    expect(ids((await c.get('/categories/C/subcategories')).body)).toEqual([]);
    expectCategoryError(await c.get('/assignments/references/p-1'), 404, 'resource_not_found');
  });

  it('deletes a whole subtree with its assignments', async () => {
    await c.post('/categories/A2/assignments', { ref: { id: 'p-2', type: 'PRODUCT' } });
    expect((await c.delete('/categories/R?withSubcategories=true')).status).toBe(204);
    for (const id of ['R', 'A', 'A2', 'B', 'C']) expectCategoryError(await c.get(`/categories/${id}${unpub}`), 404, 'resource_not_found');
    expect(ids((await c.get(`/category-trees${unpub}`)).body)).not.toContain('R');
    expectCategoryError(await c.get('/assignments/references/p-2'), 404, 'resource_not_found');
    // The legacy alias `recursive` works too.
    await c.category({ id: 'Q' });
    await c.category({ id: 'Q1', parentId: 'Q' });
    expect((await c.delete('/categories/Q?recursive=true')).status).toBe(204);
    expectCategoryError(await c.get(`/categories/Q1${unpub}`), 404, 'resource_not_found');
  });

  it('rebuild repairs a stale ancestry and returns the tree', async () => {
    await c.category({ id: 'T' });
    await c.category({ id: 'T1', parentId: 'T' });
    await c.category({ id: 'T2', parentId: 'T1' });
    // Corrupt the materialisation directly, as an interrupted move would leave it.
    const { MongoClient } = await import('mongodb');
    const mc = await MongoClient.connect(h.db.uri);
    await mc
      .db('category')
      .collection('hier_categories')
      .updateOne({ _id: 'T2' as never }, { $set: { ancestorIds: ['ZZ'], depth: 1 } });
    expect(ids((await c.get('/categories/T2/parents')).body)).toEqual([]);
    const rebuilt = await c.post('/category-trees/T/rebuild');
    expect(rebuilt.status).toBe(200);
    expect(tree(rebuilt.body)).toEqual(['T', [['T1', [['T2', []]]]]]);
    expect(ids((await c.get('/categories/T2/parents')).body)).toEqual(['T', 'T1']);
    const doc = await mc
      .db('category')
      .collection('hier_categories')
      .findOne({ _id: 'T2' as never });
    expect(doc).toMatchObject({ ancestorIds: ['T', 'T1'], depth: 2 });
    await mc.close();
    expectCategoryError(await c.post('/category-trees/T1/rebuild'), 404, 'resource_not_found');
  });
});
