import { MongoClient } from 'mongodb';
import { Client, expectCategoryError, Harness, startHarness } from './support';

/**
 * Cross-cutting rules of conventions.md as this service applies them, where an audit found the
 * service off: PAG-7 mixin sorting, Q-30 `QUERY_MAX_TIME_MS`, HTTP-9/S2S-5 `traceparent`, and
 * ERR-6 (one 400 lists the problems of path, query, headers and body together).
 */
describe('conventions over HTTP', () => {
  let h: Harness;
  let c: Client;
  const ids = (r: any) => r.body.map((x: any) => x.id);

  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, 'conv');
    await c.category({ id: 'M0' });
    await c.category({ id: 'M1', parentId: 'M0', mixins: { attrs: { rank: 2, label: 'b' } } });
    await c.category({ id: 'M2', parentId: 'M0', mixins: { attrs: { rank: 10, label: 'a' } } });
    await c.category({ id: 'M3', parentId: 'M0', mixins: { other: { x: 1 } } });
  });
  afterAll(() => h.close());

  describe('PAG-7: mixin paths are sortable', () => {
    it('sorts flat lists, search, subcategories and parents by a mixin path; absent values first ascending', async () => {
      expect(ids(await c.get('/categories?showRoots=false&q=parentId:M0&sort=mixins.attrs.rank:desc'))).toEqual(['M2', 'M1', 'M3']);
      expect(ids(await c.get('/categories?q=parentId:M0&sort=mixins.attrs.rank'))).toEqual(['M3', 'M1', 'M2']);
      expect(ids(await c.post('/categories/search?sort=mixins.attrs.label:asc', { q: 'parentId:M0' }))).toEqual(['M3', 'M2', 'M1']);
      expect(ids(await c.get('/categories/M0/subcategories?sort=mixins.attrs.rank:desc'))).toEqual(['M2', 'M1', 'M3']);
      expect((await c.get('/categories/M1/parents?sort=mixins.attrs.rank')).status).toBe(200);
    });

    it('still refuses non-mixin unknown paths and the mixins root itself', async () => {
      for (const sort of ['mixinsx.a', 'mixins', 'media', 'name']) {
        expectCategoryError(await c.get(`/categories?sort=${sort}`), 400, 'validation_failed');
      }
    });
  });

  describe('HTTP-9 / S2S-5: traceparent reaches the customer-segment call', () => {
    it('forwards the incoming traceparent with the request id', async () => {
      h.stub.reset();
      h.stub.respond(() => ({ json: [] }));
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const res = await c.get('/categories/M0/assignments?segmentsIds=gold', { traceparent, 'x-request-id': 'req-trace-1' });
      expect(res.status).toBe(200);
      expect(h.stub.requests).toHaveLength(1);
      expect(h.stub.requests[0].headers).toMatchObject({ traceparent, 'x-request-id': 'req-trace-1' });
    });

    it('sends no traceparent when none came in', async () => {
      h.stub.reset();
      h.stub.respond(() => ({ json: [] }));
      expect((await c.get('/categories/M0/assignments?segmentsIds=gold')).status).toBe(200);
      expect(h.stub.requests[0].headers.traceparent).toBeUndefined();
    });
  });

  describe('HTTP-4: an unknown query parameter is ignored, whatever its name', () => {
    it('answers ?__proto__=x like no parameter: list, search, single read and assignments', async () => {
      expect(ids(await c.get('/categories?__proto__=x&constructor=y&q=parentId:M0&sort=id'))).toEqual(['M1', 'M2', 'M3']);
      expect((await c.post('/categories/search?__proto__=x', { q: 'parentId:M0' })).status).toBe(200);
      expect((await c.get('/categories/M1?__proto__=x')).status).toBe(200);
      expect((await c.get('/category-trees/M0?__proto__=x')).status).toBe(200);
    });
  });

  describe('ERR-6: every problem of the request in one 400', () => {
    it('lists query and body problems of POST, PUT and PATCH together', async () => {
      const post = await c.post('/categories?publish=maybe', { position: -1 });
      expectCategoryError(post, 400, 'validation_failed');
      expect(post.body.details).toEqual([
        'localizedName: must not be null',
        'position: must be an integer >= 0',
        'publish: must be true or false',
        'published: must be a boolean',
      ]);

      const put = await c.put('/categories/M1?publish=maybe', { localizedName: { en: 'x' } });
      expectCategoryError(put, 400, 'validation_failed');
      expect(put.body.details).toEqual(['publish: must be true or false', 'published: must be a boolean']);

      const patch = await c.patch('/categories/M1?publish=maybe', { position: 'x' });
      expectCategoryError(patch, 400, 'validation_failed');
      expect(patch.body.details).toEqual([
        'metadata: must be an object with version',
        'position: must be an integer >= 0',
        'publish: must be true or false',
      ]);

      // A missing body is listed next to the query problem.
      const empty = await c.call('POST', '/categories?publish=maybe');
      expect(empty.body.details).toEqual(['a request body is required', 'publish: must be true or false']);
    });

    it('lists an invalid new id in a PUT path together with the body problems', async () => {
      const res = await c.put('/categories/a.b', { position: -1 });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        'categoryId: must match ^[A-Za-z0-9_-]{1,66}$',
        'localizedName: must not be null',
        'position: must be an integer >= 0',
        'published: must be a boolean',
      ]);
      const reserved = await c.put('/categories/root', { localizedName: { en: 'x' } });
      expect(reserved.body.details).toEqual(["categoryId: 'root' is reserved", 'published: must be a boolean']);
    });

    it('lists a Content-Language problem together with the body problems', async () => {
      const res = await c.post('/categories', { localizedName: { en: 'x' }, position: -1 }, { 'Content-Language': 'xx' });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        "Content-Language: Following languages are not supported: 'xx'",
        'position: must be an integer >= 0',
        'published: must be a boolean',
      ]);
      // Alone it keeps the contract's wording.
      const alone = await c.post('/categories', { localizedName: { en: 'x' }, published: true }, { 'Content-Language': 'xx' });
      expect(alone.body).toMatchObject({
        message: 'Constraint validation failed',
        details: ["Content-Language: Following languages are not supported: 'xx'"],
      });
    });

    it('refuses integers a JSON number cannot hold exactly, and a Content-Language naming no language', async () => {
      const big = await c.post('/categories', { localizedName: { en: 'x' }, published: true, position: 1e20 });
      expectCategoryError(big, 400, 'validation_failed');
      expect(big.body.details).toEqual(['position: must be an integer >= 0']);
      const version = await c.patch('/categories/M1', { position: 1, metadata: { version: 1e300 } });
      expectCategoryError(version, 400, 'validation_failed');
      expect(version.body.details).toEqual(['metadata.version: must be a non-negative integer']);
      expect((await c.get('/categories/M1')).body.position).toBe(0);
      const none = await c.post('/categories', { localizedName: { en: 'x' }, published: true }, { 'Content-Language': ' , ' });
      expectCategoryError(none, 400, 'validation_failed');
      expect(none.body.details).toEqual(['Content-Language: must name at least one language']);
    });

    it('lists an Accept-Language that selects nothing together with the other query problems', async () => {
      const res = await c.get('/categories?pageSize=0&sort=bogus', { 'Accept-Language': 'ru' });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        "Following languages are not supported: 'ru'",
        'pageSize: pageSize must be between 1 and 1000',
        "sort: 'bogus' is not a sortable field",
      ]);
      const one = await c.get('/categories/M1?showUnpublished=maybe', { 'Accept-Language': 'ru' });
      expect(one.body.details).toEqual(["Following languages are not supported: 'ru'", 'showUnpublished: must be true or false']);
      // Alone, the contract's message and detail (§3.4) are unchanged.
      const alone = await c.get('/categories', { 'Accept-Language': 'ru' });
      expect(alone.body).toMatchObject({
        message: 'Accept-Language validation failed.',
        details: ["Following languages are not supported: 'ru'"],
      });
    });
  });
});

describe('Q-30: QUERY_MAX_TIME_MS bounds the queries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ QUERY_MAX_TIME_MS: '1' });
  });
  afterAll(() => h.close());

  it('answers 503 query_timeout when a q query outlives the configured budget', async () => {
    // Enough rows that a collection scan with a regex takes well over 1 ms.
    const mc = await MongoClient.connect(h.db.uri);
    const now = new Date();
    const rows = Array.from({ length: 6000 }, (_, i) => ({
      _id: `T${i}`,
      type: 'STANDARD',
      ancestorIds: [],
      depth: 0,
      localizedName: { en: `name ${i} ${'x'.repeat(200)}`, de: `Name ${i}` },
      position: 0,
      published: true,
      mixins: {},
      metadata: { version: 1, createdAt: now, modifiedAt: now },
    }));
    await mc.db('category').collection<{ _id: string }>('slow_categories').insertMany(rows);
    await mc.close();
    const c = await Client.as(h.url, 'slow');
    const res = await c.get(`/categories?q=${encodeURIComponent('localizedName:~"(?i)y.*z"')}`, { 'X-Total-Count': 'true' });
    expectCategoryError(res, 503, 'query_timeout');
  });
});
