import { categoryService, tokenClaims } from './fake-category';
import { Harness, auth, client, expectError, startHarness } from './support';

const T = 'itemtest';
const seg = `/customer-segment/${T}/segments`;

describe('item assignments (segment §3.23–§3.30)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness();
    h.category.respond(categoryService);
    call = client(h.url);
    headers = await auth(T);
    await call('PUT', `${seg}/s-main`, { headers, body: { name: 'm', siteCode: 'main', status: 'ACTIVE' } });
    await call('PUT', `${seg}/s-off`, { headers, body: { name: 'o', siteCode: 'main', status: 'INACTIVE' } });
    await call('PUT', `${seg}/s-b2b`, {
      headers,
      body: { name: 'b', siteCode: 'b2b', status: 'ACTIVE', validity: { to: '2000-01-01T00:00:00Z' } },
    });
  });
  afterAll(async () => h.close());

  describe('single item', () => {
    it('PUT creates (201 with Location, type upper-cased), GET returns it, PUT again updates (204)', async () => {
      const res = await call('PUT', `${seg}/s-main/items/product/p-1`, { headers, body: { mixins: { a: { b: 1 } } } });
      expect([res.status, res.body]).toEqual([201, undefined]);
      expect(res.headers.get('location')).toBe(`${seg}/s-main/items/PRODUCT/p-1`);
      const got = await call('GET', `${seg}/s-main/items/Product/p-1`, { headers });
      expect(got.body).toEqual({
        segmentId: 's-main',
        type: 'PRODUCT',
        item: { id: 'p-1' },
        mixins: { a: { b: 1 } },
        metadata: expect.objectContaining({ version: 1 }),
      });
      expect((await call('PUT', `${seg}/s-main/items/PRODUCT/p-1`, { headers })).status).toBe(204);
      expect((await call('GET', `${seg}/s-main/items/PRODUCT/p-1`, { headers })).body).toEqual({
        segmentId: 's-main',
        type: 'PRODUCT',
        item: { id: 'p-1' },
        metadata: expect.objectContaining({ version: 2 }),
      });
    });

    it('enriches CATEGORY items from the category service (published only, no scope, Accept-Language *)', async () => {
      h.category.reset();
      expect((await call('PUT', `${seg}/s-main/items/CATEGORY/cat-hammers`, { headers, body: {} })).status).toBe(201);
      const got = await call('GET', `${seg}/s-main/items/CATEGORY/cat-hammers`, { headers: { ...headers, 'accept-language': 'de' } });
      expect(got.body.item).toEqual({ id: 'cat-hammers', code: 'H', name: { de: 'Hämmer' } });
      const [req] = h.category.requests;
      expect(req.path).toBe(`/category/${T}/categories/cat-hammers`);
      expect(req.headers['accept-language']).toBe('*');
      expect(req.query.has('showUnpublished')).toBe(false);
      expect(tokenClaims(req)).toMatchObject({ tenant: T, principalType: 'service', scope: '' });
      // Unknown or unpublished categories are assigned without enrichment (no existence check).
      expect((await call('PUT', `${seg}/s-main/items/CATEGORY/cat-secret`, { headers })).status).toBe(201);
      expect((await call('GET', `${seg}/s-main/items/CATEGORY/cat-secret`, { headers })).body.item).toEqual({ id: 'cat-secret' });
    });

    it('enforces versions, validates type, ids and body, and 404s an unknown segment', async () => {
      expectError(
        await call('PUT', `${seg}/s-main/items/PRODUCT/p-1`, { headers, body: { metadata: { version: 1 } } }),
        409,
        'version_conflict',
      );
      expect(
        expectError(await call('PUT', `${seg}/s-main/items/SERVICE/p-1`, { headers }), 400, 'validation_failed').details[0],
      ).toMatchObject({ field: 'type', type: 'invalid_value' });
      expectError(await call('GET', `${seg}/s-main/items/SERVICE/p-1`, { headers }), 400, 'validation_failed');
      expectError(await call('DELETE', `${seg}/s-main/items/SERVICE/p-1`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/s-main/items/PRODUCT/.x`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/s-main/items/PRODUCT/p-2`, { headers, body: { mixins: [] } }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/ghost/items/PRODUCT/p-2`, { headers }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/ghost/items/PRODUCT/p-1`, { headers }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/s-main/items/PRODUCT/p-404`, { headers }), 404, 'resource_not_found');
    });

    it('DELETE is idempotent', async () => {
      await call('PUT', `${seg}/s-main/items/PRODUCT/p-del`, { headers });
      expect((await call('DELETE', `${seg}/s-main/items/product/p-del`, { headers })).status).toBe(204);
      expect((await call('DELETE', `${seg}/s-main/items/PRODUCT/p-del`, { headers })).status).toBe(204);
      expect((await call('DELETE', `${seg}/ghost/items/PRODUCT/p-del`, { headers })).status).toBe(204);
      expectError(await call('GET', `${seg}/s-main/items/PRODUCT/p-del`, { headers }), 404, 'resource_not_found');
    });
  });

  describe('bulk', () => {
    it('PUT .../items/{type}/bulk: 207 per element, category snapshots included', async () => {
      const res = await call('PUT', `${seg}/s-off/items/category/bulk`, {
        headers,
        body: [{ id: 'cat-garden' }, { id: 'cat-garden', metadata: { version: 5 } }, {}, { id: 'bulk' }, 3],
      });
      expect(res.body).toEqual([
        { index: 0, code: 201, status: 'Created' },
        { index: 1, code: 409, status: 'Conflict', message: expect.any(String) },
        { index: 2, code: 400, status: 'Bad Request', message: 'id is required' },
        { index: 3, code: 400, status: 'Bad Request', message: expect.stringContaining('reserved') },
        { index: 4, code: 400, status: 'Bad Request', message: expect.any(String) },
      ]);
      expect((await call('GET', `${seg}/s-off/items/CATEGORY/cat-garden`, { headers })).body.item).toEqual({
        id: 'cat-garden',
        name: { en: 'Garden' },
      });
      await call('PUT', `${seg}/s-b2b/items/PRODUCT/bulk`, { headers, body: [{ id: 'p-1' }, { id: 'p-b' }] });
    });

    it('DELETE .../items/{type}/bulk: strings are 204, others 400; whole-request rules', async () => {
      await call('PUT', `${seg}/s-off/items/PRODUCT/bulk`, { headers, body: [{ id: 'x1' }] });
      const res = await call('DELETE', `${seg}/s-off/items/PRODUCT/bulk`, { headers, body: ['x1', 'x1', { id: 'x' }] });
      expect(res.body).toEqual([
        { index: 0, code: 204, status: 'No Content' },
        { index: 1, code: 204, status: 'No Content' },
        { index: 2, code: 400, status: 'Bad Request', message: expect.any(String) },
      ]);
      expectError(await call('PUT', `${seg}/s-off/items/THING/bulk`, { headers, body: [{ id: 'x' }] }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/ghost/items/PRODUCT/bulk`, { headers, body: [{ id: 'x' }] }), 404, 'resource_not_found');
      expectError(await call('DELETE', `${seg}/ghost/items/PRODUCT/bulk`, { headers, body: ['x'] }), 404, 'resource_not_found');
      expectError(await call('PUT', `${seg}/s-off/items/PRODUCT/bulk`, { headers, body: [] }), 400, 'validation_failed');
      expectError(await call('DELETE', `${seg}/s-off/items/PRODUCT/bulk`, { headers, body: 'x1' }), 400, 'validation_failed');
    });
  });

  describe('lists', () => {
    it('lists one segment, with q, sort, paging, total and search', async () => {
      const all = await call('GET', `${seg}/s-main/items`, { headers: { ...headers, 'x-total-count': 'true' } });
      expect(all.headers.get('x-total-count')).toBe('3');
      expect(all.body.map((a: { type: string; item: { id: string } }) => `${a.type}:${a.item.id}`)).toEqual([
        'CATEGORY:cat-hammers',
        'CATEGORY:cat-secret',
        'PRODUCT:p-1',
      ]);
      const products = await call('GET', `${seg}/s-main/items?q=type:PRODUCT&fields=item.id`, { headers });
      expect(products.body).toEqual([{ item: { id: 'p-1' } }]);
      const byCode = await call('POST', `${seg}/s-main/items/search`, { headers, body: { q: 'item.code:H' } });
      expect(byCode.body.map((a: { item: { id: string } }) => a.item.id)).toEqual(['cat-hammers']);
      const desc = await call('GET', `${seg}/s-main/items?sort=itemId:desc&pageSize=1`, { headers });
      expect(desc.body.map((a: { item: { id: string } }) => a.item.id)).toEqual(['p-1']);
      expectError(await call('GET', `${seg}/ghost/items`, { headers }), 404, 'resource_not_found');
      expectError(await call('POST', `${seg}/ghost/items/search`, { headers, body: {} }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/s-main/items?q=item.name:x`, { headers }), 400, 'invalid_query');
    });

    it('GET /segments/items spans segments; siteCode and onlyActive filter by the owning segment', async () => {
      const ids = async (qs: string) =>
        (await call('GET', `/customer-segment/${T}/segments/items?${qs}`, { headers })).body.map(
          (a: { segmentId: string; item: { id: string } }) => `${a.segmentId}:${a.item.id}`,
        );
      expect(await ids('q=item.id:p-1')).toEqual(['s-b2b:p-1', 's-main:p-1']);
      expect(await ids('q=item.id:p-1&siteCode=main')).toEqual(['s-main:p-1']);
      expect(await ids('onlyActive=TRUE')).toEqual(['s-main:cat-hammers', 's-main:cat-secret', 's-main:p-1']);
      expect(await ids('siteCode=none')).toEqual([]);
      // The category service's segmentsIds call (segment §7): FULL mode, no onlyActive.
      const q = encodeURIComponent('type:CATEGORY segmentId:("s-off","s-main","unknown")');
      expect(await ids(`q=${q}&pageSize=1000&pageNumber=1`)).toEqual(['s-main:cat-hammers', 's-main:cat-secret', 's-off:cat-garden']);
      expectError(await call('GET', `/customer-segment/${T}/segments/items?onlyActive=yes`, { headers }), 400, 'validation_failed');
    });
  });
});
