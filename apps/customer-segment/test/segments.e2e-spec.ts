import { MongoClient } from 'mongodb';
import { Harness, MANAGE, READ, auth, client, expectError, startHarness } from './support';

const T = 'segtest';
const base = `/customer-segment/${T}/segments`;

describe('segments (segment §3.1–§3.10)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;
  let mongo: MongoClient;

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    headers = await auth(T);
    mongo = await MongoClient.connect(h.db.uri);
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  const events = async (subject?: string) => {
    const rows = await mongo
      .db('customer_segment')
      .collection('outbox')
      .find(subject ? { tenant: T, 'event.subject': subject } : { tenant: T })
      .sort({ createdAt: 1 })
      .toArray();
    return rows.map(
      (r) => r.event as { type: string; subject: string; entityversion: number; data: Record<string, unknown>; tenant: string },
    );
  };

  describe('POST /segments', () => {
    it('creates with a custom id, answers 201 {id} with Location, stores version 1 and emits segment-created', async () => {
      const res = await call('POST', base, {
        headers,
        body: {
          id: 'seg-gold',
          name: { en: 'Gold customers' },
          description: { en: 'Top spenders' },
          validity: { from: '2024-01-01T01:00:00+01:00', to: '2099-12-31T23:59:59.000Z' },
          status: 'ACTIVE',
          siteCode: 'main',
          extra: 'dropped',
        },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: 'seg-gold' });
      expect(res.headers.get('location')).toBe(`${base}/seg-gold`);
      const got = await call('GET', `${base}/seg-gold`, { headers });
      expect(got.body).toEqual({
        id: 'seg-gold',
        name: { en: 'Gold customers' },
        description: { en: 'Top spenders' },
        validity: { from: '2024-01-01T00:00:00.000Z', to: '2099-12-31T23:59:59.000Z' },
        status: 'ACTIVE',
        siteCode: 'main',
        metadata: { version: 1, createdAt: expect.stringMatching(/Z$/), modifiedAt: expect.any(String) },
      });
      const [created] = await events('seg-gold');
      expect(created).toMatchObject({
        type: 'customer-segment.segment-created',
        entityversion: 1,
        tenant: T,
        data: { id: 'seg-gold', tenant: T, status: 'ACTIVE', siteCode: 'main', name: { en: 'Gold customers' } },
      });
    });

    it('generates a 24-hex id and defaults status to INACTIVE', async () => {
      const res = await call('POST', base, { headers, body: { name: 'Plain', siteCode: 'main' } });
      expect(res.status).toBe(201);
      expect(res.body.id).toMatch(/^[0-9a-f]{24}$/);
      const got = await call('GET', `${base}/${res.body.id}`, { headers });
      // A string name is stored under the tenant default language (LOC-4).
      expect(got.body).toMatchObject({ status: 'INACTIVE', name: { en: 'Plain' } });
    });

    it('answers 409 for a taken id', async () => {
      await call('POST', base, { headers, body: { id: 'dup', name: { en: 'a' }, siteCode: 'main' } });
      const res = await call('POST', base, { headers, body: { id: 'dup', name: { en: 'b' }, siteCode: 'main' } });
      expect(expectError(res, 409, 'duplicate_resource').resourceId).toBe('dup');
    });

    it('lists every invalid field at once', async () => {
      const res = await call('POST', base, {
        headers,
        body: { status: 'active', validity: { from: '2024-01-01T00:00:00' }, mixins: { '1bad': {} } },
      });
      const body = expectError(res, 400, 'validation_failed');
      expect(body.details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`)).toEqual(
        expect.arrayContaining([
          'name:missing_value',
          'siteCode:missing_value',
          'status:invalid_value',
          'validity.from:invalid_format',
          'mixins.1bad:invalid_key',
        ]),
      );
    });

    it.each([
      ['a reserved id', { id: 'search' }, 'invalid_value'],
      ['a malformed id', { id: '.hidden' }, 'invalid_format'],
      ['a name of the wrong type', { name: 42 }, 'invalid_type'],
      ['a name in an unknown language', { name: { xx: 'x' } }, 'unsupported_language'],
      ['an empty name map', { name: {} }, 'missing_value'],
      ['a siteCode of the wrong type', { siteCode: 7 }, 'invalid_type'],
      ['validity.from after validity.to', { validity: { from: '2025-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' } }, 'invalid_value'],
      ['a non-http schema link', { metadata: { mixins: { a: 'ftp://x' } } }, 'invalid_format'],
      // §2.1: leaving status out means INACTIVE; null is not a status and must not deactivate silently.
      ['a null status', { status: null }, 'invalid_value'],
    ])('rejects %s', async (_name, patch, type) => {
      const res = await call('POST', base, { headers, body: { id: 'bad-input', name: { en: 'n' }, siteCode: 'main', ...patch } });
      const body = expectError(res, 400, 'validation_failed');
      expect(body.details.map((d: { type: string }) => d.type)).toContain(type);
    });

    it('reports a wrongly typed object once (ERR-6), without echoes of its nested validation', async () => {
      const res = await call('POST', base, { headers, body: { name: { en: 'n' }, siteCode: 'main', validity: 'soon', metadata: 'x' } });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([
        { field: 'metadata', type: 'invalid_type', message: 'metadata must be an object' },
        { field: 'validity', type: 'invalid_type', message: 'validity must be an object' },
      ]);
    });

    it('ignores metadata.version on create, whatever its value (§3.1, §1.7)', async () => {
      const res = await call('POST', base, {
        headers,
        body: {
          id: 'meta-v',
          name: 'v',
          siteCode: 'main',
          metadata: { version: 'abc', mixins: { a: 'https://schemas.example.com/a.json' } },
        },
      });
      expect(res.status).toBe(201);
      expect((await call('GET', `${base}/meta-v`, { headers })).body.metadata).toMatchObject({
        version: 1,
        mixins: { a: 'https://schemas.example.com/a.json' },
      });
      const bulk = await call('POST', `${base}/bulk`, {
        headers,
        body: [{ id: 'meta-v2', name: 'v', siteCode: 'main', metadata: { version: -1 } }],
      });
      expect(bulk.body).toEqual([{ index: 0, id: 'meta-v2', code: 201, status: 'Created' }]);
    });

    it('answers 400 malformed_json, 415 for another media type, 400 for a non-object body', async () => {
      expectError(await call('POST', base, { headers, raw: '{"name": ' }), 400, 'malformed_json');
      expectError(await call('POST', base, { headers, raw: 'name=x', contentType: 'text/plain' }), 415, 'unsupported_media_type');
      expectError(await call('POST', base, { headers, body: [{ name: 'x' }] }), 400, 'validation_failed');
      expectError(await call('POST', base, { headers }), 400, 'validation_failed');
    });

    it('applies Content-Language to string names and rejects strings under * (LOC-4)', async () => {
      const de = await call('POST', base, {
        headers: { ...headers, 'content-language': 'de' },
        body: { id: 'cl-de', name: 'Gold-Kunden', siteCode: 'main' },
      });
      expect(de.status).toBe(201);
      expect((await call('GET', `${base}/cl-de`, { headers })).body.name).toEqual({ de: 'Gold-Kunden' });
      expectError(
        await call('POST', base, { headers: { ...headers, 'content-language': '*' }, body: { id: 'cl-x', name: 'x', siteCode: 'main' } }),
        400,
        'validation_failed',
      );
      expectError(
        await call('POST', base, {
          headers: { ...headers, 'content-language': 'xx' },
          body: { id: 'cl-y', name: { en: 'x' }, siteCode: 'main' },
        }),
        400,
        'validation_failed',
      );
      const map = await call('POST', base, {
        headers: { ...headers, 'content-language': 'de' },
        body: { id: 'cl-z', name: { en: 'x' }, siteCode: 'main' },
      });
      expect(expectError(map, 400, 'validation_failed').details[0]).toMatchObject({ field: 'name.en', type: 'unsupported_language' });
    });
  });

  describe('GET /segments and POST /segments/search', () => {
    const L = 'lst';
    beforeAll(async () => {
      const rows = [
        { id: `${L}-a`, name: { en: 'Charlie', de: 'Zeta' }, siteCode: 'main', status: 'ACTIVE', mixins: { loyalty: { tier: 3 } } },
        { id: `${L}-b`, name: { en: 'Alpha', de: 'Beta' }, siteCode: 'b2b', status: 'INACTIVE' },
        { id: `${L}-c`, name: { en: 'Bravo' }, siteCode: 'main', status: 'INACTIVE', description: { en: 'with text', fr: 'texte' } },
      ];
      for (const r of rows) expect((await call('POST', base, { headers, body: r })).status).toBe(201);
    });

    it('filters with q, sorts, pages and counts', async () => {
      const res = await call(
        'GET',
        `${base}?q=${encodeURIComponent(`id:~^${L}- siteCode:main`)}&sort=name.en:desc&pageSize=1&pageNumber=2`,
        { headers: { ...headers, 'X-Total-Count': 'TRUE' } },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-total-count')).toBe('2');
      expect(res.body.map((s: { id: string }) => s.id)).toEqual([`${L}-c`]);
      const none = await call('GET', `${base}?q=${encodeURIComponent(`id:~^${L}-`)}&pageNumber=9`, {
        headers: { ...headers, 'X-Total-Count': 'nope' },
      });
      expect(none.body).toEqual([]);
      expect(none.headers.get('x-total-count')).toBeNull();
    });

    it('sorts by id by default, and a localized field without language on the Accept-Language choice', async () => {
      const byId = await call('GET', `${base}?q=${encodeURIComponent(`id:~^${L}-`)}`, { headers });
      expect(byId.body.map((s: { id: string }) => s.id)).toEqual([`${L}-a`, `${L}-b`, `${L}-c`]);
      const byName = await call('GET', `${base}?q=${encodeURIComponent(`id:~^${L}-`)}&sort=name`, {
        headers: { ...headers, 'accept-language': 'de' },
      });
      // de: Bravo has no German name (sorts first), then Beta, Zeta; names narrowed to de.
      expect(byName.body.map((s: { id: string }) => s.id)).toEqual([`${L}-c`, `${L}-b`, `${L}-a`]);
      expect(byName.body[0].name).toEqual({});
      expect(byName.body[1].name).toEqual({ de: 'Beta' });
    });

    it('queries localized fields, mixins, and projects fields (id always kept)', async () => {
      const res = await call('GET', `${base}?q=${encodeURIComponent('name:Beta mixins.loyalty:missing')}&fields=name.de,siteCode`, {
        headers,
      });
      expect(res.body).toEqual([{ id: `${L}-b`, name: { de: 'Beta' }, siteCode: 'b2b' }]);
      const mix = await call('GET', `${base}?q=${encodeURIComponent('mixins.loyalty.tier:>2')}`, { headers });
      expect(mix.body.map((s: { id: string }) => s.id)).toEqual([`${L}-a`]);
    });

    it('search takes q from the body and ignores a q query parameter', async () => {
      const res = await call('POST', `${base}/search?q=siteCode:none`, {
        headers: { ...headers, 'x-total-count': 'true' },
        body: { q: `id:(${L}-a,${L}-b) status:INACTIVE` },
      });
      expect(res.status).toBe(200);
      expect(res.body.map((s: { id: string }) => s.id)).toEqual([`${L}-b`]);
      expect(res.headers.get('x-total-count')).toBe('1');
      const all = await call('POST', `${base}/search`, { headers, body: {} });
      expect(all.body.length).toBeGreaterThanOrEqual(3);
      expectError(await call('POST', `${base}/search`, { headers, body: ['q'] }), 400, 'validation_failed');
      expectError(await call('POST', `${base}/search`, { headers, body: { q: 5 } }), 400, 'invalid_query');
    });

    it.each([
      ['an unknown q field', 'q=color:red', 'invalid_query'],
      ['a q syntax error', 'q=status:', 'invalid_query'],
      ['compoundLogicalQuery', `q=${encodeURIComponent('compoundLogicalQuery:((status:ACTIVE) OR (siteCode:main))')}`, 'invalid_query'],
      ['a bad regex', `q=${encodeURIComponent('siteCode:~"("')}`, 'invalid_query'],
      ['pageSize 0', 'pageSize=0', 'validation_failed'],
      ['pageSize 1001', 'pageSize=1001', 'validation_failed'],
      ['pageNumber abc', 'pageNumber=abc', 'validation_failed'],
      ['an unsortable field', 'sort=description', 'validation_failed'],
      ['a bad direction', 'sort=id:up', 'validation_failed'],
      ['a repeated parameter', 'pageSize=1&pageSize=2', 'validation_failed'],
      ['a bracket parameter name', 'q[$ne]=x', 'validation_failed'],
    ])('rejects %s', async (_name, qs, code) => {
      expectError(await call('GET', `${base}?${qs}`, { headers }), 400, code);
    });

    it('rejects an Accept-Language that selects no tenant language', async () => {
      const res = await call('GET', base, { headers: { ...headers, 'accept-language': 'xx' } });
      expect(expectError(res, 400, 'validation_failed').details[0]).toMatchObject({
        field: 'Accept-Language',
        type: 'unsupported_language',
      });
    });
  });

  describe('GET /segments/{segmentId}', () => {
    it('answers 404 for an unknown or malformed id and narrows maps by Accept-Language', async () => {
      expect(expectError(await call('GET', `${base}/nope`, { headers }), 404, 'resource_not_found').resourceId).toBe('nope');
      expectError(await call('GET', `${base}/${'x'.repeat(129)}`, { headers }), 404, 'resource_not_found');
      const fr = await call('GET', `${base}/lst-c?fields=description`, { headers: { ...headers, 'accept-language': 'fr-CH, en;q=0.5' } });
      expect(fr.body).toEqual({ id: 'lst-c', description: { fr: 'texte', en: 'with text' } });
    });
  });

  describe('PUT /segments/{segmentId}', () => {
    it('creates (201), then fully replaces (204): omitted fields go, status falls back to INACTIVE, version +1', async () => {
      const created = await call('PUT', `${base}/put-1`, {
        headers,
        body: {
          name: { en: 'One', de: 'Eins' },
          description: { en: 'd' },
          status: 'ACTIVE',
          siteCode: 'main',
          mixins: { m: { a: 1 } },
          metadata: { version: 7 },
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: 'put-1' });
      expect(created.headers.get('location')).toBe(`${base}/put-1`);
      const replaced = await call('PUT', `${base}/put-1`, {
        headers,
        body: { id: 'put-1', name: 'Uno', siteCode: 'b2b', metadata: { version: 1 } },
      });
      expect([replaced.status, replaced.body]).toEqual([204, undefined]);
      const got = await call('GET', `${base}/put-1`, { headers });
      // LOC-5: a string name replaces only its own language.
      expect(got.body).toEqual({
        id: 'put-1',
        name: { en: 'Uno', de: 'Eins' },
        status: 'INACTIVE',
        siteCode: 'b2b',
        metadata: expect.objectContaining({ version: 2 }),
      });
      const evs = await events('put-1');
      expect(evs.map((e) => e.type)).toEqual(['customer-segment.segment-created', 'customer-segment.segment-updated']);
      expect(evs[1]).toMatchObject({ entityversion: 2, data: { previousStatus: 'ACTIVE', status: 'INACTIVE', siteCode: 'b2b' } });
    });

    it('answers 409 for a stale version and 400 for a differing body id or a bad path id', async () => {
      const stale = await call('PUT', `${base}/put-1`, { headers, body: { name: 'x', siteCode: 'main', metadata: { version: 1 } } });
      expect(expectError(stale, 409, 'version_conflict').details[0]).toMatchObject({ field: 'metadata.version', type: 'version_mismatch' });
      expect(
        expectError(
          await call('PUT', `${base}/put-1`, { headers, body: { id: 'other', name: 'x', siteCode: 'main' } }),
          400,
          'validation_failed',
        ).details[0],
      ).toMatchObject({ field: 'id', type: 'invalid_value' });
      expectError(await call('PUT', `${base}/a%20b`, { headers, body: { name: 'x', siteCode: 'main' } }), 400, 'validation_failed');
      // Reserved ids (segment §1.11): `match` has no PUT route, so it reaches the upsert and is refused.
      expect(
        expectError(await call('PUT', `${base}/match`, { headers, body: { name: 'x', siteCode: 'main' } }), 400, 'validation_failed')
          .details[0],
      ).toMatchObject({ field: 'segmentId', type: 'invalid_value' });
      expectError(await call('PUT', `${base}/items`, { headers, body: { name: 'x', siteCode: 'main' } }), 400, 'validation_failed');
    });
  });

  describe('PATCH /segments/{segmentId}', () => {
    beforeAll(async () => {
      await call('PUT', `${base}/pt`, {
        headers,
        body: { name: { en: 'P', de: 'P-de' }, description: { en: 'desc' }, status: 'ACTIVE', siteCode: 'main' },
      });
    });

    it('applies add/replace/remove atomically, creating mixin intermediates and treating replace of a missing member as add', async () => {
      const res = await call('PATCH', `${base}/pt`, {
        headers,
        contentType: 'application/json-patch+json',
        body: [
          { op: 'test', path: '/metadata/version', value: 1 },
          { op: 'replace', path: '/mixins/productCustomAttributes/pricingMeasurePrice', value: 15 },
          { op: 'add', path: '/metadata/mixins/productCustomAttributes', value: 'https://schemas.example.com/pca.json' },
          { op: 'replace', path: '/name/de', value: 'Neu' },
          { op: 'remove', path: '/description' },
          { op: 'replace', path: '/status', value: 'INACTIVE' },
        ],
      });
      expect([res.status, res.body]).toEqual([204, undefined]);
      const got = await call('GET', `${base}/pt`, { headers });
      expect(got.body).toEqual({
        id: 'pt',
        name: { en: 'P', de: 'Neu' },
        status: 'INACTIVE',
        siteCode: 'main',
        mixins: { productCustomAttributes: { pricingMeasurePrice: 15 } },
        metadata: expect.objectContaining({ version: 2, mixins: { productCustomAttributes: 'https://schemas.example.com/pca.json' } }),
      });
    });

    it('sets one language with a string value under Content-Language', async () => {
      const res = await call('PATCH', `${base}/pt`, {
        headers: { ...headers, 'content-language': 'fr' },
        body: [{ op: 'replace', path: '/name', value: 'Nouveau' }],
      });
      expect(res.status).toBe(204);
      expect((await call('GET', `${base}/pt`, { headers })).body.name).toEqual({ en: 'P', de: 'Neu', fr: 'Nouveau' });
    });

    it('answers 409 for a failed version test and changes nothing', async () => {
      const res = await call('PATCH', `${base}/pt`, {
        headers,
        body: [
          { op: 'test', path: '/metadata/version', value: 1 },
          { op: 'replace', path: '/siteCode', value: 'x' },
        ],
      });
      expectError(res, 409, 'version_conflict');
      expect((await call('GET', `${base}/pt`, { headers })).body.siteCode).toBe('main');
    });

    it.each([
      ['move', [{ op: 'move', from: '/name', path: '/description' }]],
      ['test on another path', [{ op: 'test', path: '/status', value: 'ACTIVE' }]],
      ['a read-only path', [{ op: 'replace', path: '/id', value: 'x' }]],
      ['an unpatchable path', [{ op: 'replace', path: '/foo', value: 'x' }]],
      ['removing a missing member', [{ op: 'remove', path: '/description' }]],
      ['removing the name', [{ op: 'remove', path: '/name' }]],
      ['an invalid status', [{ op: 'replace', path: '/status', value: 'active' }]],
      ['a null status', [{ op: 'replace', path: '/status', value: null }]],
      // ERR-8: keys the pointer would create obey the same rules as keys in a body.
      ['a mixin key with a dot', [{ op: 'add', path: '/mixins/productCustomAttributes/a.b', value: 1 }]],
      ['a mixin key starting with $', [{ op: 'add', path: '/mixins/productCustomAttributes/$set', value: 1 }]],
      ['a nested mixin key with a NUL', [{ op: 'replace', path: '/mixins/productCustomAttributes/x/a\u0000b', value: 1 }]],
      ['an empty patch', []],
      ['an object body', { op: 'replace' }],
    ])('rejects %s with 400 and changes nothing', async (_name, body) => {
      const before = (await call('GET', `${base}/pt`, { headers })).body;
      expectError(await call('PATCH', `${base}/pt`, { headers, body }), 400, 'validation_failed');
      expect((await call('GET', `${base}/pt`, { headers })).body).toEqual(before);
    });

    it('reports a key the pointer would create against ERR-8 as invalid_key, but lets such a key be removed', async () => {
      const res = await call('PATCH', `${base}/pt`, {
        headers,
        body: [{ op: 'add', path: '/mixins/productCustomAttributes/x.y', value: 1 }],
      });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([
        { field: '[0].path', type: 'invalid_key', message: expect.any(String) },
      ]);
      // Data stored before this rule existed can still be cleaned up.
      await mongo
        .db('customer_segment')
        .collection(`${T}_segments`)
        .updateOne({ _id: 'pt' as never }, { $set: { 'mixins.legacy': { 'x.y': 1, keep: 2 } } });
      expect((await call('PATCH', `${base}/pt`, { headers, body: [{ op: 'remove', path: '/mixins/legacy/x.y' }] })).status).toBe(204);
      expect((await call('GET', `${base}/pt`, { headers })).body.mixins.legacy).toEqual({ keep: 2 });
      expect((await call('PATCH', `${base}/pt`, { headers, body: [{ op: 'remove', path: '/mixins/legacy' }] })).status).toBe(204);
    });

    it('applies the Content-Language key rule to map values of /name and /description (LOC-4)', async () => {
      const de = { ...headers, 'content-language': 'de' };
      const before = (await call('GET', `${base}/pt`, { headers })).body;
      const res = await call('PATCH', `${base}/pt`, { headers: de, body: [{ op: 'replace', path: '/name', value: { en: 'x', de: 'y' } }] });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([
        { field: '[0].value.en', type: 'unsupported_language', message: expect.any(String) },
      ]);
      expect((await call('GET', `${base}/pt`, { headers })).body).toEqual(before);
      // A map within the header's languages replaces the whole map, as on PUT (LOC-5).
      expect(
        (await call('PATCH', `${base}/pt`, { headers: de, body: [{ op: 'add', path: '/description', value: { de: 'Beschreibung' } }] }))
          .status,
      ).toBe(204);
      expect((await call('GET', `${base}/pt`, { headers })).body.description).toEqual({ de: 'Beschreibung' });
    });

    it('answers 404 for an unknown segment', async () => {
      expectError(
        await call('PATCH', `${base}/ghost`, { headers, body: [{ op: 'replace', path: '/status', value: 'ACTIVE' }] }),
        404,
        'resource_not_found',
      );
    });
  });

  describe('DELETE /segments/{segmentId}', () => {
    it('is idempotent (204 for missing and malformed ids) and validates forceDelete', async () => {
      expect((await call('DELETE', `${base}/never-was`, { headers })).status).toBe(204);
      expect((await call('DELETE', `${base}/.bad`, { headers })).status).toBe(204);
      expectError(await call('DELETE', `${base}/never-was?forceDelete=maybe`, { headers }), 400, 'validation_failed');
    });

    it('refuses a segment with assignments unless forceDelete=true, then cascades with child events first', async () => {
      await call('PUT', `${base}/casc`, { headers, body: { name: 'c', siteCode: 'main' } });
      await call('PUT', `${base}/casc/customers/c1`, { headers });
      await call('PUT', `${base}/casc/items/PRODUCT/p1`, { headers });
      const refused = await call('DELETE', `${base}/casc?forceDelete=FALSE`, { headers });
      expectError(refused, 400, 'business_rule_violation');
      expect((await call('GET', `${base}/casc`, { headers })).status).toBe(200);
      expect((await call('DELETE', `${base}/casc?forceDelete=True`, { headers })).status).toBe(204);
      expect((await call('GET', `${base}/casc`, { headers })).status).toBe(404);
      expect((await call('GET', `/customer-segment/${T}/segments/items?q=segmentId:casc`, { headers })).body).toEqual([]);
      const all = await events();
      const tail = all.filter((e) => e.subject.startsWith('casc')).map((e) => e.type);
      expect(tail.slice(-3)).toEqual([
        'customer-segment.customer-assignment-deleted',
        'customer-segment.item-assignment-deleted',
        'customer-segment.segment-deleted',
      ]);
      const deleted = all.filter((e) => e.subject === 'casc').pop();
      expect(deleted).toMatchObject({ data: { id: 'casc', tenant: T }, entityversion: 1 });
    });
  });

  describe('bulk', () => {
    it('POST /segments/bulk: 207 in request order; duplicates 409; invalid 400 with message only', async () => {
      const res = await call('POST', `${base}/bulk`, {
        headers,
        body: [
          { id: 'bk-1', name: 'one', siteCode: 'main' },
          { id: 'bk-1', name: 'again', siteCode: 'main' },
          { id: 'bk-2', siteCode: 'main' },
          'nope',
          { name: 'gen', siteCode: 'main' },
        ],
      });
      expect(res.status).toBe(207);
      expect(res.body).toEqual([
        { index: 0, id: 'bk-1', code: 201, status: 'Created' },
        { index: 1, id: 'bk-1', code: 409, status: 'Conflict', message: expect.any(String) },
        { index: 2, id: 'bk-2', code: 400, status: 'Bad Request', message: 'name is required' },
        { index: 3, code: 400, status: 'Bad Request', message: expect.any(String) },
        { index: 4, id: expect.stringMatching(/^[0-9a-f]{24}$/), code: 201, status: 'Created' },
      ]);
    });

    it('PUT /segments/bulk: creates, updates, 409 on stale versions, 400 without id; later duplicates see earlier writes', async () => {
      const res = await call('PUT', `${base}/bulk`, {
        headers,
        body: [
          { id: 'bk-3', name: 'three', siteCode: 'main' },
          { id: 'bk-3', name: 'three again', siteCode: 'main', metadata: { version: 1 } },
          { id: 'bk-3', name: 'stale', siteCode: 'main', metadata: { version: 1 } },
          { name: 'no id', siteCode: 'main' },
        ],
      });
      expect(res.status).toBe(207);
      expect(res.body).toEqual([
        { index: 0, id: 'bk-3', code: 201, status: 'Created' },
        { index: 1, id: 'bk-3', code: 204, status: 'No Content' },
        { index: 2, id: 'bk-3', code: 409, status: 'Conflict', message: expect.any(String) },
        { index: 3, code: 400, status: 'Bad Request', message: expect.any(String) },
      ]);
      expect((await call('GET', `${base}/bk-3`, { headers })).body).toMatchObject({
        name: { en: 'three again' },
        metadata: { version: 2 },
      });
    });

    it('DELETE /segments/bulk: deleted, missing and impossible ids are 204, non-strings and blocked segments 400', async () => {
      await call('PUT', `${base}/bk-3/customers/c9`, { headers });
      const res = await call('DELETE', `${base}/bulk`, { headers, body: ['bk-1', 'missing', '.x', 5, 'bk-3'] });
      expect(res.status).toBe(207);
      expect(res.body).toEqual([
        { index: 0, id: 'bk-1', code: 204, status: 'No Content' },
        { index: 1, id: 'missing', code: 204, status: 'No Content' },
        { index: 2, id: '.x', code: 204, status: 'No Content' },
        { index: 3, code: 400, status: 'Bad Request', message: expect.any(String) },
        { index: 4, id: 'bk-3', code: 400, status: 'Bad Request', message: expect.stringContaining('forceDelete') },
      ]);
      const forced = await call('DELETE', `${base}/bulk?forceDelete=true`, { headers, body: ['bk-3'] });
      expect(forced.body).toEqual([{ index: 0, id: 'bk-3', code: 204, status: 'No Content' }]);
    });

    it.each([
      ['an object', { id: 'x' }],
      ['an empty array', []],
      ['201 elements', Array.from({ length: 201 }, (_, i) => ({ id: `o-${i}`, name: 'n', siteCode: 'm' }))],
    ])('rejects %s as a whole (400, nothing processed)', async (_name, body) => {
      for (const method of ['POST', 'PUT', 'DELETE'])
        expectError(await call(method, `${base}/bulk`, { headers, body }), 400, 'validation_failed');
      expect((await call('GET', `${base}/o-0`, { headers })).status).toBe(404);
    });
  });

  describe('routing precedence (segment §1.11)', () => {
    it('keeps literal paths literal', async () => {
      // GET /segments/items is the items list, never "segment items".
      const items = await call('GET', `${base}/items`, { headers });
      expect(items.status).toBe(200);
      expect(Array.isArray(items.body)).toBe(true);
      const trees = await call('GET', `${base}/items/category-trees`, { headers: await auth(T, [READ, MANAGE]) });
      expectError(trees, 403, 'insufficient_scope');
      // GET /segments/bulk is no route at all (ERR-3 route_not_found, never a segment lookup).
      expect((await call('GET', `${base}/search`, { headers })).status).toBe(404);
      expect((await call('PUT', `${base}/bulk`, { headers, body: [{ id: 'rt-1', name: 'n', siteCode: 'm' }] })).status).toBe(207);
    });
  });
});
