import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { categoryService, tokenClaims } from './fake-category';
import { Harness, MANAGE, READ, READ_OWN, auth, client, customer, expectError, startHarness } from './support';

const T = 'cattest';
const seg = `/customer-segment/${T}/segments`;
const trees = `${seg}/items/category-trees`;

describe('category trees and match against the category contract (segment §8, §9)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let admin: Record<string, string>;
  let me: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness();
    h.category.respond(categoryService);
    call = client(h.url);
    admin = await auth(T);
    me = await customer(T, 'cust-1');
    await call('PUT', `${seg}/tools`, { headers: admin, body: { name: 't', siteCode: 'main', status: 'ACTIVE' } });
    await call('PUT', `${seg}/garden`, { headers: admin, body: { name: 'g', siteCode: 'shop2', status: 'ACTIVE' } });
    await call('PUT', `${seg}/expired`, {
      headers: admin,
      body: { name: 'e', siteCode: 'main', status: 'ACTIVE', validity: { to: '2001-01-01T00:00:00Z' } },
    });
    await call('PUT', `${seg}/tools/items/CATEGORY/bulk`, {
      headers: admin,
      body: [{ id: 'cat-hammers' }, { id: 'cat-deleted' }, { id: 'cat-secret' }],
    });
    await call('PUT', `${seg}/tools/items/PRODUCT/p-direct`, { headers: admin });
    await call('PUT', `${seg}/garden/items/CATEGORY/cat-garden`, { headers: admin });
    await call('PUT', `${seg}/expired/items/CATEGORY/cat-saws`, { headers: admin });
    for (const s of ['tools', 'garden', 'expired']) await call('PUT', `${seg}/${s}/customers/cust-1`, { headers: admin });
  });
  afterAll(async () => h.close());

  describe('GET /segments/items/category-trees', () => {
    it('builds the §8.5 tree: ancestors flagged false, the assigned category and its subtree true, one request', async () => {
      h.category.reset();
      const res = await call('GET', `${trees}?siteCode=main`, { headers: me });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        {
          id: 'cat-tools',
          code: 'T',
          name: { en: 'Tools', de: 'Werkzeuge' },
          localizedSlug: { en: 'tools' },
          position: 0,
          published: true,
          isSegmentAssigned: false,
          subcategories: [
            {
              id: 'cat-hammers',
              parentId: 'cat-tools',
              code: 'H',
              name: { en: 'Hammers', de: 'Hämmer' },
              position: 0,
              published: true,
              isSegmentAssigned: true,
              subcategories: [
                {
                  id: 'cat-sledge',
                  parentId: 'cat-hammers',
                  code: 'S',
                  name: { en: 'Sledgehammers' },
                  position: 0,
                  published: true,
                  isSegmentAssigned: true,
                },
              ],
            },
          ],
        },
      ]);
      expect(h.category.requests).toHaveLength(1);
      const [req] = h.category.requests;
      expect(req.method).toBe('POST');
      expect(req.path).toBe(`/category/${T}/category-trees/search`);
      expect(JSON.parse(req.body).categoryIds.sort()).toEqual(['cat-deleted', 'cat-hammers', 'cat-secret']);
      expect(req.headers['accept-language']).toBe('*');
      expect(req.query.has('showUnpublished')).toBe(false);
      // S2S-3: the service's own token for the same tenant, with no scope; never the customer's.
      expect(tokenClaims(req)).toMatchObject({ tenant: T, principalType: 'service', scope: '' });
      expect(req.headers.authorization).not.toBe(me.authorization);
    });

    it('uses every visible segment without siteCode, narrows maps by Accept-Language, and skips inactive segments', async () => {
      const res = await call('GET', trees, { headers: { ...me, 'accept-language': 'de' } });
      expect(res.body.map((n: { id: string }) => n.id)).toEqual(['cat-tools', 'cat-garden']);
      expect(res.body[0].name).toEqual({ de: 'Werkzeuge' });
      expect(res.body[0].subcategories.map((n: { id: string }) => n.id)).toEqual(['cat-hammers']);
      expect(res.body[1]).toEqual({ id: 'cat-garden', code: '', name: {}, position: 1, published: true, isSegmentAssigned: true });
    });

    it('answers [] without calling the category service when nothing is assigned or visible', async () => {
      h.category.reset();
      expect((await call('GET', `${trees}?siteCode=nowhere`, { headers: me })).body).toEqual([]);
      expect((await call('GET', trees, { headers: await customer(T, 'nobody') })).body).toEqual([]);
      // A non-customer token holding read_own belongs to nothing (§1.2.3).
      expect((await call('GET', trees, { headers: await auth(T, [READ_OWN, READ]) })).body).toEqual([]);
      expect(h.category.requests).toHaveLength(0);
    });

    it('asks the category service on every read: a changed answer shows at once, identical answers are decoded once', async () => {
      let name = 'Tools v1';
      const forest = () => [
        {
          id: 'cat-tools',
          code: 'T',
          localizedName: { en: name },
          position: 0,
          published: true,
          subcategories: [
            { id: 'cat-hammers', parentId: 'cat-tools', localizedName: { en: 'Hammers' }, published: true, subcategories: [] },
          ],
        },
      ];
      h.category.respond(() => ({ json: forest() }));
      h.category.reset();
      const first = await call('GET', `${trees}?siteCode=main`, { headers: me });
      const again = await call('GET', `${trees}?siteCode=main`, { headers: me });
      expect(again.body).toEqual(first.body);
      expect(first.body[0].name).toEqual({ en: 'Tools v1' });
      name = 'Tools v2';
      expect((await call('GET', `${trees}?siteCode=main`, { headers: me })).body[0].name).toEqual({ en: 'Tools v2' });
      // Never the previous decoding when the answer turns bad (S2S-11).
      h.category.respond(() => ({ json: [{ name: 'no id' }] }));
      expectError(await call('GET', `${trees}?siteCode=main`, { headers: me }), 503, 'upstream_unavailable');
      expect(h.category.requests).toHaveLength(4);
      h.category.respond(categoryService);
    });

    it('sends the tree gzip-coded when Accept-Encoding allows it, the same JSON as without, fresh after a change (README)', async () => {
      let name = 'Tools v1';
      const forest = () => [
        {
          id: 'cat-tools',
          localizedName: { en: name },
          published: true,
          subcategories: [
            {
              id: 'cat-hammers',
              parentId: 'cat-tools',
              localizedName: { en: 'Hammers' },
              published: true,
              subcategories: Array.from({ length: 40 }, (_, i) => ({
                id: `cat-h${i}`,
                parentId: 'cat-hammers',
                localizedName: { en: `A hammer category with a long name, number ${i}` },
                published: true,
                subcategories: [],
              })),
            },
          ],
        },
      ];
      h.category.respond(() => ({ json: forest() }));
      const raw = async (acceptEncoding?: string) => {
        const res = await request(`${h.url}${trees}?siteCode=main`, {
          headers: { ...me, ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) },
        });
        return { status: res.statusCode, headers: res.headers, bytes: Buffer.from(await res.body.arrayBuffer()) };
      };
      try {
        const plain = await raw();
        expect(plain.status).toBe(200);
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(plain.headers.vary).toBe('Accept-Encoding');
        expect(JSON.parse(plain.bytes.toString())[0].subcategories[0].subcategories).toHaveLength(40);
        for (const accept of ['gzip', 'br, gzip;q=0.5', '*']) {
          const zipped = await raw(accept);
          expect([accept, zipped.status, zipped.headers['content-encoding']]).toEqual([accept, 200, 'gzip']);
          expect(zipped.headers.vary).toBe('Accept-Encoding');
          expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
          expect(gunzipSync(zipped.bytes).equals(plain.bytes)).toBe(true);
        }
        for (const accept of ['identity', 'gzip;q=0', 'br']) {
          const res = await raw(accept);
          expect([accept, res.headers['content-encoding']]).toEqual([accept, undefined]);
          expect(res.bytes.equals(plain.bytes)).toBe(true);
        }
        // A changed category answer is in the very next gzip answer.
        name = 'Tools v2';
        expect(JSON.parse(gunzipSync((await raw('gzip')).bytes).toString())[0].name).toEqual({ en: 'Tools v2' });
      } finally {
        h.category.respond(categoryService);
      }
    });

    it('asks conditionally once an answer came with a tag: a 412 reuses that answer, a new answer replaces it (S2S-11)', async () => {
      let version = 1;
      const forest = () => [
        {
          id: 'cat-tools',
          localizedName: { en: `Tools v${version}` },
          published: true,
          subcategories: [
            { id: 'cat-hammers', parentId: 'cat-tools', localizedName: { en: 'Hammers' }, published: true, subcategories: [] },
          ],
        },
      ];
      h.category.respond((req) => {
        const etag = `W/"v${version}"`;
        if (req.headers['if-none-match'] === etag) return { status: 412, json: { code: 412 }, headers: { etag } };
        return { json: forest(), headers: { etag } };
      });
      h.category.reset();
      try {
        const name = async () => (await call('GET', `${trees}?siteCode=main`, { headers: me })).body[0].name;
        expect(await name()).toEqual({ en: 'Tools v1' });
        expect(await name()).toEqual({ en: 'Tools v1' });
        version = 2;
        expect(await name()).toEqual({ en: 'Tools v2' });
        expect(await name()).toEqual({ en: 'Tools v2' });
        // Asked every time; conditionally from the second read on, with the tag of the answer held.
        expect(h.category.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, 'W/"v1"', 'W/"v1"', 'W/"v2"']);
        // A tag that is no entity tag is not sent back: the next call goes unconditional.
        h.category.respond(() => ({ json: forest(), headers: { etag: 'no-quotes' } }));
        expect(await name()).toEqual({ en: 'Tools v2' });
        expect(await name()).toEqual({ en: 'Tools v2' });
        expect(h.category.requests.slice(-1)[0].headers['if-none-match']).toBeUndefined();
      } finally {
        h.category.respond(categoryService);
      }
    });

    it('is read_own only, refuses anonymous callers and a foreign legal entity', async () => {
      expectError(await call('GET', trees, { headers: await auth(T, [READ, MANAGE]) }), 403, 'insufficient_scope');
      expectError(await call('GET', trees, { headers: await auth(T, [READ_OWN], { principalType: 'anonymous' }) }), 403, 'forbidden');
      expectError(await call('GET', `${trees}?legalEntityId=le-x`, { headers: me }), 403, 'forbidden');
    });
  });

  describe('POST /segments/match', () => {
    const match = (body: unknown) => call('POST', `${seg}/match`, { headers: admin, body });

    it('matches directly and through assigned categories and their descendants, in request order, once each', async () => {
      h.category.reset();
      const res = await match({
        siteCode: 'main',
        items: [{ id: 'p-none' }, { id: 'p-sledge' }, { id: 'p-direct' }, { id: 'p-saw' }, { id: 'p-sledge' }, { id: 'bad id' }],
        segmentIds: ['tools', 'expired', 'unknown'],
      });
      expect(res.status).toBe(200);
      // p-sledge sits under cat-hammers (assigned); p-saw only in an expired segment's category.
      expect(res.body).toEqual([{ id: 'p-sledge' }, { id: 'p-direct' }]);
      const lookups = h.category.requests.map((r) => decodeURIComponent(r.path.split('/').pop()!)).sort();
      expect(lookups).toEqual(['p-none', 'p-saw', 'p-sledge']);
      const r0 = h.category.requests[0];
      expect(Object.fromEntries(r0.query)).toEqual({ expandSupercategoriesIds: 'true', pageSize: '1000', pageNumber: '1' });
      expect(tokenClaims(r0)).toMatchObject({ scope: '', principalType: 'service', tenant: T });
    });

    it('accepts site instead of siteCode, counts only segments of that site, and skips lookups without categories', async () => {
      h.category.reset();
      expect(
        (await match({ site: 'shop2', items: [{ id: 'p-garden' }, { id: 'p-sledge' }], segmentIds: ['garden', 'tools'] })).body,
      ).toEqual([{ id: 'p-garden' }]);
      expect((await match({ siteCode: 'main', site: 'main', items: [], segmentIds: ['tools'] })).body).toEqual([]);
      expect((await match({ siteCode: 'main', items: [{ id: 'p-1' }], segmentIds: [] })).body).toEqual([]);
      await call('PUT', `${seg}/plain`, { headers: admin, body: { name: 'p', siteCode: 'plain', status: 'ACTIVE' } });
      await call('PUT', `${seg}/plain/items/PRODUCT/p-x`, { headers: admin });
      expect((await match({ siteCode: 'plain', items: [{ id: 'p-x' }, { id: 'p-y' }], segmentIds: ['plain'] })).body).toEqual([
        { id: 'p-x' },
      ]);
      expect(h.category.requests.filter((r) => r.path.includes('p-y'))).toHaveLength(0);
    });

    it.each([
      ['no items', { siteCode: 'main', segmentIds: [] }],
      ['items not an array', { siteCode: 'main', items: {}, segmentIds: [] }],
      ['an item without id', { siteCode: 'main', items: [{}], segmentIds: [] }],
      ['segmentIds with a number', { siteCode: 'main', items: [], segmentIds: [1] }],
      ['no site', { items: [], segmentIds: [] }],
      ['an empty siteCode', { siteCode: '', items: [], segmentIds: [] }],
      ['site and siteCode differing', { siteCode: 'a', site: 'b', items: [], segmentIds: [] }],
      ['an array body', []],
    ])('rejects %s with 400', async (_name, body) => {
      expectError(await match(body), 400, 'validation_failed');
    });

    it('reports items of the wrong type once, without checking members of a non-array (ERR-6)', async () => {
      const res = await match({ siteCode: 'main', items: {}, segmentIds: 'tools' });
      expect(
        expectError(res, 400, 'validation_failed').details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`),
      ).toEqual(['items:invalid_type', 'segmentIds:invalid_type']);
    });

    it('is manage only', async () => {
      expectError(await call('POST', `${seg}/match`, { headers: await auth(T, [READ, READ_OWN]), body: {} }), 403, 'insufficient_scope');
    });
  });

  // Failure modes last: each one counts against the client's circuit breaker (S2S-8).
  describe('a failing category service (S2S-10: 503 upstream_unavailable, never partial)', () => {
    const matchBody = { siteCode: 'main', items: [{ id: 'p-direct' }, { id: 'p-sledge' }], segmentIds: ['tools'] };

    it('garbage bodies: not JSON, not an array, a node without id', async () => {
      h.category.respond(() => ({ raw: '<html>oops</html>', headers: { 'content-type': 'text/html' } }));
      expect(expectError(await call('GET', trees, { headers: me }), 503, 'upstream_unavailable').details[0]).toMatchObject({
        field: 'category',
        type: 'upstream_unavailable',
      });
      expectError(await call('POST', `${seg}/match`, { headers: admin, body: matchBody }), 503, 'upstream_unavailable');
      h.category.respond(() => ({ json: { id: 'cat-tools' } }));
      expectError(await call('GET', trees, { headers: me }), 503, 'upstream_unavailable');
      h.category.respond((req) =>
        req.method === 'POST'
          ? { json: [{ id: 'cat-tools', subcategories: [{ id: 'cat-hammers', subcategories: [] }] }, { name: 'no id' }] }
          : { json: [{ noId: true }] },
      );
      expectError(await call('GET', trees, { headers: me }), 503, 'upstream_unavailable');
      expectError(await call('POST', `${seg}/match`, { headers: admin, body: matchBody }), 503, 'upstream_unavailable');
    });

    it('a 500 and a 401 are 503; enrichment failures never fail a write', async () => {
      h.category.respond(() => ({ status: 500, json: { error: 'boom' } }));
      expectError(await call('GET', trees, { headers: me }), 503, 'upstream_unavailable');
      expect((await call('PUT', `${seg}/tools/items/CATEGORY/cat-garden`, { headers: admin })).status).toBe(201);
      expect((await call('GET', `${seg}/tools/items/CATEGORY/cat-garden`, { headers: admin })).body.item).toEqual({ id: 'cat-garden' });
      h.category.respond(() => ({ status: 401, json: {} }));
      expectError(await call('POST', `${seg}/match`, { headers: admin, body: matchBody }), 503, 'upstream_unavailable');
    });

    it('a slow category service (beyond the 2 s attempt timeout) is 503 within the 5 s deadline', async () => {
      h.category.respond(() => ({ delayMs: 2500, json: [] }));
      const started = Date.now();
      expectError(await call('GET', trees, { headers: me }), 503, 'upstream_unavailable');
      expect(Date.now() - started).toBeLessThan(6500);
    }, 15000);
  });
});
