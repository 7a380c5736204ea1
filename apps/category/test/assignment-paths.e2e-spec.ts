import { MongoClient } from 'mongodb';
import { AssignmentListingService } from '../src/assignments/assignment-listing.service';
import { AssignmentsRepository } from '../src/assignments/assignments.repository';
import { AssignmentPathsService } from '../src/categories/assignment-paths.service';
import { Client, Harness, startHarness } from './support';

/**
 * Op 11 with `withSubcategories` read by the assignments' `categoryPath` (README "Assignments
 * under a subtree"): the same answers as by category ids, through moves (racing assignment
 * writes), deletes that promote children, an interrupted move repaired by op 24, and assignments
 * written before paths existed.
 */
describe('assignments under a subtree, by path', () => {
  let h: Harness;
  let c: Client;
  let mongo: MongoClient;
  let listing: AssignmentListingService;
  const T = 'paths';
  const assignments = () => mongo.db('category').collection(`${T}_category_assignments`);
  const state = () => mongo.db('category').collection(`${T}_category_state`);

  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, T);
    mongo = await MongoClient.connect(h.db.uri);
    listing = h.app.app.get(AssignmentListingService);
    // R ─┬─ A ─ A1 ─ A11
    //    └─ B
    // S
    await c.category({ id: 'R' });
    await c.category({ id: 'A', parentId: 'R', position: 0 });
    await c.category({ id: 'A1', parentId: 'A' });
    await c.category({ id: 'A11', parentId: 'A1' });
    await c.category({ id: 'B', parentId: 'R', position: 1 });
    await c.category({ id: 'S' });
    for (const id of ['R', 'A', 'A1', 'A11', 'B', 'S']) {
      const res = await c.post(`/categories/${id}/assignments/bulk`, [
        { ref: { id: `p-${id}`, type: 'PRODUCT' } },
        { ref: { id: `q-${id}`, type: 'PRODUCT' } },
      ]);
      expect(res.status).toBe(207);
    }
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  /** Category ids of the listing of `id` with subcategories (every page), with its total, and how it was answered. */
  async function under(id: string, query = ''): Promise<{ categories: string[]; total: number; byPath: boolean }> {
    const before = listing.stats.byPath;
    const res = await c.get(`/categories/${id}/assignments?withSubcategories=true&pageSize=100${query}`, { 'x-total-count': 'true' });
    expect(res.status).toBe(200);
    const categories = [...new Set<string>(res.body.map((a: { categoryId: string }) => a.categoryId))].sort();
    return { categories, total: Number(res.headers.get('x-total-count')), byPath: listing.stats.byPath > before };
  }

  /** Every stored path equals its category's chain by parentId (what the trees show). */
  async function expectPathsConsistent(): Promise<void> {
    const cats = await mongo.db('category').collection(`${T}_categories`).find({}).toArray();
    const parent = new Map(cats.map((x) => [x._id as unknown as string, x.parentId as string | undefined]));
    const chain = (id: string): string[] => {
      const out = [id];
      for (let p = parent.get(id); p !== undefined; p = parent.get(p)) out.unshift(p);
      return out;
    };
    for (const a of await assignments().find({}).toArray())
      expect([a.categoryId, a.categoryPath]).toEqual([a.categoryId, chain(a.categoryId)]);
  }

  it('lists a subtree by one path equality, with the same answer as its categories would give', async () => {
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 10, byPath: true });
    expect(await under('A1')).toEqual({ categories: ['A1', 'A11'], total: 4, byPath: true });
    expect(await under('A', '&ref.id=p-A11')).toEqual({ categories: ['A11'], total: 1, byPath: true });
    // A leaf, or a segment filter: by ids.
    expect(await under('A11')).toEqual({ categories: ['A11'], total: 2, byPath: false });
    await expectPathsConsistent();
  });

  it('follows moves, also of assignments written while their category moves', async () => {
    expect((await c.patch('/categories/A', { parentId: 'B', metadata: { version: 1 } })).status).toBe(204);
    expect(await under('B')).toEqual({ categories: ['A', 'A1', 'A11', 'B'], total: 8, byPath: true });
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 10, byPath: true });
    await expectPathsConsistent();
    // Moves of A between R, B and S while assignments go into A11, below it.
    const targets = ['S', 'R', 'B', 'S', 'R'];
    const moves = (async () => {
      for (const target of targets) {
        const current = (await c.get('/categories/A')).body;
        expect((await c.patch('/categories/A', { parentId: target, metadata: { version: current.metadata.version } })).status).toBe(204);
      }
    })();
    const writes = Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        c.post('/categories/A11/assignments/bulk', [
          { ref: { id: `race-${i}-a`, type: 'PRODUCT' } },
          { ref: { id: `race-${i}-b`, type: 'PRODUCT' } },
        ]),
      ),
    );
    await Promise.all([moves, writes]);
    await expectPathsConsistent();
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 30, byPath: true });
    expect(await under('S')).toEqual({ categories: ['S'], total: 2, byPath: false });
    expect((await state().findOne({ _id: 'tree-epoch' } as never))?.pathsPending).toEqual([]);
  });

  it('writes the path again when the category moved between reading its ancestry and the insert', async () => {
    const repo = h.app.app.get(AssignmentsRepository);
    const insert = repo.insert.bind(repo);
    const moveA = async (parentId: string) => {
      const current = (await c.get('/categories/A')).body;
      expect((await c.patch('/categories/A', { parentId, metadata: { version: current.metadata.version } })).status).toBe(204);
    };
    // The move (and its rewrite of the paths) lands after the write read A11's ancestry.
    const spy = jest.spyOn(repo, 'insert').mockImplementationOnce(async (tenant, record) => {
      await moveA('S');
      return insert(tenant, record);
    });
    try {
      expect((await c.post('/categories/A11/assignments', { ref: { id: 'late-1', type: 'PRODUCT' } })).status).toBe(201);
    } finally {
      spy.mockRestore();
    }
    await expectPathsConsistent();
    expect(await under('S')).toEqual({ categories: ['A', 'A1', 'A11', 'S'], total: 29, byPath: true });
    await moveA('R');
    expect((await c.delete('/categories/A11/assignments/references/late-1')).status).toBe(204);
    await expectPathsConsistent();
  });

  it('follows a delete that promotes children to roots', async () => {
    await c.category({ id: 'D', parentId: 'A11' });
    await c.category({ id: 'D1', parentId: 'D' });
    await c.post('/categories/D1/assignments', { ref: { id: 'p-D1', type: 'PRODUCT' } });
    expect((await under('R')).total).toBe(31);
    expect((await c.delete('/categories/D')).status).toBe(204);
    expect(await under('D1')).toEqual({ categories: ['D1'], total: 1, byPath: false });
    await c.category({ id: 'D2', parentId: 'D1' });
    expect(await under('D1')).toEqual({ categories: ['D1'], total: 1, byPath: true });
    expect((await under('R')).total).toBe(30);
    await expectPathsConsistent();
  });

  it('answers by ids while a hidden category is in the subtree, or a rewrite of paths is unfinished; op 24 repairs', async () => {
    expect(await under('R', '&showUnpublished=true')).toMatchObject({ total: 30, byPath: true });
    await c.category({ id: 'H', parentId: 'B', published: false });
    await c.post('/categories/H/assignments', { ref: { id: 'p-H', type: 'PRODUCT' } });
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 30, byPath: false });
    expect(await under('R', '&showUnpublished=true')).toMatchObject({ total: 31, byPath: true });
    expect((await c.delete('/categories/H')).status).toBe(204);
    // A move that died after rewriting the categories: the assignments of A1 still say R › A.
    await state().updateOne({ _id: 'tree-epoch' } as never, { $addToSet: { pathsPending: 'A1' } });
    await assignments().updateMany({ categoryId: 'A1' }, { $set: { categoryPath: ['S', 'A1'] } });
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 30, byPath: false });
    expect(await under('S')).toEqual({ categories: ['S'], total: 2, byPath: false });
    expect((await c.post('/category-trees/R/rebuild')).status).toBe(200);
    await expectPathsConsistent();
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 30, byPath: true });
    expect((await state().findOne({ _id: 'tree-epoch' } as never))?.pathsPending).toEqual([]);
  });

  it('answers by ids while assignments without a path exist, and gives them their paths meanwhile', async () => {
    const now = new Date();
    await assignments().insertMany([
      {
        _id: 'old-1',
        categoryId: 'A1',
        ref: { id: 'old-1', type: 'PRODUCT', localizedName: {} },
        published: true,
        metadata: { version: 1, createdAt: now, modifiedAt: now },
      },
      {
        _id: 'old-2',
        categoryId: 'gone',
        ref: { id: 'old-2', type: 'PRODUCT', localizedName: {} },
        published: true,
        metadata: { version: 1, createdAt: now, modifiedAt: now },
      },
    ] as never[]);
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 31, byPath: false });
    await h.app.app.get(AssignmentPathsService).backfilling.get(T);
    expect(await assignments().findOne({ _id: 'old-1' } as never)).toMatchObject({ categoryPath: ['R', 'A', 'A1'] });
    expect(await assignments().findOne({ _id: 'old-2' } as never)).toMatchObject({ categoryPath: ['gone'] });
    expect(await under('R')).toEqual({ categories: ['A', 'A1', 'A11', 'B', 'R'], total: 31, byPath: true });
    // Another tenant's listing is untouched by any of it.
    const other = await Client.as(h.url, 'paths2');
    await other.category({ id: 'R' });
    expect((await other.get('/categories/R/assignments?withSubcategories=true')).body).toEqual([]);
  });
});
