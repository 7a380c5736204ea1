import { gunzipSync } from 'node:zlib';
import { MongoClient } from 'mongodb';
import { request } from 'undici';
import type { Logger } from 'pino';
import { AppModule } from '../src/app.module';
import { HierarchyCache, MAX_AGE_MS } from '../src/categories/hierarchy.cache';
import { CHANGE_LOG_LENGTH } from '../src/categories/category-state.repository';
import { loadCategoryConfig } from '../src/config/category.config';
import { Client, Harness, startHarness } from './support';
import * as testing from '@suite/testing';

/**
 * Two app instances on one database (two processes' caches): a write answered by one is
 * visible in the next tree read of the other (§6), whether that read catches up from the tree
 * epoch's change log or reloads in full.
 */
describe('tree snapshots across instances (tree epoch and change log)', () => {
  let h: Harness;
  let other: { app: { get<T>(t: new (...a: never[]) => T): T }; url: string; close(): Promise<void> };
  let writer: Client;
  let reader: Client;
  let stats: { full: number; incremental: number };
  beforeAll(async () => {
    h = await startHarness();
    other = (await testing.startTestApp(
      (logger: Logger) =>
        AppModule.forRoot(
          loadCategoryConfig({ ...testing.testAuthEnv(), MONGODB_URI: h.db.uri, CUSTOMER_SEGMENT_URL: h.stub.url, LOG_LEVEL: 'silent' }),
          logger,
        ),
      'category',
    )) as never;
    writer = await Client.as(h.url, 'epochs');
    reader = await Client.as(other.url, 'epochs');
    stats = other.app.get(HierarchyCache).stats;
  });
  afterAll(async () => {
    await other.close();
    await h.close();
  });

  const tree = (node: any): any => [node.id, node.subcategories.map(tree)];
  const forest = async (c: Client, q = '?showUnpublished=true') => {
    const res = await c.get(`/category-trees${q}`);
    expect(res.status).toBe(200);
    return (res.body as any[]).map(tree);
  };
  const version = async (id: string) => (await writer.get(`/categories/${id}`)).body.metadata.version as number;

  it('catches up incrementally with creates, edits, moves, reorders and deletes written by the other instance', async () => {
    await writer.category({ id: 'R', position: 0 });
    await writer.category({ id: 'A', parentId: 'R', position: 1 });
    await writer.category({ id: 'B', parentId: 'R', position: 2 });
    await writer.category({ id: 'A1', parentId: 'A' });
    await writer.category({ id: 'A11', parentId: 'A1' });
    await writer.category({ id: 'S', position: 1 });
    expect(await forest(reader)).toEqual([
      [
        'R',
        [
          ['A', [['A1', [['A11', []]]]]],
          ['B', []],
        ],
      ],
      ['S', []],
    ]);
    const afterFirst = { ...stats };
    expect(afterFirst.full).toBeGreaterThanOrEqual(1);

    // Warm: nothing written, nothing loaded.
    await forest(reader);
    expect(stats).toEqual(afterFirst);

    await writer.category({ id: 'A2', parentId: 'A', position: 0 });
    expect((await writer.patch('/categories/A1', { parentId: 'B', metadata: { version: await version('A1') } })).status).toBe(204);
    expect(
      (await writer.patch('/categories/B', { position: 0, localizedName: { en: 'Bee' }, metadata: { version: await version('B') } }))
        .status,
    ).toBe(204);
    expect((await writer.delete('/categories/S')).status).toBe(204);
    expect(await forest(reader)).toEqual([
      [
        'R',
        [
          ['B', [['A1', [['A11', []]]]]],
          ['A', [['A2', []]]],
        ],
      ],
    ]);
    expect(stats).toEqual({ full: afterFirst.full, incremental: afterFirst.incremental + 1 });
    const b = (await reader.get('/category-trees/R')).body.subcategories[0];
    expect(b).toEqual(expect.objectContaining({ id: 'B', name: 'Bee', position: 0 }));
    // The other tree-shaped reads of the snapshot follow too.
    expect((await reader.get('/categories/B/subcategories')).body.map((c: any) => c.id)).toEqual(['A1', 'A11']);
    expect((await reader.get('/categories/A/subcategories')).body.map((c: any) => c.id)).toEqual(['A2']);

    // Unpublishing prunes the published-only tree of the reader.
    expect((await writer.patch('/categories/A', { published: false, metadata: { version: await version('A') } })).status).toBe(204);
    expect(await forest(reader, '')).toEqual([['R', [['B', [['A1', [['A11', []]]]]]]]]);

    // Delete with promotion: the child becomes a root in the reader's view (its new version too).
    expect((await writer.delete('/categories/A')).status).toBe(204);
    expect(await forest(reader)).toEqual([
      ['R', [['B', [['A1', [['A11', []]]]]]]],
      ['A2', []],
    ]);
    expect((await reader.get('/category-trees/A2')).body).toEqual(expect.objectContaining({ id: 'A2' }));
    expect((await reader.get('/category-trees/A2')).body.parentId).toBeUndefined();

    // Delete of a whole subtree.
    expect((await writer.delete('/categories/B?withSubcategories=true')).status).toBe(204);
    expect(await forest(reader)).toEqual([
      ['R', []],
      ['A2', []],
    ]);
    expect((await reader.get('/categories/A1/subcategories')).status).toBe(404);
    expect(stats.full).toBe(afterFirst.full);
    expect(stats.incremental).toBeGreaterThanOrEqual(afterFirst.incremental + 4);
  });

  it('reloads in full when the change log no longer reaches back to its snapshot', async () => {
    await forest(reader);
    const before = { ...stats };
    const ids = Array.from({ length: CHANGE_LOG_LENGTH + 1 }, (_, i) => `f${i}`);
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let i = w; i < ids.length; i += 4) await writer.category({ id: ids[i], position: 10 + i });
      }),
    );
    const roots = (await forest(reader)).map(([id]: [string]) => id);
    expect(roots).toEqual(['R', 'A2', ...ids]);
    expect(stats.full).toBe(before.full + 1);
    // And from there on incrementally again.
    expect((await writer.delete('/categories/f0')).status).toBe(204);
    expect((await forest(reader)).map(([id]: [string]) => id)).toEqual(['R', 'A2', ...ids.slice(1)]);
    expect(stats.full).toBe(before.full + 1);
    expect(stats.incremental).toBe(before.incremental + 1);
  });

  it("serves the other instance's gzip and branchesOnly answers fresh after a write (their caches belong to a snapshot)", async () => {
    const headers = { ...(await testing.bearer({ tenant: 'epochs', scopes: [] })), 'accept-encoding': 'gzip' };
    const zipped = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await request(`${other.url}/category/epochs${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      return JSON.parse(gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString());
    };
    const names = (nodes: any[]): string[] => nodes.flatMap((n) => [n.localizedName.en, ...names(n.subcategories)]);
    const branches = () => zipped('POST', '/category-trees/search?branchesOnly=true', { categoryIds: ['G1'] });
    await writer.category({ id: 'G', position: 9 });
    await writer.category({ id: 'G1', parentId: 'G' });
    // Enough under G1 that both answers are worth compressing (small ones are sent as they are).
    for (let i = 0; i < 30; i++)
      await writer.category({ id: `G1-${i}`, parentId: 'G1', localizedName: { en: `A child of G1, number ${i}` } });
    // Both answers are built and kept by the reading instance before the other one writes.
    expect(names(await zipped('GET', '/category-trees'))).not.toContain('Renamed G1');
    expect((await branches()).map(tree)).toEqual([['G', [['G1', expect.any(Array)]]]]);
    const v = await version('G1');
    expect((await writer.patch('/categories/G1', { localizedName: { en: 'Renamed G1' }, metadata: { version: v } })).status).toBe(204);
    await writer.category({ id: 'G1new', parentId: 'G1' });
    expect(names(await zipped('GET', '/category-trees'))).toContain('Renamed G1');
    const pruned = await branches();
    expect(names(pruned)).toContain('Renamed G1');
    expect(names(pruned)).toContain('G1new');
  });

  it('serves the writer instance its own writes as well, and keeps tenants apart', async () => {
    await forest(writer);
    await writer.category({ id: 'W', parentId: 'R' });
    expect((await forest(writer))[0]).toEqual(['R', [['W', []]]]);
    const stranger = await Client.as(other.url, 'epochsother');
    expect(await forest(stranger)).toEqual([]);
    expect((await forest(reader))[0]).toEqual(['R', [['W', []]]]);
  });

  it(
    'reloads in the background after the age limit, picking up a ' + 'change that never bumped the epoch, without making reads wait',
    async () => {
      const cache = other.app.get(HierarchyCache);
      const name = async () => (await reader.get('/category-trees/R')).body.name as string;
      expect(await name()).toBe('R');
      // A write that never bumped the epoch (a writer that crashed before its bump).
      const client = await MongoClient.connect(h.db.uri);
      try {
        await client
          .db('category')
          .collection<{ _id: string }>('epochs_categories')
          .updateOne({ _id: 'R' }, { $set: { 'localizedName.en': 'Sneaky' }, $inc: { 'metadata.version': 1 } });
      } finally {
        await client.close();
      }
      expect(await name()).toBe('R');
      const before = cache.stats.full;
      cache.now = () => Date.now() + MAX_AGE_MS + 1000;
      try {
        // Served from the current snapshot while the full load runs in the background.
        expect(await name()).toBe('R');
        for (let i = 0; i < 100 && cache.stats.full === before; i++) await new Promise((r) => setTimeout(r, 20));
        expect(cache.stats.full).toBe(before + 1);
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        cache.now = Date.now;
      }
      expect(await name()).toBe('Sneaky');
      expect(cache.stats.full).toBe(before + 1);
    },
  );
});
