import { MongoClient } from 'mongodb';
import { Harness, READ_OWN, auth, client, customer, expectError, startHarness } from './support';

const T = 'convtest';
const base = `/customer-segment/${T}/segments`;
const F51 = Array.from({ length: 51 }, (_, i) => `f${i}`).join(',');

type Detail = { field?: string; type: string };
const pairs = (body: { details: Detail[] }) => body.details.map((d) => `${d.field ?? ''}:${d.type}`);

/** Cross-cutting rules of conventions.md as this service applies them (HTTP-*, ERR-*, META-*, PAG-9). */
describe('conventions (cross-cutting rules over HTTP)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    headers = await auth(T);
    expect(
      (await call('POST', base, { headers, body: { id: 'seg', name: { en: 'Gold' }, siteCode: 'main', status: 'ACTIVE' } })).status,
    ).toBe(201);
    expect((await call('PUT', `${base}/seg/customers/c1`, { headers })).status).toBe(201);
    expect((await call('PUT', `${base}/seg/items/PRODUCT/p1`, { headers })).status).toBe(201);
  });
  afterAll(async () => {
    await h.close();
  });

  describe('free-form keys named like Object.prototype members (ERR-3: never a 500; META-8)', () => {
    const mixins = { constructor: { tier: 1 }, loyalty: { constructor: 'x', nested: { toString: 2, prototype: [1] } } };

    it('stores and returns such keys in segment mixins, links and via bulk and JSON Patch', async () => {
      const created = await call('POST', base, {
        headers,
        body: {
          id: 'ctor',
          name: 'n',
          siteCode: 'main',
          mixins,
          metadata: { mixins: { constructor: 'https://schemas.example.com/c.json' } },
        },
      });
      expect(created.status).toBe(201);
      const got = await call('GET', `${base}/ctor`, { headers });
      expect(got.body.mixins).toEqual(mixins);
      expect(JSON.stringify(got.body.mixins)).toBe(JSON.stringify(mixins));
      expect(got.body.metadata.mixins).toEqual({ constructor: 'https://schemas.example.com/c.json' });
      expect((await call('PUT', `${base}/ctor`, { headers, body: { name: 'n', siteCode: 'main', mixins } })).status).toBe(204);
      const bulk = await call('PUT', `${base}/bulk`, { headers, body: [{ id: 'ctor-b', name: 'n', siteCode: 'main', mixins }] });
      expect(bulk.body).toEqual([{ index: 0, id: 'ctor-b', code: 201, status: 'Created' }]);
      const patched = await call('PATCH', `${base}/ctor`, {
        headers,
        body: [
          { op: 'add', path: '/mixins/extra', value: { constructor: 3 } },
          { op: 'replace', path: '/mixins/constructor/tier', value: 2 },
        ],
      });
      expect(patched.status).toBe(204);
      expect((await call('GET', `${base}/ctor`, { headers })).body.mixins).toMatchObject({
        constructor: { tier: 2 },
        extra: { constructor: 3 },
      });
    });

    it('stores such keys in customer and item assignment mixins, single and bulk', async () => {
      expect((await call('PUT', `${base}/seg/customers/c-ctor`, { headers, body: { mixins } })).status).toBe(201);
      expect((await call('GET', `${base}/seg/customers/c-ctor`, { headers })).body.mixins).toEqual(mixins);
      expect((await call('PUT', `${base}/seg/items/PRODUCT/p-ctor`, { headers, body: { mixins } })).status).toBe(201);
      expect((await call('GET', `${base}/seg/items/PRODUCT/p-ctor`, { headers })).body.mixins).toEqual(mixins);
      const customers = await call('PUT', `${base}/seg/customers/bulk`, { headers, body: [{ customerId: 'c-ctor2', mixins }] });
      expect(customers.body).toEqual([{ index: 0, code: 201, status: 'Created' }]);
      const items = await call('PUT', `${base}/seg/items/PRODUCT/bulk`, { headers, body: [{ id: 'p-ctor2', mixins }] });
      expect(items.body).toEqual([{ index: 0, code: 201, status: 'Created' }]);
    });

    it('answers 400 unsupported_language for a "constructor" translation', async () => {
      const res = await call('POST', base, { headers, body: { name: { constructor: 'x' }, siteCode: 'main' } });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual(['name.constructor:unsupported_language']);
    });

    it('refuses a __proto__ key instead of dropping it silently (ERR-8 decision)', async () => {
      const res = await call('POST', base, {
        headers,
        raw: '{"name":"n","siteCode":"main","mixins":{"a":{"__proto__":{"polluted":1},"k":1}}}',
      });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual(['mixins.a.__proto__:invalid_key']);
      const put = await call('PUT', `${base}/seg/customers/c-proto`, { headers, raw: '{"mixins":{"a":{"__proto__":{}}}}' });
      expect(pairs(expectError(put, 400, 'validation_failed'))).toEqual(['mixins.a.__proto__:invalid_key']);
    });
  });

  describe('null for optional metadata values', () => {
    it('treats metadata.mixins: null as no schema links on every segment write (never a 500)', async () => {
      expect(
        (await call('POST', base, { headers, body: { id: 'mm-null', name: 'n', siteCode: 'main', metadata: { mixins: null } } })).status,
      ).toBe(201);
      expect(
        (await call('PUT', `${base}/mm-null`, { headers, body: { name: 'n', siteCode: 'main', metadata: { mixins: null } } })).status,
      ).toBe(204);
      const bulk = await call('PUT', `${base}/bulk`, {
        headers,
        body: [{ id: 'mm-null2', name: 'n', siteCode: 'main', metadata: { mixins: null } }],
      });
      expect(bulk.body).toEqual([{ index: 0, id: 'mm-null2', code: 201, status: 'Created' }]);
      expect(
        (await call('PATCH', `${base}/mm-null`, { headers, body: [{ op: 'add', path: '/metadata/mixins', value: null }] })).status,
      ).toBe(204);
      const got = await call('GET', `${base}/mm-null`, { headers });
      expect(got.body.metadata).toEqual({ version: 3, createdAt: expect.any(String), modifiedAt: expect.any(String) });
    });

    it.each([
      ['segment PUT', 'PUT', `${base}/seg`, { name: 'n', siteCode: 'main', status: 'ACTIVE', metadata: { version: null } }],
      ['customer assignment PUT', 'PUT', `${base}/seg/customers/c1`, { metadata: { version: null } }],
      ['item assignment PUT', 'PUT', `${base}/seg/items/PRODUCT/p1`, { metadata: { version: null } }],
      ['new item assignment PUT', 'PUT', `${base}/seg/items/PRODUCT/p-new`, { metadata: { version: null } }],
    ])('answers 400 invalid_type, not 409, for metadata.version: null on a %s (META-5)', async (_name, method, path, body) => {
      const res = await call(method, path, { headers, body });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual(['metadata.version:invalid_type']);
    });

    it('reports metadata.version: null as a 400 element in bulk upserts', async () => {
      const segs = await call('PUT', `${base}/bulk`, {
        headers,
        body: [{ id: 'seg', name: 'n', siteCode: 'main', metadata: { version: null } }],
      });
      expect(segs.body).toEqual([
        { index: 0, id: 'seg', code: 400, status: 'Bad Request', message: 'metadata.version must be an integer' },
      ]);
      const customers = await call('PUT', `${base}/seg/customers/bulk`, {
        headers,
        body: [{ customerId: 'c1', metadata: { version: null } }],
      });
      expect(customers.body).toEqual([{ index: 0, code: 400, status: 'Bad Request', message: 'metadata.version must be an integer' }]);
    });
  });

  describe('ERR-6: every invalid input of one step is reported together', () => {
    it('GET /segments/items: onlyActive together with paging', async () => {
      const res = await call('GET', `${base}/items?onlyActive=maybe&pageSize=0`, { headers });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual(['onlyActive:invalid_type', 'pageSize:out_of_range']);
    });

    it('GET one segment and one item assignment: type, Accept-Language and fields together', async () => {
      const seg = await call('GET', `${base}/seg?fields=${F51}`, { headers: { ...headers, 'Accept-Language': 'not a tag!' } });
      expect(pairs(expectError(seg, 400, 'validation_failed'))).toEqual(['Accept-Language:invalid_format', 'fields:too_many_items']);
      const item = await call('GET', `${base}/seg/items/SERVICE/p1?fields=${F51}`, {
        headers: { ...headers, 'Accept-Language': 'not a tag!' },
      });
      expect(pairs(expectError(item, 400, 'validation_failed'))).toEqual([
        'Accept-Language:invalid_format',
        'fields:too_many_items',
        'type:invalid_value',
      ]);
    });

    it('segment writes: Content-Language and the path id do not hide body problems', async () => {
      const cl = { ...headers, 'Content-Language': 'xx' };
      const post = await call('POST', base, { headers: cl, body: { siteCode: 7 } });
      expect(pairs(expectError(post, 400, 'validation_failed'))).toEqual([
        'Content-Language:unsupported_language',
        'name:missing_value',
        'siteCode:invalid_type',
      ]);
      const put = await call('PUT', `${base}/.hidden`, { headers: cl, body: { name: 'n' } });
      expect(pairs(expectError(put, 400, 'validation_failed'))).toEqual([
        'Content-Language:unsupported_language',
        'segmentId:invalid_format',
        'siteCode:missing_value',
      ]);
      const patch = await call('PATCH', `${base}/seg`, { headers: cl, body: [{ op: 'move', path: '/status' }] });
      expect(pairs(expectError(patch, 400, 'validation_failed'))).toEqual([
        'Content-Language:unsupported_language',
        '[0].op:invalid_value',
      ]);
      const bulk = await call('POST', `${base}/bulk`, { headers: cl, body: {} });
      expect(pairs(expectError(bulk, 400, 'validation_failed'))).toEqual([':invalid_type', 'Content-Language:unsupported_language']);
    });

    it('bulk deletes and item bulks: query or path problems together with the body shape', async () => {
      const segs = await call('DELETE', `${base}/bulk?forceDelete=maybe`, { headers, body: {} });
      expect(pairs(expectError(segs, 400, 'validation_failed'))).toEqual([':invalid_type', 'forceDelete:invalid_type']);
      const items = await call('PUT', `${base}/seg/items/SERVICE/bulk`, { headers, body: [] });
      expect(pairs(expectError(items, 400, 'validation_failed'))).toEqual([':missing_value', 'type:invalid_value']);
    });
  });

  describe('HTTP-4: an unknown query parameter is ignored, whatever its name', () => {
    it('answers ?__proto__=x like no parameter: list, search, single read and write', async () => {
      const list = await call('GET', `${base}?__proto__=x&constructor=y`, { headers });
      expect(list.status).toBe(200);
      expect(list.body.map((s: { id: string }) => s.id)).toContain('seg');
      expect((await call('POST', `${base}/seg/customers/search?__proto__=x`, { headers })).status).toBe(200);
      expect((await call('GET', `${base}/seg?__proto__=x`, { headers })).status).toBe(200);
      expect((await call('PUT', `${base}/seg/items/PRODUCT/p1?__proto__=x`, { headers })).status).toBe(204);
    });
  });

  describe('AUTH-12 customer identity', () => {
    it('lets a customer name itself in customerId (OWN view), never another customer', async () => {
      const me = await customer(T, 'c1');
      const own = await call('GET', `${base}?customerId=c1`, { headers: { ...me, 'X-Total-Count': 'true' } });
      expect(own.status).toBe(200);
      expect(own.body.map((s: { id: string }) => s.id)).toEqual(['seg']);
      expect(own.headers.get('x-total-count')).toBe('1');
      expect((await call('POST', `${base}/search?customerId=c1`, { headers: me, body: { q: 'siteCode:main' } })).status).toBe(200);
      expectError(await call('GET', `${base}?customerId=c2`, { headers: me }), 403, 'forbidden');
      // A non-customer token in OWN mode has no identity to name.
      expectError(await call('GET', `${base}?customerId=c1`, { headers: await auth(T, [READ_OWN]) }), 403, 'forbidden');
    });
  });

  describe('LOC-3/LOC-6 Accept-Language priority', () => {
    it('sorts a localized field without language on the first language the header selects, also when * follows', async () => {
      for (const [id, en, de] of [
        ['loc-a', 'A', 'Z'],
        ['loc-b', 'B', 'Y'],
      ]) {
        expect((await call('POST', base, { headers, body: { id, name: { en, de }, siteCode: 'main' } })).status).toBe(201);
      }
      const list = async (al: string) => {
        const res = await call('GET', `${base}?q=${encodeURIComponent('id:~^loc-')}&sort=name&fields=id,name`, {
          headers: { ...headers, 'Accept-Language': al },
        });
        expect(res.status).toBe(200);
        return res.body as Array<{ id: string; name: Record<string, string> }>;
      };
      const deFirst = await list('de, *');
      expect(deFirst.map((s) => s.id)).toEqual(['loc-b', 'loc-a']);
      expect(deFirst[0].name).toEqual({ de: 'Y', en: 'B' });
      expect((await list('*;q=0.5, de')).map((s) => s.id)).toEqual(['loc-b', 'loc-a']);
      // `*` alone selects nothing first: the tenant default language (en) decides.
      expect((await list('*')).map((s) => s.id)).toEqual(['loc-a', 'loc-b']);
    });
  });

  describe('LOC-4 localized maps', () => {
    it('refuses two spellings of one language instead of keeping one silently', async () => {
      const res = await call('POST', base, {
        headers,
        body: { name: { en: 'a', EN: 'b' }, description: { de: 'x', DE: 'y' }, siteCode: 'main' },
      });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual(['description.DE:invalid_value', 'name.EN:invalid_value']);
    });
  });

  describe('EVT-3 event payloads', () => {
    it('segment-created carries the full segment including mixins, as segment-updated does', async () => {
      const mixins = { loyalty: { tier: 2 } };
      expect((await call('POST', base, { headers, body: { id: 'evt-mx', name: { en: 'E' }, siteCode: 'main', mixins } })).status).toBe(201);
      const mongo = await MongoClient.connect(h.db.uri);
      try {
        const row = await mongo
          .db('customer_segment')
          .collection('outbox')
          .findOne({ tenant: T, 'event.subject': 'evt-mx', 'event.type': 'customer-segment.segment-created' });
        expect(row?.event.data).toEqual({
          id: 'evt-mx',
          name: { en: 'E' },
          status: 'INACTIVE',
          siteCode: 'main',
          mixins,
          metadata: { version: 1, createdAt: expect.any(String), modifiedAt: expect.any(String) },
          tenant: T,
        });
      } finally {
        await mongo.close();
      }
    });
  });

  describe('bodies of JSON Patch and search requests', () => {
    it('answers 400 missing_payload for a PATCH without a body (ERR-9)', async () => {
      const res = await call('PATCH', `${base}/seg`, { headers });
      expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual([':missing_payload']);
    });

    it('answers 415 for a JSON Patch declared as a merge patch (META-6), before validating it', async () => {
      const ops = JSON.stringify([{ op: 'replace', path: '/status', value: 'INACTIVE' }]);
      expectError(
        await call('PATCH', `${base}/seg`, { headers, raw: ops, contentType: 'application/merge-patch+json' }),
        415,
        'unsupported_media_type',
      );
      expectError(
        await call('PATCH', `${base}/seg`, {
          headers,
          raw: '{"status":"INACTIVE"}',
          contentType: 'application/merge-patch+json; charset=utf-8',
        }),
        415,
        'unsupported_media_type',
      );
      expect((await call('GET', `${base}/seg`, { headers })).body.status).toBe('ACTIVE');
      expect((await call('PATCH', `${base}/seg`, { headers, raw: ops, contentType: 'application/json-patch+json' })).status).toBe(204);
      expect((await call('PATCH', `${base}/seg`, { headers, body: [{ op: 'replace', path: '/status', value: 'ACTIVE' }] })).status).toBe(
        204,
      );
    });

    it.each([`${base}/search`, `${base}/seg/customers/search`, `${base}/seg/items/search`])(
      'POST %s: a JSON null body is not an object (400)',
      async (path) => {
        const res = await call('POST', path, { headers, raw: 'null' });
        expect(pairs(expectError(res, 400, 'validation_failed'))).toEqual([':invalid_type']);
        expect((await call('POST', path, { headers })).status).toBe(200);
      },
    );
  });
});
