import { MongoClient } from 'mongodb';
import { CATEGORY_SCOPES } from '../src/category.scopes';
import { Client, expectCategoryError, Harness, startHarness } from './support';

const { manage, publish, unpublish, readUnpublished } = CATEGORY_SCOPES;

describe('categories over HTTP (ops 1–3, 5–8)', () => {
  let h: Harness;
  let c: Client;
  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, 'cats');
  });
  afterAll(() => h.close());

  describe('create (op 2)', () => {
    it('answers 201 with id and Location, generates a lowercase uuid and stores what was sent', async () => {
      const res = await c.post('/categories', {
        localizedName: { en: 'Tools', DE: 'Werkzeug' },
        localizedDescription: { en: 'All tools' },
        localizedSlug: { en: 'tools' },
        code: 'TOOLS',
        ecn: ['E1', 'E1', 'E2'],
        validity: { from: '2024-01-01T02:00:00+02:00', to: '2025-01-01T00:00:00Z' },
        position: 4,
        published: true,
        mixins: { extra: { a: 1 } },
        metadata: { mixins: { extra: 'https://schemas.example.com/extra.json' }, version: 77 },
        name: 'ignored',
        unknown: 'dropped',
      });
      expect(res.status).toBe(201);
      expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.headers.get('location')).toBe(`/category/cats/categories/${res.body.id}`);
      const got = await c.get(`/categories/${res.body.id}`);
      expect(got.body).toEqual({
        id: res.body.id,
        type: 'STANDARD',
        code: 'TOOLS',
        localizedName: { en: 'Tools', de: 'Werkzeug' },
        name: 'Tools',
        localizedDescription: { en: 'All tools' },
        description: 'All tools',
        localizedSlug: { en: 'tools' },
        ecn: ['E1', 'E2'],
        validity: { from: '2024-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' },
        position: 4,
        published: true,
        mixins: { extra: { a: 1 } },
        metadata: {
          version: 1,
          createdAt: expect.any(String),
          modifiedAt: expect.any(String),
          mixins: { extra: 'https://schemas.example.com/extra.json' },
        },
        media: [],
      });
    });

    it('accepts a custom id once (409 the second time) and rejects reserved or malformed ids', async () => {
      expect((await c.post('/categories', { id: 'custom_1', localizedName: { en: 'x' }, published: false })).status).toBe(201);
      const dup = await c.post('/categories', { id: 'custom_1', localizedName: { en: 'x' }, published: false });
      expectCategoryError(dup, 409, 'duplicate_resource');
      expect(dup.body.resourceId).toBe('custom_1');
      for (const id of ['root', 'null', 'categoryTree'])
        expectCategoryError(await c.post('/categories', { id, localizedName: { en: 'x' }, published: false }), 400, 'validation_failed');
      for (const id of ['has.dot', 'a'.repeat(67), 'sp ace'])
        expectCategoryError(await c.post('/categories', { id, localizedName: { en: 'x' }, published: false }), 400, 'validation_failed');
    });

    it('lists every invalid field in one 400', async () => {
      const res = await c.post('/categories', {
        localizedName: 'plain string',
        localizedSlug: { en: 'crème' },
        localizedDescription: { ru: 'x' },
        position: -1,
        published: 'yes',
        ecn: ['ok', ''],
        validity: { from: '2024-01-01T00:00:00', extra: 1 },
        type: 'OTHER',
        mixins: { '1bad': {} },
        ownClassificationMixins: [{ name: 'n' }],
      });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.message).toBe('Constraint validation failed');
      const fields = res.body.details.map((d: string) => d.split(':')[0]);
      expect(fields).toEqual(
        expect.arrayContaining([
          'localizedName',
          'localizedSlug.en',
          'localizedDescription',
          'position',
          'published',
          'ecn[1]',
          'validity.from',
          'validity.extra',
          'type',
          'mixins.1bad',
          'ownClassificationMixins[0].schemaUrl',
        ]),
      );
      expect(res.body.details).toEqual(
        expect.arrayContaining(["localizedDescription: Category description contains unsupported languages: 'ru'"]),
      );
    });

    it('requires localizedName and published, a body, JSON, and the publish parameter to match', async () => {
      const missing = await c.post('/categories', {});
      expect(missing.body.details).toEqual(expect.arrayContaining(['localizedName: must not be null', 'published: must be a boolean']));
      expectCategoryError(await c.post('/categories'), 400, 'validation_failed');
      expectCategoryError(await c.post('/categories', '{"a":', {}), 400, 'malformed_json');
      expectCategoryError(await c.post('/categories', 'x=1', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
      expectCategoryError(
        await c.post('/categories?publish=true', { localizedName: { en: 'x' }, published: false }),
        400,
        'validation_failed',
      );
      expectCategoryError(
        await c.post('/categories?publish=maybe', { localizedName: { en: 'x' }, published: true }),
        400,
        'validation_failed',
      );
      expect((await c.post('/categories?publish=TRUE', { localizedName: { en: 'x' }, published: true })).status).toBe(201);
      expectCategoryError(
        await c.post('/categories', {
          localizedName: { en: 'x' },
          published: false,
          validity: { from: '2025-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' },
        }),
        400,
        'validation_failed',
      );
    });

    it('rejects impossible calendar dates in validity instead of shifting them (HTTP-10)', async () => {
      for (const validity of [
        { from: '2024-02-30T00:00:00Z' },
        { to: '2024-04-31T00:00:00+02:00' },
        { from: '2024-01-01T24:00:00Z' },
        { to: '2023-02-29T10:00:00.000Z' },
        { from: '2024-01-01T10:60:00Z' },
        { from: '2024-01-01T10:00:00+24:00' },
      ]) {
        const res = await c.post('/categories', { localizedName: { en: 'x' }, published: false, validity });
        expectCategoryError(res, 400, 'validation_failed');
        expect(res.body.details).toEqual([`validity.${Object.keys(validity)[0]}: must be an ISO 8601 date-time with offset`]);
      }
      await c.category({ id: 'val-1', published: false, validity: { from: '2024-02-29T23:59:59.999+01:00' } });
      expect((await c.get('/categories/val-1?showUnpublished=true')).body.validity).toEqual({ from: '2024-02-29T22:59:59.999Z' });
      expectCategoryError(
        await c.patch('/categories/val-1', { validity: { to: '2025-06-31T00:00:00Z' }, metadata: { version: 1 } }),
        400,
        'validation_failed',
      );
      expectCategoryError(
        await c.put('/categories/val-1', { localizedName: { en: 'x' }, published: false, validity: { to: '2025-11-31T00:00:00Z' } }),
        400,
        'validation_failed',
      );
    });

    it('rejects a localized map that names one language twice in different letter case', async () => {
      const res = await c.post('/categories', {
        localizedName: { en: 'x', EN: 'y' },
        localizedSlug: { De: 'a', de: 'b' },
        published: false,
      });
      expectCategoryError(res, 400, 'validation_failed');
      expect(res.body.details).toEqual([
        "localizedName.EN: duplicates the language 'en'",
        "localizedSlug.de: duplicates the language 'de'",
      ]);
      const asg = await c.post('/categories', { id: 'dupkeys', localizedName: { en: 'x' }, published: false });
      expect(asg.status).toBe(201);
      const ref = await c.post('/categories/dupkeys/assignments', {
        ref: { id: 'p', type: 'PRODUCT', localizedName: { fr: 'a', FR: 'b' } },
      });
      expectCategoryError(ref, 400, 'validation_failed');
    });

    it('checks Content-Language keys (LOC-4, maps only)', async () => {
      expectCategoryError(
        await c.post('/categories', { localizedName: { en: 'x' }, published: false }, { 'content-language': 'de' }),
        400,
        'validation_failed',
      );
      expect((await c.post('/categories', { localizedName: { de: 'x' }, published: false }, { 'content-language': 'de' })).status).toBe(
        201,
      );
      expectCategoryError(
        await c.post('/categories', { localizedName: { en: 'x' }, published: false }, { 'content-language': 'ru' }),
        400,
        'validation_failed',
      );
      expectCategoryError(
        await c.post('/categories', { localizedName: 'x', published: false }, { 'content-language': 'en' }),
        400,
        'validation_failed',
      );
    });

    it('needs category_publish to create a published category, manage always', async () => {
      const noPublish = await Client.as(h.url, 'cats', [manage]);
      const res = await noPublish.post('/categories', { localizedName: { en: 'x' }, published: true });
      expectCategoryError(res, 403, 'insufficient_scope');
      expect(res.body).toMatchObject({ message: 'You need a scope for this action.', details: [`Required scope(s): ${publish}`] });
      expect((await noPublish.post('/categories', { localizedName: { en: 'x' }, published: false })).status).toBe(201);
      const reader = await Client.as(h.url, 'cats', [publish]);
      const denied = await reader.post('/categories', { localizedName: { en: 'x' }, published: true });
      expect(denied.body.details).toEqual([`Required scope(s): ${manage}`]);
    });

    it('enforces unique code (case-insensitive) and ECN values per tenant', async () => {
      await c.category({ id: 'u1', code: 'Shoes', ecn: ['X-1'] });
      const code = await c.post('/categories', { localizedName: { en: 'x' }, published: true, code: 'SHOES' });
      expectCategoryError(code, 409, 'duplicate_resource');
      const ecn = await c.post('/categories', { localizedName: { en: 'x' }, published: true, ecn: ['other', 'X-1'] });
      expectCategoryError(ecn, 409, 'duplicate_resource');
      expect(ecn.body.message).toBe('Duplicated ECN value - given ECN is already assigned to another category.');
      // Classification categories need a code and parents of the same type.
      expectCategoryError(
        await c.post('/categories', { localizedName: { en: 'x' }, published: true, type: 'CLASSIFICATION' }),
        400,
        'validation_failed',
      );
      expectCategoryError(
        await c.post('/categories', { localizedName: { en: 'x' }, published: true, type: 'CLASSIFICATION', code: 'cl-x', parentId: 'u1' }),
        400,
        'business_rule_violation',
      );
      expectCategoryError(
        await c.post('/categories', {
          localizedName: { en: 'x' },
          published: true,
          ownClassificationMixins: [{ name: 'a', schemaUrl: 'https://x.io/a' }],
        }),
        400,
        'validation_failed',
      );
    });
  });

  describe('replace (op 6) and patch (op 7)', () => {
    it('PUT creates with the path id (201), then replaces (204) clearing absent fields and locking on version', async () => {
      const created = await c.put('/categories/put-1', {
        localizedName: { en: 'P' },
        published: false,
        code: 'put-code',
        localizedSlug: { en: 's' },
        metadata: { version: 9 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: 'put-1' });
      expect((await c.get('/categories/put-1?showUnpublished=true')).body.metadata.version).toBe(1);
      const replaced = await c.put('/categories/put-1', { localizedName: { fr: 'P' }, published: false });
      expect(replaced.status).toBe(204);
      const after = (await c.get('/categories/put-1?showUnpublished=true')).body;
      expect(after).toMatchObject({ localizedName: { fr: 'P' }, name: 'P', metadata: { version: 2 } });
      expect(after.code).toBeUndefined();
      expect(after.localizedSlug).toBeUndefined();
      const stale = await c.put('/categories/put-1', { localizedName: { en: 'P' }, published: false, metadata: { version: 1 } });
      expectCategoryError(stale, 409, 'version_conflict');
      expect(stale.body).toMatchObject({ message: 'Optimistic locking failed', details: ['Expected version 1, current version 2'] });
      expectCategoryError(
        await c.put('/categories/put-1', { localizedName: { en: 'P' }, published: false, type: 'CLASSIFICATION', code: 'c' }),
        400,
        'validation_failed',
      );
      expectCategoryError(
        await c.put('/categories/put-1', { id: 'other', localizedName: { en: 'P' }, published: false }),
        400,
        'validation_failed',
      );
      expectCategoryError(await c.put('/categories/bad.id', { localizedName: { en: 'P' }, published: false }), 400, 'validation_failed');
    });

    it('PUT on an existing category without type keeps the stored type (§4.2: STANDARD only on create)', async () => {
      const mixin = { name: 'size', schemaUrl: 'https://schemas.example.com/size.json' };
      await c.category({ id: 'cls-put', type: 'CLASSIFICATION', code: 'clsput', ownClassificationMixins: [mixin] });
      const replaced = await c.put('/categories/cls-put', {
        localizedName: { en: 'Classy' },
        published: true,
        code: 'clsput',
        ownClassificationMixins: [mixin],
      });
      expect(replaced.status).toBe(204);
      const got = (await c.get('/categories/cls-put')).body;
      expect(got).toMatchObject({
        type: 'CLASSIFICATION',
        localizedName: { en: 'Classy' },
        ownClassificationMixins: [{ ...mixin, required: false }],
        metadata: { version: 2 },
      });
      expect(
        (await c.put('/categories/cls-put', { localizedName: { en: 'Classy' }, published: true, code: 'clsput', type: null })).status,
      ).toBe(204);
      // The classification rules still hold for the kept type, and a different explicit type is still refused.
      const noCode = await c.put('/categories/cls-put', { localizedName: { en: 'Classy' }, published: true });
      expectCategoryError(noCode, 400, 'validation_failed');
      expect(noCode.body.details).toEqual(['code: is required for CLASSIFICATION categories']);
      expectCategoryError(
        await c.put('/categories/cls-put', { localizedName: { en: 'x' }, published: true, code: 'clsput', type: 'STANDARD' }),
        400,
        'validation_failed',
      );
      // PUT-create without type still creates a STANDARD category.
      expect((await c.put('/categories/std-put', { localizedName: { en: 'x' }, published: false })).status).toBe(201);
      expect((await c.get('/categories/std-put?showUnpublished=true')).body.type).toBe('STANDARD');
    });

    it('PATCH merges maps and mixins, needs metadata.version and answers 409 on a stale one', async () => {
      await c.category({ id: 'pa-1', localizedName: { en: 'E', de: 'D' }, mixins: { m: { a: 1, b: 2 } }, code: 'pa-1' });
      expectCategoryError(await c.patch('/categories/pa-1', { position: 3 }), 400, 'validation_failed');
      expectCategoryError(await c.patch('/categories/pa-1', { position: 3, metadata: { version: 5 } }), 409, 'version_conflict');
      const ok = await c.patch(
        '/categories/pa-1',
        { localizedName: { de: null, fr: 'F' }, mixins: { m: { b: null, c: 3 } }, code: null, position: null, metadata: { version: 1 } },
        { 'content-type': 'application/merge-patch+json' },
      );
      expect(ok.status).toBe(204);
      const got = (await c.get('/categories/pa-1')).body;
      expect(got).toMatchObject({
        localizedName: { en: 'E', fr: 'F' },
        mixins: { m: { a: 1, c: 3 } },
        position: 0,
        metadata: { version: 2 },
      });
      expect(got.code).toBeUndefined();
      expectCategoryError(
        await c.patch('/categories/pa-1', { localizedName: { en: null, fr: null }, metadata: { version: 2 } }),
        400,
        'validation_failed',
      );
      expectCategoryError(
        await c.patch('/categories/pa-1', { type: 'CLASSIFICATION', metadata: { version: 2 } }),
        400,
        'validation_failed',
      );
      expectCategoryError(await c.patch('/categories/nope', { position: 1, metadata: { version: 1 } }), 404, 'resource_not_found');
      expectCategoryError(await c.patch('/categories/bad.id', { position: 1, metadata: { version: 1 } }), 404, 'resource_not_found');
    });

    it('needs category_unpublish for true → false and category_publish for false → true, neither when unchanged', async () => {
      await c.category({ id: 'pub-1' });
      const managerOnly = await Client.as(h.url, 'cats', [manage]);
      const down = await managerOnly.patch('/categories/pub-1', { published: false, metadata: { version: 1 } });
      expectCategoryError(down, 403, 'insufficient_scope');
      expect(down.body.details).toEqual([`Required scope(s): ${unpublish}`]);
      expect((await managerOnly.patch('/categories/pub-1', { position: 2, published: true, metadata: { version: 1 } })).status).toBe(204);
      const unpublisher = await Client.as(h.url, 'cats', [manage, unpublish]);
      expect((await unpublisher.patch('/categories/pub-1', { published: false, metadata: { version: 2 } })).status).toBe(204);
      const up = await unpublisher.put('/categories/pub-1', { localizedName: { en: 'x' }, published: true });
      expect(up.body.details).toEqual([`Required scope(s): ${publish}`]);
      // 403 publish (step 6) comes before 409 version (step 7).
      expectCategoryError(
        await unpublisher.patch('/categories/pub-1', { published: true, metadata: { version: 99 } }),
        403,
        'insufficient_scope',
      );
    });

    it('loses a concurrent compare-and-set race with 409, never two successes', async () => {
      await c.category({ id: 'race-1' });
      const results = await Promise.all([1, 2, 3, 4].map((p) => c.patch('/categories/race-1', { position: p, metadata: { version: 1 } })));
      expect(results.map((r) => r.status).sort()).toEqual([204, 409, 409, 409]);
      expect((await c.get('/categories/race-1')).body.metadata.version).toBe(2);
    });
  });

  describe('reads (ops 1, 3, 5)', () => {
    let t: Client;
    beforeAll(async () => {
      t = await Client.as(h.url, 'listing');
      await t.category({
        id: 'l1',
        localizedName: { en: 'Apple', de: 'Apfel' },
        code: 'FRUIT-A',
        ecn: ['n1'],
        validity: { from: '2024-03-01T00:00:00Z', to: '2024-06-30T10:00:00Z' },
      });
      await t.category({ id: 'l2', localizedName: { en: 'Banana' }, parentId: 'l1', position: 2, mixins: { info: { kg: 5 } } });
      await t.category({ id: 'l3', localizedName: { en: 'Cherry', fr: 'Cerise' }, published: false });
    });

    it('lists in creation order, published only by default, with paging and X-Total-Count', async () => {
      const all = await t.get('/categories', { 'x-total-count': 'true' });
      expect(all.body.map((x: any) => x.id)).toEqual(['l1', 'l2']);
      expect(all.headers.get('x-total-count')).toBe('2');
      expect((await t.get('/categories', { 'x-total-count': 'nonsense' })).headers.get('x-total-count')).toBeNull();
      expect((await t.get('/categories?showUnpublished=true')).body.map((x: any) => x.id)).toEqual(['l1', 'l2', 'l3']);
      expect((await t.get('/categories?showRoots=true')).body.map((x: any) => x.id)).toEqual(['l1']);
      expect((await t.get('/categories?pageSize=1&pageNumber=2')).body.map((x: any) => x.id)).toEqual(['l2']);
      expect((await t.get('/categories?pageSize=1&pageNumber=9')).body).toEqual([]);
      for (const bad of [
        'pageSize=0',
        'pageSize=1001',
        'pageNumber=0',
        'pageNumber=x',
        'showRoots=yes',
        'sort=name',
        'sort=id:up',
        'pageSize=1&pageSize=2',
      ]) {
        expectCategoryError(await t.get(`/categories?${bad}`), 400, 'validation_failed');
      }
    });

    it('filters by code, ecn, localized values and dates', async () => {
      const ids = async (qs: string, headers?: Record<string, string>) =>
        (await t.get(`/categories?showUnpublished=true&${qs}`, headers)).body.map((x: any) => x.id);
      expect(await ids('code=fruit-a')).toEqual(['l1']);
      expect(await ids('ecn=n1')).toEqual(['l1']);
      expect(await ids('ecn=N1')).toEqual([]);
      expect(await ids('localizedName=apfel')).toEqual(['l1']);
      expect(await ids('localizedName=apfel', { 'accept-language': 'en' })).toEqual([]);
      expect(await ids('localizedName=cerise')).toEqual(['l3']);
      expect(await ids('validityFrom=2024-03-01')).toEqual(['l1']);
      expect(await ids('validityFrom=2024-03-02')).toEqual([]);
      expect(await ids('validityTo=2024-06-30')).toEqual(['l1']);
      expect(await ids('validityTo=2024-06-29')).toEqual([]);
      expect(await ids('metadataModifiedAt=2000-01-01')).toEqual(['l1', 'l2', 'l3']);
      expectCategoryError(await t.get('/categories?validityFrom=2024-13-01'), 400, 'validation_failed');
    });

    it('supports q on GET and POST …/search, sort, and rejects bad q', async () => {
      const ids = (r: any) => r.body.map((x: any) => x.id);
      expect(ids(await t.get(`/categories?q=${encodeURIComponent('localizedName.en:~^B')}`))).toEqual(['l2']);
      expect(ids(await t.get(`/categories?q=${encodeURIComponent('mixins.info.kg:>3')}`))).toEqual(['l2']);
      expect(ids(await t.post('/categories/search?showUnpublished=true', { q: 'id:(l1,l3)' }))).toEqual(['l1', 'l3']);
      expect(ids(await t.post('/categories/search', { q: 'localizedName:~"(?i)apf"' }))).toEqual(['l1']);
      expect(ids(await t.post('/categories/search', {}))).toEqual(['l1', 'l2']);
      expect(ids(await t.post('/categories/search'))).toEqual(['l1', 'l2']);
      const count = await t.post('/categories/search', { q: 'published:true' }, { 'X-Total-Count': 'true' });
      expect(count.headers.get('x-total-count')).toBe('2');
      expect(ids(await t.get('/categories?sort=localizedName:desc'))).toEqual(['l2', 'l1']);
      expect(ids(await t.get('/categories?sort=position:desc,id'))).toEqual(['l2', 'l1']);
      expect(ids(await t.get('/categories?sort=localizedName.de:asc&showUnpublished=true'))).toEqual(['l2', 'l3', 'l1']);
      for (const q of ['nope:1', 'code:', 'compoundLogicalQuery:((code:a) OR (code:b))', 'localizedName.ru:x']) {
        expectCategoryError(await t.get(`/categories?q=${encodeURIComponent(q)}`), 400, 'invalid_query');
      }
      expectCategoryError(await t.post('/categories/search', { q: 5 }), 400, 'invalid_query');
    });

    it('projects localized maps by Accept-Language and rejects unsupported languages', async () => {
      const de = (await t.get('/categories/l1', { 'accept-language': 'de-CH, en;q=0.5' })).body;
      expect(de.localizedName).toEqual({ de: 'Apfel', en: 'Apple' });
      expect(de.name).toBe('Apple');
      expect((await t.get('/categories/l1', { 'accept-language': 'fr' })).body.localizedName).toEqual({});
      expect((await t.get('/categories/l1', { 'accept-language': '*' })).body.localizedName).toEqual({ en: 'Apple', de: 'Apfel' });
      const refused = await t.get('/categories/l1', { 'accept-language': 'en;q=0, de;q=0.000' });
      expectCategoryError(refused, 400, 'validation_failed');
      expect(refused.body.details).toEqual(["Following languages are not supported: 'en', 'de'"]);
      const bad = await t.get('/categories/l1', { 'accept-language': 'ru' });
      expectCategoryError(bad, 400, 'validation_failed');
      expect(bad.body).toMatchObject({
        message: 'Accept-Language validation failed.',
        details: ["Following languages are not supported: 'ru'"],
      });
    });

    it('hides unpublished categories on op 5 and checks the read_unpublished scope from the query alone', async () => {
      const nf = await t.get('/categories/l3');
      expectCategoryError(nf, 404, 'resource_not_found');
      expect(nf.body).toMatchObject({
        resourceId: 'l3',
        message: 'Error while getting category',
        details: ["Category with id 'l3' not found"],
      });
      const anon = await Client.as(h.url, 'listing', [], { principalType: 'anonymous', sid: 'v' } as never);
      expect((await anon.get('/categories/l1')).status).toBe(200);
      const denied = await anon.get('/categories/l1?showUnpublished=TRUE');
      expectCategoryError(denied, 403, 'insufficient_scope');
      expect(denied.body.details).toEqual([`Required scope(s): ${readUnpublished}`]);
      // The 403 is decided before the body is read (§3.10 step 3 before step 4).
      expectCategoryError(await anon.post('/categories/search?showUnpublished=true', '{broken', {}), 403, 'insufficient_scope');
      expect((await anon.get('/categories/l1?showUnpublished=false')).status).toBe(200);
      expectCategoryError(await t.get('/categories/does-not-exist'), 404, 'resource_not_found');
      expectCategoryError(await t.get('/categories/has.dot'), 404, 'resource_not_found');
    });
  });

  it('computes classificationMixins from the root down, on single reads and subcategories', async () => {
    const t = await Client.as(h.url, 'classy');
    const mixin = (name: string) => ({ name, schemaUrl: `https://schemas.example.com/${name}.json` });
    await t.category({ id: 'CR', type: 'CLASSIFICATION', code: 'top', ownClassificationMixins: [mixin('size')] });
    await t.category({
      id: 'CK',
      type: 'CLASSIFICATION',
      code: 'kid',
      parentId: 'CR',
      ownClassificationMixins: [{ ...mixin('color'), required: true }],
    });
    const expected = [
      {
        name: 'size',
        mixinPath: 'class_top_size',
        schemaUrl: 'https://schemas.example.com/size.json',
        required: false,
        sourceCategoryId: 'CR',
      },
      {
        name: 'color',
        mixinPath: 'class_kid_color',
        schemaUrl: 'https://schemas.example.com/color.json',
        required: true,
        sourceCategoryId: 'CK',
      },
    ];
    const kid = (await t.get('/categories/CK')).body;
    expect(kid.ownClassificationMixins).toEqual([{ name: 'color', schemaUrl: 'https://schemas.example.com/color.json', required: true }]);
    expect(kid.classificationMixins).toEqual(expected);
    expect((await t.get('/categories/CR/subcategories')).body[0].classificationMixins).toEqual(expected);
    expect((await t.get('/categories?showRoots=false')).body.find((x: any) => x.id === 'CK').classificationMixins).toEqual(expected);
    // A code change shows up at once (recomputed on every read).
    await t.patch('/categories/CR', { code: 'root2', metadata: { version: 1 } });
    expect((await t.get('/categories/CK')).body.classificationMixins[0].mixinPath).toBe('class_root2_size');
    expectCategoryError(
      await t.post('/categories', {
        localizedName: { en: 'x' },
        published: true,
        type: 'CLASSIFICATION',
        code: 'dup',
        ownClassificationMixins: [mixin('a'), mixin('a')],
      }),
      400,
      'validation_failed',
    );
  });

  it('emits category events through the outbox', async () => {
    const t = await Client.as(h.url, 'evts');
    await t.category({ id: 'ev1' });
    await t.patch('/categories/ev1', { position: 1, metadata: { version: 1 } });
    await t.delete('/categories/ev1');
    const mc = await MongoClient.connect(h.db.uri);
    const events = await mc.db('category').collection('outbox').find({ tenant: 'evts' }).sort({ createdAt: 1 }).toArray();
    await mc.close();
    expect(events.map((e) => [e.event.type, e.event.subject, e.event.entityversion])).toEqual([
      ['category.created', 'ev1', 1],
      ['category.updated', 'ev1', 2],
      ['category.deleted', 'ev1', 2],
    ]);
    expect(events[0].event.data).toMatchObject({ id: 'ev1', localizedName: { en: 'ev1' }, tenant: 'evts' });
  });

  it('gives assignment.deleted one payload shape, whether op 18 or a category delete removed the assignment', async () => {
    const t = await Client.as(h.url, 'evshape');
    await t.category({ id: 'es1' });
    const direct = (await t.post('/categories/es1/assignments', { ref: { id: 'p-a', type: 'PRODUCT' } })).body.id;
    const cascaded = (await t.post('/categories/es1/assignments', { ref: { id: 'p-b', type: 'PRODUCT' } })).body.id;
    expect((await t.delete(`/categories/es1/assignments/${direct}`)).status).toBe(204);
    expect((await t.delete('/categories/es1')).status).toBe(204);
    const mc = await MongoClient.connect(h.db.uri);
    const events = await mc
      .db('category')
      .collection('outbox')
      .find({ tenant: 'evshape', 'event.type': 'assignment.deleted' })
      .sort({ createdAt: 1 })
      .toArray();
    await mc.close();
    expect(events.map((e) => e.event.data)).toEqual([
      { id: direct, categoryId: 'es1', ref: { id: 'p-a', type: 'PRODUCT' }, tenant: 'evshape' },
      { id: cascaded, categoryId: 'es1', ref: { id: 'p-b', type: 'PRODUCT' }, tenant: 'evshape' },
    ]);
  });
});
