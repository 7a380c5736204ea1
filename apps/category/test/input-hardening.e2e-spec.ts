import { createHmac } from 'node:crypto';
import { httpRequest, mintToken, TEST_AUTH } from '@suite/testing';
import { ALL_SCOPES, Client, expectCategoryError, Harness, startHarness } from './support';

// Client input that must be refused as a 400 in the category profile (issue #12, "input"): ids
// that cannot be segment ids in `segmentsIds`, numbers JSON cannot carry back, every problem of a
// body with a forbidden key, a non-string search `q`, and tokens with a `crit` header.

const T = 'inp';
const ID_DETAIL = 'segmentsIds: each segment id must be 1 to 128 URL-safe characters';

describe('category input hardening', () => {
  let h: Harness;
  let c: Client;

  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, T);
    // The customer-segment stand-in knows one segment, `gold`, with the category K1.
    h.stub.respond(() => ({ json: [{ segmentId: 'gold', type: 'CATEGORY', item: { id: 'K1' } }] }));
    await c.category({ id: 'K1' });
    expect((await c.put('/categories/K1/assignments/references/p-1')).status).toBe(201);
  });
  afterAll(() => h.close());

  describe('segmentsIds (ID-3, §9)', () => {
    it.each([
      ['a NUL', '%00'],
      ['a NUL beside a valid id', 'gold,%00'],
      ['an id of 129 characters', 'a'.repeat(129)],
      ['an id of 4,200 characters', 'b'.repeat(4200)],
      ['an id starting with a dot', '.gold'],
      ['an id with a space inside', 'go%20ld'],
    ])('refuses %s with a 400 that never reaches the segment service', async (_name, value) => {
      h.stub.reset();
      const res = await c.get(`/categories/K1/assignments?segmentsIds=${value}`);
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([ID_DETAIL]);
      expect(h.stub.requests).toHaveLength(0);
    });

    it('lists the id problem beside the other problems of the request', async () => {
      const res = await c.get(`/categories/K1/assignments?segmentsIds=%00&withSubcategories=1`);
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([ID_DETAIL, 'withSubcategories: must be true or false']);
    });

    it('still asks the segment service for ids of up to 128 characters', async () => {
      h.stub.reset();
      const longest = 'c'.repeat(128);
      const res = await c.get(`/categories/K1/assignments?segmentsIds=gold,${longest}`);
      expect(res.status).toBe(200);
      expect(res.body.map((a: { ref: { id: string } }) => a.ref.id)).toEqual(['p-1']);
      expect(h.stub.requests).toHaveLength(1);
      expect(h.stub.requests[0].query.get('q')).toBe(`type:CATEGORY segmentId:("gold","${longest}")`);
    });
  });

  describe('numbers JSON cannot carry back', () => {
    it('refuses 1e400 and -1e400 in a create, naming every such field, and stores nothing', async () => {
      const res = await c.post(
        '/categories',
        '{"id":"N1","published":true,"localizedName":{"en":"n"},"mixins":{"loyalty":{"points":1e400,"list":[1,-1e400]}},"position":1e999}',
      );
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        'mixins.loyalty.list[1]: must be a finite number',
        'mixins.loyalty.points: must be a finite number',
        'position: must be a finite number',
      ]);
      expectCategoryError(await c.get('/categories/N1'), 404, 'resource_not_found');
    });

    it('refuses them in a replace and a merge patch, and leaves the category as it was', async () => {
      await c.category({ id: 'N2', mixins: { loyalty: { points: 5 } } });
      const put = await c.put('/categories/N2', '{"published":true,"localizedName":{"en":"n"},"mixins":{"loyalty":{"points":1e400}}}');
      expectCategoryError(put, 400, 'validation_failed');
      expect(put.body.details).toEqual(['mixins.loyalty.points: must be a finite number']);
      const patch = await c.patch('/categories/N2', '{"metadata":{"version":1},"mixins":{"loyalty":{"points":-1e400}}}', {
        'content-type': 'application/merge-patch+json',
      });
      expectCategoryError(patch, 400, 'validation_failed');
      expect(patch.body.details).toEqual(['mixins.loyalty.points: must be a finite number']);
      const stored = await c.get('/categories/N2');
      expect(stored.body.mixins).toEqual({ loyalty: { points: 5 } });
      expect(stored.body.metadata.version).toBe(1);
    });

    it('refuses them inside a bulk body as a whole-request 400', async () => {
      const res = await c.post(
        '/categories/K1/assignments/bulk',
        '[{"ref":{"id":"p-9","type":"PRODUCT"}},{"ref":{"id":"p-8","type":"PRODUCT","n":1e400}}]',
      );
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual(['[1].ref.n: must be a finite number']);
    });

    it('keeps numbers that only lose precision (an underflow to 0 round-trips)', async () => {
      const res = await c.post(
        '/categories',
        '{"id":"N3","published":true,"localizedName":{"en":"n"},"mixins":{"m":{"tiny":1e-400,"big":1e300}}}',
      );
      expect(res.status).toBe(201);
      expect((await c.get('/categories/N3')).body.mixins).toEqual({ m: { tiny: 0, big: 1e300 } });
    });
  });

  describe('ERR-6: a forbidden key is listed with every other problem', () => {
    it('reports the key (ERR-8) and the invalid fields together', async () => {
      const res = await c.post('/categories', { localizedName: {}, position: 'x', mixins: { loyalty: { $tier: 'gold' } } });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        'localizedName: must contain at least one translation',
        'mixins.loyalty.$tier: keys must not be empty, start with $, contain . or NUL, or be __proto__',
        'position: must be an integer >= 0',
        'published: must be a boolean',
      ]);
    });

    it('still refuses a forbidden key alone, and in a bulk body', async () => {
      const alone = await c.post('/categories', { published: true, localizedName: { en: 'x' }, mixins: { loyalty: { 'a.b': 1 } } });
      expectCategoryError(alone, 400, 'validation_failed');
      expect(alone.body.details).toEqual(['mixins.loyalty.a.b: keys must not be empty, start with $, contain . or NUL, or be __proto__']);
      const bulk = await c.post('/categories/K1/assignments/bulk', [{ ref: { id: 'p-7', type: 'PRODUCT', $x: 1 } }]);
      expectCategoryError(bulk, 400, 'validation_failed');
      expect(bulk.body.details).toEqual(['[0].ref.$x: keys must not be empty, start with $, contain . or NUL, or be __proto__']);
    });
  });

  describe('Q-31: a search q that is not a string', () => {
    it.each([
      ['an operator object', { q: { $ne: '' } }],
      ['an array holding an operator object', { q: [{ $gt: '' }] }],
      ['a number', { q: 5 }],
    ])('answers %s with invalid_type on q', async (_name, body) => {
      const res = await c.post('/categories/search', body);
      expectCategoryError(res, 400, 'invalid_query');
      expect(res.body.details).toEqual(['q: q must be a string']);
    });

    it('still refuses a forbidden key elsewhere in a search body', async () => {
      const res = await c.post('/categories/search', { q: 'code:K1', filter: { $where: '1' } });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual(['filter.$where: keys must not be empty, start with $, contain . or NUL, or be __proto__']);
    });
  });

  describe('RFC 7515 crit', () => {
    const sign = (header: object, payload: object) => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const input = `${part(header)}.${part(payload)}`;
      return `${input}.${createHmac('sha256', TEST_AUTH.secret).update(input).digest('base64url')}`;
    };

    it('refuses a token whose header names a critical extension, and accepts the same token without it', async () => {
      const minted = await mintToken({ tenant: T, scopes: ALL_SCOPES });
      const payload = JSON.parse(Buffer.from(minted.split('.')[1], 'base64url').toString('utf8')) as object;
      const get = (token: string) =>
        httpRequest(`${h.url}/category/${T}/categories`, 'GET', { headers: { authorization: `Bearer ${token}` } });
      expect((await get(sign({ alg: 'HS256', typ: 'JWT' }, payload))).status).toBe(200);
      for (const header of [
        { alg: 'HS256', typ: 'JWT', crit: ['urn:example:unknown'], 'urn:example:unknown': true },
        { alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: true },
        { alg: 'HS256', typ: 'JWT', crit: [] },
      ]) {
        const res = await get(sign(header, payload));
        expect({ crit: header.crit, status: res.status, body: res.body }).toEqual({
          crit: header.crit,
          status: 401,
          body: { fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } },
        });
      }
    });
  });
});
