import { gunzipSync } from 'node:zlib';
import { bearer } from '@suite/testing';
import { request } from 'undici';
import { CATEGORY_SCOPES } from '../src/category.scopes';
import { Client, expectCategoryError, Harness, startHarness } from './support';

/**
 * The tree answers' codings and op 22's `branchesOnly` (README "Branches of the category trees",
 * "Figures"), over real HTTP: gzip when the client accepts it, from the snapshot's compressed
 * pieces, fresh after every write; only the branches that lead to the listed categories.
 */
describe('tree answers: gzip and branchesOnly', () => {
  let h: Harness;
  let c: Client;
  let anon: Record<string, string>;
  const T = 'trees';
  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, T);
    anon = await bearer({ tenant: T, scopes: [], principalType: 'anonymous', sid: 'v' } as never);
    // tools ─┬─ hammers ── sledge
    //        ├─ saws
    //        └─ secret (unpublished) ── hidden
    // garden ── roses
    await c.category({ id: 'tools', code: 'T', position: 0 });
    await c.category({ id: 'hammers', parentId: 'tools', position: 0 });
    await c.category({ id: 'sledge', parentId: 'hammers' });
    await c.category({ id: 'saws', parentId: 'tools', position: 1 });
    await c.category({ id: 'secret', parentId: 'tools', position: 2, published: false });
    await c.category({ id: 'hidden', parentId: 'secret' });
    await c.category({ id: 'garden', position: 1 });
    await c.category({ id: 'roses', parentId: 'garden' });
    // Enough categories that the forest is worth compressing.
    for (let i = 0; i < 40; i++) await c.category({ id: `bulk-${i}`, parentId: 'saws', localizedName: { en: `Bulk ${i}` } });
  });
  afterAll(() => h.close());

  /** One request without any decoding by the client: status, headers and the raw body. */
  async function raw(method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const res = await request(`${h.url}/category/${T}${path}`, {
      method: method as 'GET',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, bytes: Buffer.from(await res.body.arrayBuffer()) };
  }
  const tree = (node: any): any => [node.id, node.subcategories.map(tree)];

  it('sends op 21 gzip-coded when Accept-Encoding allows it, the same JSON as without, and fresh after a write', async () => {
    const plain = await raw('GET', '/category-trees', anon);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    for (const accept of ['gzip', 'br, gzip;q=0.8', 'deflate, *', 'x-gzip']) {
      const zipped = await raw('GET', '/category-trees', { ...anon, 'accept-encoding': accept });
      expect(zipped.status).toBe(200);
      expect([accept, zipped.headers['content-encoding']]).toEqual([accept, 'gzip']);
      expect(zipped.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(zipped.headers.vary).toBe('Accept-Encoding');
      expect(Number(zipped.headers['content-length'])).toBe(zipped.bytes.length);
      expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
      expect(gunzipSync(zipped.bytes).equals(plain.bytes)).toBe(true);
    }
    for (const accept of ['identity', 'gzip;q=0', 'br', 'gzip;q=0.5, identity', '*;q=0, identity']) {
      const res = await raw('GET', '/category-trees', { ...anon, 'accept-encoding': accept });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.bytes.equals(plain.bytes)).toBe(true);
    }
    // A write is in the very next gzip answer (the compressed pieces belong to a snapshot).
    expect((await c.patch('/categories/roses', { localizedName: { en: 'Red roses' }, metadata: { version: 1 } })).status).toBe(204);
    const after = JSON.parse(gunzipSync((await raw('GET', '/category-trees', { ...anon, 'accept-encoding': 'gzip' })).bytes).toString());
    expect(after[1].subcategories[0].localizedName).toEqual({ en: 'Red roses' });
    const unpublished = await raw('GET', '/category-trees?showUnpublished=true', {
      ...(await bearer({ tenant: T, scopes: [CATEGORY_SCOPES.readUnpublished] })),
      'accept-encoding': 'gzip',
    });
    expect(tree(JSON.parse(gunzipSync(unpublished.bytes).toString())[0])[1][2]).toEqual(['secret', [['hidden', []]]]);
  });

  it('tags op 22 branchesOnly answers: If-None-Match naming the current one is a 412 (error profile), a change a new tag', async () => {
    const ask = (ids: string[], headers: Record<string, string> = {}) =>
      c.post('/category-trees/search?branchesOnly=true', { categoryIds: ids }, headers);
    const first = await ask(['saws']);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
    // The same answer keeps its tag; another id set has another.
    expect((await ask(['saws'])).headers.get('etag')).toBe(etag);
    expect((await ask(['roses'])).headers.get('etag')).not.toBe(etag);
    // Unchanged: a POST must not answer 304 (RFC 9110 §13.1.2), so 412, with the tag, in the error profile.
    const unchanged = await ask(['saws'], { 'if-none-match': etag });
    expectCategoryError(unchanged, 412, 'precondition_failed');
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect((await ask(['saws'], { 'if-none-match': `"x", ${etag.slice(2)}` })).status).toBe(412);
    expect((await ask(['saws'], { 'if-none-match': '*' })).status).toBe(412);
    expect((await ask(['saws'], { 'if-none-match': 'W/"something-else"' })).status).toBe(200);
    expect((await ask(['roses'], { 'if-none-match': etag })).status).toBe(200);
    // Without branchesOnly the header changes nothing.
    expect((await c.post('/category-trees/search', { categoryIds: ['saws'] }, { 'if-none-match': etag })).status).toBe(200);
    // Another tenant's answer never matches this tag (each tenant has its own snapshots and tags).
    const other = await Client.as(h.url, 'treesother');
    await other.category({ id: 'saws' });
    const foreign = await other.post('/category-trees/search?branchesOnly=true', { categoryIds: ['saws'] }, { 'if-none-match': etag });
    expect(foreign.status).toBe(200);
    expect(foreign.body.map(tree)).toEqual([['saws', []]]);
    expect(foreign.headers.get('etag')).not.toBe(etag);
    // After a write the answer is new: the old tag no longer matches.
    await c.category({ id: 'fretsaws', parentId: 'saws' });
    const after = await ask(['saws'], { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(after.body.map(tree)[0][1][0][1].map((n: any) => n[0])).toContain('fretsaws');
  });

  it('answers op 22 with branchesOnly: listed categories with their subtrees, ancestors with only those children', async () => {
    const branches = await c.post('/category-trees/search?branchesOnly=true', { categoryIds: ['hammers', 'roses', 'unknown'] });
    expect(branches.status).toBe(200);
    expect(branches.body.map(tree)).toEqual([
      ['tools', [['hammers', [['sledge', []]]]]],
      ['garden', [['roses', []]]],
    ]);
    // Nodes as op 22 renders them: the ancestor keeps its own fields.
    const full = (await c.post('/category-trees/search', { categoryIds: ['hammers'] })).body;
    expect({ ...branches.body[0], subcategories: [] }).toEqual({ ...full[0], subcategories: [] });
    expect(branches.body[0].subcategories[0]).toEqual(full[0].subcategories[0]);
    // A listed root is its whole visible tree; an unpublished branch is not visible by default.
    expect((await c.post('/category-trees/search?branchesOnly=TRUE', { categoryIds: ['garden', 'hidden'] })).body.map(tree)).toEqual([
      ['garden', [['roses', []]]],
    ]);
    const unpub = await c.post('/category-trees/search?branchesOnly=true&showUnpublished=true', { categoryIds: ['hidden'] });
    expect(unpub.body.map(tree)).toEqual([['tools', [['secret', [['hidden', []]]]]]]);
    expect((await c.post('/category-trees/search?branchesOnly=true', { categoryIds: [] })).body).toEqual([]);
    expect((await c.post('/category-trees/search?branchesOnly=false', { categoryIds: ['roses'] })).body.map(tree)).toEqual([
      ['garden', [['roses', []]]],
    ]);
    expectCategoryError(await c.post('/category-trees/search?branchesOnly=maybe', { categoryIds: ['roses'] }), 400, 'validation_failed');
    // Fresh after a write, like every tree read.
    await c.category({ id: 'mallets', parentId: 'hammers' });
    const again = await c.post('/category-trees/search?branchesOnly=true', { categoryIds: ['hammers', 'roses', 'unknown'] });
    expect(again.body.map(tree)[0]).toEqual([
      'tools',
      [
        [
          'hammers',
          [
            ['sledge', []],
            ['mallets', []],
          ],
        ],
      ],
    ]);
    const zipped = await raw(
      'POST',
      '/category-trees/search?branchesOnly=true',
      { ...anon, 'accept-encoding': 'gzip' },
      { categoryIds: ['saws'] },
    );
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.bytes).toString()).map(tree)[0][1][0][0]).toBe('saws');
  });
});
