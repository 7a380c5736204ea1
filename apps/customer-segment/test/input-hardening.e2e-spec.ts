import { Harness, auth, client, expectError, startHarness } from './support';

// Client input that must be a 400 in the segment profile (issue #12, "input"): numbers JSON cannot
// carry back, every problem of a body with a forbidden key (ERR-6), and a search `q` that is an
// object, on every kind of body: create, replace, JSON Patch, bulk and search.

const T = 'seginp';
const base = `/customer-segment/${T}/segments`;
const KEY_MESSAGE = 'keys must not be empty, start with $, contain . or NUL, or be __proto__';
const NOT_FINITE = { type: 'invalid_value', message: 'must be a finite number' };

describe('customer-segment input hardening', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;
  const segment = (id: string, extra = '') => `{"id":"${id}","name":{"en":"n"},"status":"ACTIVE","siteCode":"main"${extra}}`;
  const pairs = (errorBody: { details: Array<{ field?: string; type: string }> }) =>
    errorBody.details.map((d) => `${d.field ?? ''}:${d.type}`);

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    headers = await auth(T);
    expect((await call('POST', base, { headers, raw: segment('base', ',"mixins":{"loyalty":{"points":5}}') })).status).toBe(201);
    expect((await call('PUT', `${base}/base/customers/C1`, { headers })).status).toBe(201);
  });
  afterAll(() => h.close());

  describe('numbers JSON cannot carry back', () => {
    it('refuses 1e400 in a create, with a detail per such number, and stores nothing', async () => {
      const res = await call('POST', base, {
        headers,
        raw: segment('big', ',"mixins":{"loyalty":{"points":1e400,"tiers":[{"max":-1e400}]}}'),
      });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([
        { field: 'mixins.loyalty.points', ...NOT_FINITE },
        { field: 'mixins.loyalty.tiers[0].max', ...NOT_FINITE },
      ]);
      expectError(await call('GET', `${base}/big`, { headers }), 404, 'resource_not_found');
    });

    it('lists them with the other problems of the body', async () => {
      const res = await call('POST', base, { headers, raw: '{"name":{"en":"n"},"status":"active","mixins":{"m":{"n":1e400}}}' });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual([
        'mixins.m.n:invalid_value',
        'siteCode:missing_value',
        'status:invalid_value',
      ]);
    });

    it('refuses them in a replace, a JSON Patch and a customer assignment, and changes nothing', async () => {
      const put = await call('PUT', `${base}/base`, { headers, raw: segment('base', ',"mixins":{"loyalty":{"points":1e400}}') });
      expect(expectError(put, 400, 'validation_failed').details).toEqual([{ field: 'mixins.loyalty.points', ...NOT_FINITE }]);
      const patch = await call('PATCH', `${base}/base`, {
        headers,
        raw: '[{"op":"add","path":"/mixins/loyalty","value":{"points":-1e400}}]',
        contentType: 'application/json-patch+json',
      });
      expect(expectError(patch, 400, 'validation_failed').details).toEqual([{ field: '[0].value.points', ...NOT_FINITE }]);
      const stored = (await call('GET', `${base}/base`, { headers })).body;
      expect(stored.mixins).toEqual({ loyalty: { points: 5 } });
      expect(stored.metadata.version).toBe(1);
      const customer = await call('PUT', `${base}/base/customers/C1`, { headers, raw: '{"mixins":{"segmentAttributes":{"score":1e400}}}' });
      expect(expectError(customer, 400, 'validation_failed').details).toEqual([{ field: 'mixins.segmentAttributes.score', ...NOT_FINITE }]);
    });

    it('refuses them in a bulk body as a whole-request 400', async () => {
      const res = await call('POST', `${base}/bulk`, {
        headers,
        raw: `[${segment('bulk-a')},${segment('bulk-b', ',"mixins":{"x":{"n":1e400}}')}]`,
      });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([{ field: '[1].mixins.x.n', ...NOT_FINITE }]);
      expectError(await call('GET', `${base}/bulk-a`, { headers }), 404, 'resource_not_found');
    });
  });

  describe('ERR-6: a forbidden key is listed with every other problem', () => {
    it('reports mixins.loyalty.$tier beside the invalid fields', async () => {
      const res = await call('POST', base, {
        headers,
        body: { name: { en: 'n' }, status: 'active', siteCode: 7, mixins: { loyalty: { $tier: 'gold' } } },
      });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([
        { field: 'mixins.loyalty.$tier', type: 'invalid_key', message: KEY_MESSAGE },
        { field: 'siteCode', type: 'invalid_type', message: expect.any(String) },
        { field: 'status', type: 'invalid_value', message: expect.any(String) },
      ]);
    });

    it('reports a value of the wrong type once, not the keys inside it', async () => {
      const res = await call('POST', base, { headers, body: { name: { en: 'n' }, status: 'ACTIVE', siteCode: { $ne: 1 } } });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual(['siteCode:invalid_type']);
    });

    it('still refuses a forbidden key in a body that is valid otherwise, and in a bulk body', async () => {
      const one = await call('POST', base, { headers, raw: segment('keyed', ',"mixins":{"loyalty":{"a.b":1}}') });
      expect(pairs(expectError(one, 400, 'validation_failed'))).toEqual(['mixins.loyalty.a.b:invalid_key']);
      expectError(await call('GET', `${base}/keyed`, { headers }), 404, 'resource_not_found');
      const bulk = await call('POST', `${base}/bulk`, { headers, raw: `[${segment('bulk-c', ',"$set":{"status":"INACTIVE"}')}]` });
      expect(pairs(expectError(bulk, 400, 'validation_failed'))).toEqual(['[0].$set:invalid_key']);
    });
  });

  describe('Q-31: a search q that is not a string is invalid_type on q', () => {
    it.each([
      ['segments', `${base}/search`],
      ['item assignments', `${base}/base/items/search`],
      ['customer assignments', `${base}/base/customers/search`],
    ])('on the %s search', async (_name, path) => {
      for (const q of [{ $ne: '' }, [{ $gt: '' }], { $where: 'sleep(1000)' }]) {
        const res = await call('POST', path, { headers, body: { q } });
        expect(expectError(res, 400, 'invalid_query').details).toEqual([
          { field: 'q', type: 'invalid_type', message: 'q must be a string' },
        ]);
      }
      expect((await call('POST', path, { headers, body: { q: '' } })).status).toBe(200);
    });
  });
});
