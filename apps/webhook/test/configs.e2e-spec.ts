import { expectErrorProfile, httpRequest, ServiceHarness, TestResponse } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { DATABASE_NAME } from '../src/config/webhook.config';
import { WebhookConfigReader } from '../src/configs/webhook-config.types';
import { as, MANAGE, READ, startWebhookApp } from './support';

// The Config API (README "Configs"): every operation over real HTTP against the app on the
// embedded database. Each test uses its own tenant, so tests never see each other's configs.

const RECEIVER = 'http://127.0.0.1:9/hooks';
/** A public address literal: allowed by the destination policy without a DNS lookup. */
const PUBLIC = 'https://93.184.215.14/hooks';
const ROOT_SECRET = 'root-Secret-7f3a9c';
const ENTRY_SECRET = 'entry-Secret-c41b22';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HTTP_ONLY = /supports only the http strategy \(provider HTTP, code http\)/;
const NOT_IN_CATALOG = 'is not an event type of the catalog (GET /webhook/{tenant}/event-subscriptions)';
const FORBIDDEN_KEY = 'keys must not be empty, start with $, contain . or NUL, or be __proto__';
const FILTER_FORM = "the filter must have the form $[?(<predicate>)], for example $[?(@.status == 'ACTIVE')]";
const BY_ID = 'address them by id with /configuration/http/eventsConfigurationEntry/{entryId}';

type Who = Record<string, string>;

describe('Config API (http strategy)', () => {
  let h: ServiceHarness;
  let counter = 0;
  /** A fresh tenant per test. */
  const tenant = () => `cfg${++counter}t${process.pid % 1000}`;

  beforeAll(async () => {
    h = await startWebhookApp();
  });
  afterAll(() => h?.close());

  const call = (method: string, path: string, who: Who, body?: unknown): Promise<TestResponse> =>
    httpRequest(`${h.url}${path}`, method, { headers: who, body });
  const manager = (t: string) => as(t, [MANAGE]);
  const reader = (t: string) => as(t, [READ]);
  const configPath = (t: string, rest = '') => `/webhook/${t}/config${rest}`;

  const body = (configuration: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    code: 'http',
    provider: 'HTTP',
    active: true,
    configuration: { destinationUrl: RECEIVER, ...configuration },
    ...extra,
  });
  const create = async (t: string, b: unknown = body()) => {
    const r = await call('POST', configPath(t), await manager(t), b);
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
  };
  const read = async (t: string) => {
    const r = await call('GET', configPath(t, '/http'), await reader(t));
    if (r.status !== 200) throw new Error(`read failed: ${r.status} ${r.text}`);
    return r.body;
  };
  const patch = async (t: string, ops: unknown) => call('PATCH', configPath(t, '/http'), await manager(t), ops);
  const put = async (t: string, b: unknown) => call('PUT', configPath(t, '/http'), await manager(t), b);
  /** No read shows a secret: neither the list nor the single config, whatever was written. */
  const expectNoSecretsIn = async (t: string) => {
    for (const path of [configPath(t), configPath(t, '/http')]) {
      const r = await call('GET', path, await reader(t));
      expect(r.status).toBe(200);
      for (const secret of [ROOT_SECRET, ENTRY_SECRET, '"secretKey"']) expect(r.text).not.toContain(secret);
    }
  };
  const expect400 = (r: TestResponse) => expectErrorProfile('webhook', r, 400, 'validation_failed');
  /** The `details` of a 400, which must be exactly `expected` (ERR-6: every problem, in the sorted order). */
  const expectDetails = (r: TestResponse, expected: string[]) => expect(expect400(r).details).toEqual(expected);

  describe('create and read', () => {
    it('creates the http config: 201 with Location, and reads show it without any secret', async () => {
      const t = tenant();
      const r = await call(
        'POST',
        configPath(t),
        await manager(t),
        body({
          secretKey: ROOT_SECRET,
          headers: { 'X-Api-Key': { value: 'k1' } },
          eventsConfiguration: [
            {
              name: 'ERP',
              eventType: 'CATEGORY.CREATED',
              destinationUrl: PUBLIC,
              secretKey: ENTRY_SECRET,
              filter: "$[?(@.code == 'shoes')]",
              excludedFields: ['mixins'],
              headers: { 'X-Tag': { value: 'erp' } },
            },
            { eventType: 'category.created', excludedFields: null, active: false },
            { eventType: 'coupon.created', excludedFields: [] },
          ],
        }),
      );
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ code: 'http' });
      expect(r.headers.get('location')).toBe(`/webhook/${t}/config/http`);

      const one = await call('GET', configPath(t, '/http'), await reader(t));
      const list = await call('GET', configPath(t), await reader(t));
      for (const res of [one, list]) {
        expect(res.status).toBe(200);
        expect(res.text).not.toContain(ROOT_SECRET);
        expect(res.text).not.toContain(ENTRY_SECRET);
        expect(res.text).not.toContain('"secretKey"');
      }
      expect(list.body).toEqual([one.body]);
      const config = one.body;
      expect(config).toMatchObject({ code: 'http', active: true, provider: 'HTTP', metadata: { version: 1 } });
      expect(config.configuration).toMatchObject({
        destinationUrl: RECEIVER,
        secretKeyExists: true,
        headers: { 'X-Api-Key': { value: 'k1' } },
      });
      const [erp, second, third] = config.configuration.eventsConfiguration;
      expect(erp).toEqual({
        id: expect.stringMatching(UUID),
        name: 'ERP',
        eventType: 'CATEGORY.CREATED',
        destinationUrl: PUBLIC,
        secretKeyExists: true,
        headers: { 'X-Tag': { value: 'erp' } },
        filter: "$[?(@.code == 'shoes')]",
        excludedFields: ['mixins'],
        active: true,
      });
      // excludedFields as stored: null stays null, absent stays absent, [] stays [].
      expect(second).toEqual({
        id: expect.stringMatching(UUID),
        eventType: 'category.created',
        secretKeyExists: false,
        excludedFields: null,
        active: false,
      });
      expect(third).toEqual({
        id: expect.stringMatching(UUID),
        eventType: 'coupon.created',
        secretKeyExists: false,
        excludedFields: [],
        active: true,
      });
      expect(new Set([erp.id, second.id, third.id]).size).toBe(3);
    });

    it('a second config of the same code is 409, and the first stays as it was', async () => {
      const t = tenant();
      await create(t);
      const again = await call('POST', configPath(t), await manager(t), body({ destinationUrl: PUBLIC }));
      expectErrorProfile('webhook', again, 409, 'duplicate_resource');
      expect((await read(t)).configuration.destinationUrl).toBe(RECEIVER);
    });

    it('a tenant without a config lists [] and reads 404; an unknown code is 404', async () => {
      const t = tenant();
      const list = await call('GET', configPath(t), await reader(t));
      expect(list.status).toBe(200);
      expect(list.body).toEqual([]);
      expectErrorProfile('webhook', await call('GET', configPath(t, '/http'), await reader(t)), 404, 'resource_not_found');
      await create(t);
      expectErrorProfile('webhook', await call('GET', configPath(t, '/svix'), await reader(t)), 404, 'resource_not_found');
      expectErrorProfile('webhook', await call('GET', configPath(t, '/other'), await reader(t)), 404, 'resource_not_found');
    });

    it('active defaults to true; an inactive config needs no destination yet', async () => {
      const t = tenant();
      await create(t, { code: 'http', provider: 'HTTP', configuration: { destinationUrl: RECEIVER } });
      expect((await read(t)).active).toBe(true);
      const t2 = tenant();
      await create(t2, {
        code: 'http',
        provider: 'HTTP',
        active: false,
        configuration: { eventsConfiguration: [{ eventType: 'coupon.created' }] },
      });
      expect((await read(t2)).configuration.eventsConfiguration).toHaveLength(1);
    });

    it('the config reader of the other modules gets the stored config, secrets included', async () => {
      const t = tenant();
      await create(t, body({ secretKey: ROOT_SECRET, eventsConfiguration: [{ eventType: 'coupon.updated', secretKey: ENTRY_SECRET }] }));
      const stored = await h.app.app.get(WebhookConfigReader).httpConfig(t);
      expect(stored).toMatchObject({
        code: 'http',
        provider: 'HTTP',
        active: true,
        configuration: {
          destinationUrl: RECEIVER,
          secretKey: ROOT_SECRET,
          eventsConfiguration: [{ eventType: 'coupon.updated', secretKey: ENTRY_SECRET, active: true }],
        },
        metadata: { version: 1 },
      });
      expect(await h.app.app.get(WebhookConfigReader).httpConfig(tenant())).toBeNull();
    });
  });

  describe('only the http strategy', () => {
    it.each([
      ['SVIX', 'svix', { apiKey: 'SARFJ353DSTGSd3w3cZXX' }],
      ['SVIX_SHARED', 'svix_shared', {}],
      ['SVIX', 'http', { destinationUrl: RECEIVER }],
      ['HTTP', 'svix', { destinationUrl: RECEIVER }],
    ])('POST with provider %s and code %s is 400 saying only http is supported', async (provider, code, configuration) => {
      const t = tenant();
      const r = await call('POST', configPath(t), await manager(t), { code, provider, active: true, configuration });
      expect(expect400(r).message).toMatch(HTTP_ONLY);
      expect((await call('GET', configPath(t), await reader(t))).body).toEqual([]);
    });

    it('PUT and PATCH of a Svix config, and the Svix PATCH path, are 400 http-only', async () => {
      const t = tenant();
      await create(t);
      const who = await manager(t);
      expect(
        expect400(await call('PUT', configPath(t, '/svix'), who, { provider: 'SVIX', configuration: { apiKey: 'x' } })).message,
      ).toMatch(HTTP_ONLY);
      expect(expect400(await put(t, body({}, { provider: 'SVIX_SHARED' }))).message).toMatch(HTTP_ONLY);
      expect(expect400(await call('PATCH', configPath(t, '/svix'), who, [{ op: 'UPSERT', path: '/active', value: true }])).message).toMatch(
        HTTP_ONLY,
      );
      const svixPath = await patch(t, [{ op: 'UPSERT', path: '/configuration/svix/apiKey', value: 'SARFJ353DSTGSd3w3cZXX' }]);
      expect(expect400(svixPath).message).toMatch(HTTP_ONLY);
      expect(svixPath.body.details).toEqual(['[0].path: only the http strategy (provider HTTP) is supported']);
      expect((await read(t)).metadata.version).toBe(1);
    });

    it('a code other than http is 400 on create', async () => {
      const t = tenant();
      expectDetails(await call('POST', configPath(t), await manager(t), body({}, { code: 'mine' })), ['code: code must be http']);
    });
  });

  describe('validation: every problem of a body in one 400', () => {
    it('lists the problems of every field at once, with their paths', async () => {
      const t = tenant();
      const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, { value: 'v' }]));
      const r = await call(
        'POST',
        configPath(t),
        await manager(t),
        body({
          secretKey: '',
          headers: tooMany,
          eventsConfiguration: [
            { eventType: 'product.created' },
            {
              eventType: 'coupon.created',
              name: 'n'.repeat(256),
              filter: '$.status',
              excludedFields: ['', 'a.b'],
              headers: { Host: { value: 'x' }, 'Bad Name': { value: 'x' }, 'X-Inject': { value: 'a\r\nSet-Cookie: x' } },
              // Unknown: dropped (ERR-7), so no problem of its own.
              colour: 'red',
            },
          ],
        }),
      );
      expectDetails(r, [
        `configuration.eventsConfiguration[0].eventType: 'product.created' ${NOT_IN_CATALOG}`,
        'configuration.eventsConfiguration[1].excludedFields[0]: must not be blank',
        'configuration.eventsConfiguration[1].excludedFields[1]: only top-level field names are supported, not paths',
        `configuration.eventsConfiguration[1].filter: ${FILTER_FORM}`,
        "configuration.eventsConfiguration[1].headers.Bad Name: 'Bad Name' is not a valid HTTP header name",
        'configuration.eventsConfiguration[1].headers.Host: Host is set by the delivery and cannot be configured',
        'configuration.eventsConfiguration[1].headers.X-Inject.value: must not contain CR, LF or other control characters',
        'configuration.eventsConfiguration[1].name: must be at most 255 characters long',
        'configuration.headers: at most 10 headers are allowed, got 11',
        'configuration.secretKey: must be 1 to 256 characters long',
      ]);
    });

    it('refuses reserved and delivery-owned header names in any letter case', async () => {
      const t = tenant();
      for (const name of [
        'content-type',
        'Content-Length',
        'TRANSFER-ENCODING',
        'Connection',
        'host',
        'emporix-event-signature',
        'Emporix-Event-Publish-Time',
        'ce-id',
        'CE-Type',
        'ce-source',
        'X-Delivery-Id',
        'x-delivery-trace',
      ]) {
        const r = await call('POST', configPath(t), await manager(t), body({ headers: { [name]: { value: 'x' } } }));
        expectDetails(r, [`configuration.headers.${name}: ${name} is set by the delivery and cannot be configured`]);
      }
      const dup = await call('POST', configPath(t), await manager(t), body({ headers: { 'X-A': { value: '1' }, 'x-a': { value: '2' } } }));
      expectDetails(dup, ['configuration.headers.x-a: x-a is given twice (header names are case-insensitive; also X-A)']);
    });

    it('refuses wrong types, forbidden keys and bodies that are not config objects', async () => {
      const t = tenant();
      const who = await manager(t);
      expectErrorProfile(
        'webhook',
        await httpRequest(`${h.url}${configPath(t)}`, 'POST', { headers: who, raw: '{"code": "http",' }),
        400,
        'malformed_json',
      );
      expectDetails(await call('POST', configPath(t), who, [body()]), ['the request body must be a JSON object']);
      expectDetails(await call('POST', configPath(t), who, { code: 'http', provider: 'HTTP', active: 'yes', configuration: 'x' }), [
        'active: active must be true or false',
        'configuration: configuration must be an object',
      ]);
      expectDetails(await call('POST', configPath(t), who, body({ eventsConfiguration: { eventType: 'coupon.created' } })), [
        'configuration.eventsConfiguration: eventsConfiguration must be an array',
      ]);
      expectDetails(await call('POST', configPath(t), who, body({ headers: { 'X-A': 'plain' }, destinationUrl: 42 })), [
        'configuration.destinationUrl: must be a string',
        'configuration.headers.X-A: must be an object {"value": "..."}',
      ]);
      const dollar = await call('POST', configPath(t), who, body({ headers: { $where: { value: 'v' } } }));
      expect(expect400(dollar).details).toEqual([`configuration.headers.$where: ${FORBIDDEN_KEY}`]);
      // ERR-8 holds for keys that would be dropped as unknown (ERR-7) too.
      expectDetails(
        await call('POST', configPath(t), who, {
          ...body({ eventsConfiguration: [{ eventType: 'coupon.created', 'colour.en': 'red' }] }),
          $set: { active: false },
        }),
        [`$set: ${FORBIDDEN_KEY}`, `configuration.eventsConfiguration[0].colour.en: ${FORBIDDEN_KEY}`],
      );
      expectDetails(await call('POST', configPath(t), who, { provider: 'HTTP' }), ['code: code is required']);
      expectDetails(
        await call(
          'POST',
          configPath(t),
          who,
          body({ eventsConfiguration: [{ eventType: 'coupon.created', id: '3f1a2b4c-5d6e-4f80-91a2-b3c4d5e6f708' }] }),
        ),
        ['configuration.eventsConfiguration[0].id: entry ids are assigned by the server; omit id on create'],
      );
      expect((await call('GET', configPath(t), await reader(t))).body).toEqual([]);
    });

    it('an active config needs a destination for every active entry; more than 100 entries are refused', async () => {
      const t = tenant();
      const who = await manager(t);
      const noRoot = {
        code: 'http',
        provider: 'HTTP',
        active: true,
        configuration: {
          eventsConfiguration: [
            { eventType: 'coupon.created', destinationUrl: RECEIVER },
            { eventType: 'coupon.updated' },
            { eventType: 'coupon.deleted', active: false },
          ],
        },
      };
      expectDetails(await call('POST', configPath(t), who, noRoot), [
        'configuration.eventsConfiguration[1].destinationUrl: ' +
          'the config is active and neither this entry nor the configuration has a destinationUrl',
      ]);
      expectDetails(await call('POST', configPath(t), who, { code: 'http', provider: 'HTTP', active: true }), [
        'configuration.destinationUrl: an active config needs a destinationUrl, at the root or on an active entry',
      ]);
      const many = Array.from({ length: 101 }, () => ({ eventType: 'coupon.created' }));
      expectDetails(await call('POST', configPath(t), who, body({ eventsConfiguration: many })), [
        'configuration.eventsConfiguration: eventsConfiguration may have at most 100 entries',
      ]);
    });
  });

  describe('filters', () => {
    it.each([
      "$[?(@.status == 'ACTIVE')]",
      '$[?(@.total.amount > 100)]',
      "$[?(@['localizedName'].en != 'x' && (@.published || !@.deleted))]",
      '$[?(@.items[0].qty >= 2)]',
      '',
    ])('accepts %p', async (filter) => {
      const t = tenant();
      await create(t, body({ eventsConfiguration: [{ eventType: 'coupon.created', filter }] }));
      const [entry] = (await read(t)).configuration.eventsConfiguration;
      if (filter === '') expect(entry).not.toHaveProperty('filter');
      else expect(entry.filter).toBe(filter);
    });

    it.each([
      ['a plain path', '$.status', 'the filter must have the form'],
      ['a regular expression', '$[?(@.name =~ /a.*/)]', 'does not parse'],
      ['a function call', '$[?(@.code.length() > 2)]', 'CallExpression is not supported'],
      ['a name without @', '$[?(status == 1)]', "unknown name 'status'"],
      ['an unclosed predicate', "$[?(@.a == 'x'", 'the filter must have the form'],
      ['an empty predicate', '$[?()]', 'the predicate is empty'],
      ['an assignment', '$[?(@.a = 1)]', 'does not parse'],
      ['an operator outside the subset', '$[?(@.a + 1 > 2)]', 'operator + is not supported'],
      ['1001 characters', `$[?(@.a == '${'x'.repeat(1000)}')]`, 'longer than 1000'],
    ])('refuses %s with 400', async (_label, filter, words) => {
      const t = tenant();
      const r = await call(
        'POST',
        configPath(t),
        await manager(t),
        body({ eventsConfiguration: [{ eventType: 'coupon.created', filter }] }),
      );
      const details = expect400(r).details as string[];
      expect(details).toHaveLength(1);
      expect(details[0]).toMatch(/^configuration\.eventsConfiguration\[0\]\.filter: /);
      expect(details[0]).toContain(words);
    });
  });

  describe('destinations (SSRF) at config time', () => {
    let strict: ServiceHarness;
    beforeAll(async () => {
      // A second instance on the same database that opens nothing: loopback is internal too.
      strict = await startWebhookApp({ env: { WEBHOOK_ALLOWED_DESTINATIONS: '' }, database: h.db });
    });
    afterAll(() => strict?.close());

    const refusals: Array<[string, string]> = [
      ['http://127.0.0.1:8080/hooks', '127.0.0.1 is a loopback address'],
      ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a link-local (cloud metadata) address'],
      ['https://10.1.2.3/hooks', '10.1.2.3 is a private address'],
      ['https://192.168.0.10/hooks', '192.168.0.10 is a private address'],
      ['http://[::1]:8080/hooks', '::1 is a loopback address'],
      ['http://[::ffff:127.0.0.1]/hooks', '127.0.0.1 is a loopback address'],
      ['http://localhost:8080/hooks', 'localhost resolves to'],
      ['ftp://93.184.215.14/hooks', 'must be an absolute http(s) URL'],
      ['https://user:pw@93.184.215.14/hooks', 'must not carry credentials'],
      ['not a url', 'must be an absolute http(s) URL'],
    ];

    it.each(refusals)('refuses %s on create, replace and patch', async (url, reason) => {
      const t = tenant();
      const who = await as(t, [MANAGE]);
      const post = await httpRequest(`${strict.url}${configPath(t)}`, 'POST', { headers: who, body: body({ destinationUrl: url }) });
      const [detail] = expect400(post).details;
      expect(detail).toMatch(/^configuration\.destinationUrl: /);
      expect(detail).toContain(reason);
      await create(t, body({ destinationUrl: PUBLIC }));
      const replaced = await httpRequest(`${strict.url}${configPath(t, '/http')}`, 'PUT', {
        headers: who,
        body: body({ destinationUrl: PUBLIC, eventsConfiguration: [{ eventType: 'coupon.created', destinationUrl: url }] }),
      });
      expect(expect400(replaced).details[0]).toMatch(/^configuration\.eventsConfiguration\[0\]\.destinationUrl: /);
      const patched = await httpRequest(`${strict.url}${configPath(t, '/http')}`, 'PATCH', {
        headers: who,
        body: [{ op: 'UPSERT', path: '/configuration/http/destinationUrl', value: url }],
      });
      const [patchDetail] = expect400(patched).details;
      expect(patchDetail).toMatch(/^\[0\]\.value: /);
      expect(patchDetail).toContain(reason);
      expect((await read(t)).configuration.destinationUrl).toBe(PUBLIC);
    });

    it('refuses internal networks even where loopback is opened (metadata, private ranges)', async () => {
      const t = tenant();
      for (const url of ['http://169.254.169.254/', 'http://10.0.0.5/', 'http://[fd00::1]/']) {
        const r = await call('POST', configPath(t), await manager(t), body({ destinationUrl: url }));
        expect(expect400(r).details[0]).toContain('must not point into an internal network');
      }
    });

    it('lists every refused destination of a body at once', async () => {
      const t = tenant();
      const r = await httpRequest(`${strict.url}${configPath(t)}`, 'POST', {
        headers: await as(t, [MANAGE]),
        body: body({
          destinationUrl: 'http://127.0.0.1/',
          eventsConfiguration: [{ eventType: 'coupon.created', destinationUrl: 'http://10.9.9.9/' }],
        }),
      });
      const details = expect400(r).details as string[];
      expect(details.map((d) => d.split(':')[0])).toEqual([
        'configuration.destinationUrl',
        'configuration.eventsConfiguration[0].destinationUrl',
      ]);
    });
  });

  describe('unknown properties (ERR-7): dropped anywhere, never stored, never echoed', () => {
    let client: MongoClient;
    beforeAll(async () => {
      client = await new MongoClient(h.db.uri).connect();
    });
    afterAll(() => client?.close());
    /** The document as stored, read past the service. */
    const stored = (t: string) =>
      client.db(DATABASE_NAME).collection<{ _id: string; configuration: unknown }>(`${t}_webhook_configs`).findOne({ _id: 'http' });
    const UNKNOWN_WORDS = ['colour', 'note', 'extra', 'apiKey', 'secretkey', 'destinationURL', 'k-77', ROOT_SECRET, ENTRY_SECRET];
    /** Neither a read nor the stored document holds anything of the unknown properties (`words`). */
    const expectNothingUnknown = async (t: string, words = UNKNOWN_WORDS) => {
      const r = await call('GET', configPath(t, '/http'), await reader(t));
      expect(r.status).toBe(200);
      const doc = JSON.stringify(await stored(t));
      for (const word of words) {
        expect(r.text).not.toContain(word);
        expect(doc).not.toContain(word);
      }
      expect(Object.keys(r.body).sort()).toEqual(['active', 'code', 'configuration', 'metadata', 'provider']);
    };

    it('POST: at the top, in configuration, in entries and in header objects; a misspelt secretKey is not stored', async () => {
      const t = tenant();
      const r = await call('POST', configPath(t), await manager(t), {
        ...body({
          destinationURL: PUBLIC,
          secretkey: ROOT_SECRET,
          headers: { 'X-A': { value: 'a', note: 'n', extra: { deep: 1 } } },
          eventsConfiguration: [
            { eventType: 'coupon.created', colour: 'red', secretkey: ENTRY_SECRET, headers: { 'X-E': { value: 'e', note: 'n' } } },
          ],
          apiKey: 'k-77',
        }),
        extra: 1,
        metadata: { note: 'n' },
      });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ code: 'http' });
      const config = await read(t);
      // The misspelt secretkey was dropped: secretKeyExists false is how a client notices.
      expect(config.configuration).toEqual({
        destinationUrl: RECEIVER,
        secretKeyExists: false,
        headers: { 'X-A': { value: 'a' } },
        eventsConfiguration: [
          {
            id: expect.stringMatching(UUID),
            eventType: 'coupon.created',
            secretKeyExists: false,
            headers: { 'X-E': { value: 'e' } },
            active: true,
          },
        ],
      });
      expect(await stored(t)).toEqual({
        _id: 'http',
        provider: 'HTTP',
        active: true,
        configuration: {
          destinationUrl: RECEIVER,
          headers: { 'X-A': { value: 'a' } },
          eventsConfiguration: [
            {
              id: config.configuration.eventsConfiguration[0].id,
              eventType: 'coupon.created',
              headers: { 'X-E': { value: 'e' } },
              active: true,
            },
          ],
        },
        metadata: { version: 1, createdAt: expect.any(Date), modifiedAt: expect.any(Date) },
      });
      await expectNothingUnknown(t);
    });

    it('PUT: a read sent back with unknown properties added replaces the config without them', async () => {
      const t = tenant();
      await create(t, body({ secretKey: ROOT_SECRET, eventsConfiguration: [{ eventType: 'coupon.created' }] }));
      const before = await read(t);
      const [entry] = before.configuration.eventsConfiguration;
      const r = await put(t, {
        ...before,
        extra: 1,
        metadata: { ...before.metadata, note: 'n' },
        configuration: {
          ...before.configuration,
          apiKey: 'k-77',
          headers: { 'X-A': { value: 'a', note: 'n' } },
          eventsConfiguration: [{ ...entry, colour: 'red', secretkey: ENTRY_SECRET, headers: { 'X-E': { value: 'e', extra: true } } }],
        },
      });
      expect(r.status).toBe(204);
      const after = await read(t);
      expect(after.metadata.version).toBe(2);
      expect(after.configuration).toEqual({
        destinationUrl: RECEIVER,
        secretKeyExists: true,
        headers: { 'X-A': { value: 'a' } },
        eventsConfiguration: [{ ...entry, headers: { 'X-E': { value: 'e' } } }],
      });
      expect((await stored(t))?.configuration).toEqual({
        destinationUrl: RECEIVER,
        secretKey: ROOT_SECRET,
        headers: { 'X-A': { value: 'a' } },
        eventsConfiguration: [{ id: entry.id, eventType: 'coupon.created', headers: { 'X-E': { value: 'e' } }, active: true }],
      });
      // The one stored secret is the root's, written properly at create.
      await expectNothingUnknown(
        t,
        UNKNOWN_WORDS.filter((w) => w !== ROOT_SECRET),
      );
    });

    it('PATCH: an operation with extra keys still applies; unknown properties of every kind of value are dropped', async () => {
      const t = tenant();
      await create(t);
      const base = '/configuration/http';
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path: '/active', value: false, note: 'pause' },
            {
              op: 'UPSERT',
              path: '/configuration',
              value: {
                destinationUrl: PUBLIC,
                apiKey: 'k-77',
                headers: { 'X-R': { value: 'r', note: 'n' } },
                eventsConfiguration: [{ eventType: 'coupon.created', colour: 'red' }],
              },
              extra: { deep: 1 },
            },
            { op: 'UPSERT', path: `${base}/eventsConfiguration/coupon.updated`, value: { name: 'legacy', colour: 'blue' } },
            { op: 'UPSERT', path: `${base}/eventsConfiguration/coupon.updated/headers`, value: { 'X-L': { value: 'l', note: 'n' } } },
            {
              op: 'UPSERT',
              path: `${base}/eventsConfigurationEntry`,
              value: { eventType: 'category.created', secretkey: ENTRY_SECRET, extra: 3 },
            },
            { op: 'REMOVE', path: `${base}/destinationUrl`, value: 'ignored', note: 'n' },
          ])
        ).status,
      ).toBe(204);
      const first = await read(t);
      expect(first.active).toBe(false);
      const [created, legacy, added] = first.configuration.eventsConfiguration;
      // The REMOVE with extra keys applied too: no root destination is left (the config is inactive).
      expect(first.configuration).toEqual({
        secretKeyExists: false,
        headers: { 'X-R': { value: 'r' } },
        eventsConfiguration: [
          { id: expect.stringMatching(UUID), eventType: 'coupon.created', secretKeyExists: false, active: true },
          {
            id: expect.stringMatching(UUID),
            name: 'legacy',
            eventType: 'coupon.updated',
            secretKeyExists: false,
            headers: { 'X-L': { value: 'l' } },
            active: true,
          },
          { id: expect.stringMatching(UUID), eventType: 'category.created', secretKeyExists: false, active: true },
        ],
      });
      await expectNothingUnknown(t);

      const at = (id: unknown, field = '') => `${base}/eventsConfigurationEntry/${String(id)}${field}`;
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path: at(created.id), value: { eventType: 'coupon.created', name: 'by id', colour: 'green' } },
            { op: 'UPSERT', path: at(added.id, '/headers'), value: { 'X-E': { value: 'e', note: 'n' } }, extra: 1 },
            { op: 'UPSERT', path: `${base}/headers`, value: { 'X-H': { value: 'h', extra: true } } },
          ])
        ).status,
      ).toBe(204);
      const second = (await read(t)).configuration;
      expect(second.headers).toEqual({ 'X-H': { value: 'h' } });
      expect(second.eventsConfiguration).toEqual([
        { id: created.id, name: 'by id', eventType: 'coupon.created', secretKeyExists: false, active: true },
        legacy,
        { ...added, headers: { 'X-E': { value: 'e' } } },
      ]);
      await expectNothingUnknown(t);

      expect(
        (
          await patch(t, [
            {
              op: 'UPSERT',
              path: `${base}/eventsConfiguration`,
              value: [{ id: created.id, eventType: 'coupon.created', colour: 'red', headers: { 'X-E': { value: 'e', note: 'n' } } }],
            },
          ])
        ).status,
      ).toBe(204);
      expect((await stored(t))?.configuration).toEqual({
        headers: { 'X-H': { value: 'h' } },
        eventsConfiguration: [{ id: created.id, eventType: 'coupon.created', headers: { 'X-E': { value: 'e' } }, active: true }],
      });
      await expectNothingUnknown(t);
      // Forbidden keys (ERR-8) are still refused, in operations and in their values, and nothing applies.
      const version = (await read(t)).metadata.version;
      expectDetails(
        await patch(t, [
          { op: 'UPSERT', path: '/active', value: true, $op: 'x' },
          { op: 'UPSERT', path: `${base}/headers`, value: { 'X-H': { value: 'h2', 'note.x': 1 } } },
        ]),
        [`[0].$op: ${FORBIDDEN_KEY}`, `[1].value.X-H.note.x: ${FORBIDDEN_KEY}`],
      );
      expect(await read(t)).toMatchObject({ active: false, configuration: { headers: { 'X-H': { value: 'h' } } }, metadata: { version } });
    });
  });

  describe('PUT: replacement', () => {
    it('replaces everything but keeps a secret the body leaves out; null removes it; the version counts up', async () => {
      const t = tenant();
      await create(
        t,
        body({
          secretKey: ROOT_SECRET,
          headers: { 'X-A': { value: '1' } },
          eventsConfiguration: [{ eventType: 'coupon.created', secretKey: ENTRY_SECRET, destinationUrl: PUBLIC }],
        }),
      );
      const before = await read(t);
      const entry = before.configuration.eventsConfiguration[0];
      // The config as read, changed and sent back (secretKeyExists and metadata included).
      const roundTrip = {
        ...before,
        active: false,
        configuration: { ...before.configuration, destinationUrl: PUBLIC, headers: undefined },
      };
      expect((await put(t, roundTrip)).status).toBe(204);
      const after = await read(t);
      expect(after).toMatchObject({ active: false, metadata: { version: 2, createdAt: before.metadata.createdAt } });
      expect(after.configuration).toEqual({
        destinationUrl: PUBLIC,
        secretKeyExists: true,
        eventsConfiguration: [{ ...entry, secretKeyExists: true }],
      });
      await expectNoSecretsIn(t);
      const stored = await h.app.app.get(WebhookConfigReader).httpConfig(t);
      expect(stored?.configuration.secretKey).toBe(ROOT_SECRET);
      expect(stored?.configuration.eventsConfiguration[0].secretKey).toBe(ENTRY_SECRET);

      expect(
        (await put(t, body({ secretKey: null, eventsConfiguration: [{ id: entry.id, eventType: 'coupon.created', secretKey: null }] })))
          .status,
      ).toBe(204);
      const cleared = await read(t);
      expect(cleared.configuration.secretKeyExists).toBe(false);
      expect(cleared.configuration.eventsConfiguration[0]).toMatchObject({ id: entry.id, secretKeyExists: false });
      expect(cleared.metadata.version).toBe(3);
    });

    it('entry ids: known kept, unknown and repeated 400, id-less new, the single entry of a type keeps its id', async () => {
      const t = tenant();
      await create(
        t,
        body({ eventsConfiguration: [{ eventType: 'coupon.created' }, { eventType: 'coupon.updated' }, { eventType: 'coupon.updated' }] }),
      );
      const [created, upd1, upd2] = (await read(t)).configuration.eventsConfiguration;
      const unknown = '3f1a2b4c-5d6e-4f80-91a2-b3c4d5e6f708';
      expectDetails(
        await put(
          t,
          body({
            eventsConfiguration: [
              { id: unknown, eventType: 'coupon.created' },
              { id: upd1.id, eventType: 'coupon.updated' },
              { id: upd1.id, eventType: 'coupon.updated' },
            ],
          }),
        ),
        [
          `configuration.eventsConfiguration[0].id: no entry with id ${unknown} exists; ` +
            'ids are assigned by the server, omit id for a new entry',
          `configuration.eventsConfiguration[2].id: entry id ${upd1.id} is given twice`,
        ],
      );
      expect((await read(t)).metadata.version).toBe(1);

      // Legacy payload without ids: coupon.created has one stored and one sent entry, so it keeps
      // its id; coupon.updated had two, so its one entry is new.
      expect(
        (await put(t, body({ eventsConfiguration: [{ eventType: 'COUPON.CREATED', name: 'renamed' }, { eventType: 'coupon.updated' }] })))
          .status,
      ).toBe(204);
      const [kept, fresh] = (await read(t)).configuration.eventsConfiguration;
      expect(kept).toMatchObject({ id: created.id, name: 'renamed', eventType: 'COUPON.CREATED' });
      expect(fresh.id).toMatch(UUID);
      expect([created.id, upd1.id, upd2.id]).not.toContain(fresh.id);

      // With ids: kept as sent, an id-less one is new although its type has one entry.
      expect(
        (await put(t, body({ eventsConfiguration: [{ id: fresh.id, eventType: 'coupon.updated' }, { eventType: 'coupon.updated' }] })))
          .status,
      ).toBe(204);
      const [same, added] = (await read(t)).configuration.eventsConfiguration;
      expect(same.id).toBe(fresh.id);
      expect(added.id).not.toBe(fresh.id);
    });

    it('404 without a config; a body code other than the path is 400; a stale metadata.version is 409', async () => {
      const t = tenant();
      expectErrorProfile('webhook', await put(t, body()), 404, 'resource_not_found');
      await create(t);
      expectDetails(await put(t, { ...body(), code: 'other' }), ['code: must be the path’s code http (the code cannot change)']);
      expectDetails(await put(t, { active: true, configuration: { destinationUrl: RECEIVER } }), ['provider: provider is required']);
      const stale = await put(t, body({}, { metadata: { version: 7 } }));
      expectErrorProfile('webhook', stale, 409, 'version_conflict');
      expect((await put(t, body({ destinationUrl: PUBLIC }, { metadata: { version: 1 } }))).status).toBe(204);
      expect((await read(t)).metadata.version).toBe(2);
    });
  });

  describe('PATCH: every path', () => {
    const entries = async (t: string) => (await read(t)).configuration.eventsConfiguration as Array<Record<string, unknown>>;

    it('/active, /configuration/http/{destinationUrl,secretKey,headers}: UPSERT and REMOVE', async () => {
      const t = tenant();
      await create(t);
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path: '/active', value: false },
            { op: 'UPSERT', path: '/configuration/http/destinationUrl', value: PUBLIC },
            { op: 'UPSERT', path: '/configuration/http/secretKey', value: ROOT_SECRET },
            { op: 'UPSERT', path: '/configuration/http/headers', value: { 'X-One': { value: '1' } } },
          ])
        ).status,
      ).toBe(204);
      const patched = await read(t);
      await expectNoSecretsIn(t);
      expect(patched).toMatchObject({ active: false, metadata: { version: 2 } });
      expect(patched.configuration).toEqual({
        destinationUrl: PUBLIC,
        secretKeyExists: true,
        headers: { 'X-One': { value: '1' } },
        eventsConfiguration: [],
      });
      expect(
        (
          await patch(t, [
            { op: 'REMOVE', path: '/configuration/http/destinationUrl' },
            { op: 'REMOVE', path: '/configuration/http/secretKey' },
            { op: 'REMOVE', path: '/configuration/http/headers' },
          ])
        ).status,
      ).toBe(204);
      expect((await read(t)).configuration).toEqual({ secretKeyExists: false, eventsConfiguration: [] });
      // Active again without any destination: the whole result is judged.
      expectDetails(await patch(t, [{ op: 'UPSERT', path: '/active', value: true }]), [
        'configuration.destinationUrl: an active config needs a destinationUrl, at the root or on an active entry',
      ]);
      expectDetails(await patch(t, [{ op: 'REMOVE', path: '/active' }]), [
        '[0].op: REMOVE is not supported on /active; UPSERT true or false',
      ]);
    });

    it('/configuration: UPSERT replaces it like a PUT (secrets kept, ids resolved), REMOVE empties it', async () => {
      const t = tenant();
      await create(t, body({ secretKey: ROOT_SECRET, eventsConfiguration: [{ eventType: 'coupon.created' }] }));
      const [entry] = await entries(t);
      const r = await patch(t, [
        {
          op: 'UPSERT',
          path: '/configuration',
          value: { destinationUrl: PUBLIC, eventsConfiguration: [{ id: entry.id, eventType: 'coupon.created', name: 'x' }] },
        },
      ]);
      expect(r.status).toBe(204);
      expect((await read(t)).configuration).toEqual({
        destinationUrl: PUBLIC,
        secretKeyExists: true,
        eventsConfiguration: [{ id: entry.id, name: 'x', eventType: 'coupon.created', secretKeyExists: false, active: true }],
      });
      // An unknown property of the value is dropped (ERR-7); the rest replaces the configuration.
      expect((await patch(t, [{ op: 'UPSERT', path: '/configuration', value: { destinationUrl: PUBLIC, apiKey: 'k-77' } }])).status).toBe(
        204,
      );
      const replaced = await call('GET', configPath(t, '/http'), await reader(t));
      expect(replaced.body.configuration).toEqual({ destinationUrl: PUBLIC, secretKeyExists: true, eventsConfiguration: [] });
      expect(replaced.text).not.toContain('k-77');
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path: '/active', value: false },
            { op: 'REMOVE', path: '/configuration' },
          ])
        ).status,
      ).toBe(204);
      expect((await read(t)).configuration).toEqual({ secretKeyExists: false, eventsConfiguration: [] });
    });

    it('/configuration/http/eventsConfiguration: UPSERT replaces the list by the PUT id rules, REMOVE clears it', async () => {
      const t = tenant();
      await create(t, body({ eventsConfiguration: [{ eventType: 'coupon.created', secretKey: ENTRY_SECRET }] }));
      const [entry] = await entries(t);
      const r = await patch(t, [
        {
          op: 'UPSERT',
          path: '/configuration/http/eventsConfiguration',
          value: [
            { eventType: 'coupon.created', filter: "$[?(@.status == 'VALID')]" },
            { eventType: 'category.deleted', excludedFields: [] },
          ],
        },
      ]);
      expect(r.status).toBe(204);
      const [kept, added] = await entries(t);
      expect(kept).toMatchObject({ id: entry.id, secretKeyExists: true, filter: "$[?(@.status == 'VALID')]" });
      expect(added).toMatchObject({ eventType: 'category.deleted', excludedFields: [], active: true });
      expectDetails(await patch(t, [{ op: 'UPSERT', path: '/configuration/http/eventsConfiguration', value: [{ eventType: 'nope' }] }]), [
        `[0].value[0].eventType: 'nope' ${NOT_IN_CATALOG}`,
      ]);
      expect((await patch(t, [{ op: 'REMOVE', path: '/configuration/http/eventsConfiguration' }])).status).toBe(204);
      expect(await entries(t)).toEqual([]);
    });

    it('legacy /eventsConfiguration/{eventType}[/field]: create, replace, fields, remove; 409 for several of a type', async () => {
      const t = tenant();
      await create(t);
      const base = '/configuration/http/eventsConfiguration';
      expect((await patch(t, [{ op: 'UPSERT', path: `${base}/coupon.created`, value: { destinationUrl: PUBLIC } }])).status).toBe(204);
      const [first] = await entries(t);
      expect(first).toMatchObject({ eventType: 'coupon.created', destinationUrl: PUBLIC, active: true });
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path: `${base}/COUPON.CREATED`, value: { eventType: 'coupon.created', filter: "$[?(@.code == 'A')]" } },
            { op: 'UPSERT', path: `${base}/coupon.created/secretKey`, value: ENTRY_SECRET },
            { op: 'UPSERT', path: `${base}/coupon.created/headers`, value: { 'X-L': { value: 'l' } } },
            { op: 'UPSERT', path: `${base}/coupon.created/destinationUrl`, value: RECEIVER },
            { op: 'UPSERT', path: `${base}/coupon.updated/destinationUrl`, value: PUBLIC },
          ])
        ).status,
      ).toBe(204);
      const [replaced, byField] = await entries(t);
      expect(replaced).toEqual({
        id: first.id,
        eventType: 'coupon.created',
        destinationUrl: RECEIVER,
        secretKeyExists: true,
        headers: { 'X-L': { value: 'l' } },
        filter: "$[?(@.code == 'A')]",
        active: true,
      });
      expect(byField).toMatchObject({ eventType: 'coupon.updated', destinationUrl: PUBLIC });
      expect(
        (
          await patch(t, [
            { op: 'REMOVE', path: `${base}/coupon.updated` },
            { op: 'REMOVE', path: `${base}/coupon.created/headers` },
          ])
        ).status,
      ).toBe(204);
      const { headers: _removed, ...withoutHeaders } = replaced;
      expect(await entries(t)).toEqual([withoutHeaders]);
      // A type outside the catalog is refused from the body alone; a missing entry only against the stored config.
      expectDetails(
        await patch(t, [
          { op: 'REMOVE', path: `${base}/coupon.deleted` },
          { op: 'UPSERT', path: `${base}/product.created`, value: {} },
        ]),
        ["[1].path: 'product.created' is not an event type of the catalog"],
      );
      expectDetails(
        await patch(t, [
          { op: 'REMOVE', path: `${base}/coupon.deleted` },
          { op: 'REMOVE', path: `${base}/coupon.deleted/secretKey` },
        ]),
        [
          '[0].path: the config has no eventsConfiguration entry of type coupon.deleted',
          '[1].path: the config has no eventsConfiguration entry of type coupon.deleted',
        ],
      );
      expectDetails(await patch(t, [{ op: 'UPSERT', path: `${base}/coupon.created`, value: { eventType: 'coupon.updated' } }]), [
        '[0].value.eventType: must be the path’s event type coupon.created',
      ]);

      await patch(t, [{ op: 'UPSERT', path: '/configuration/http/eventsConfigurationEntry', value: { eventType: 'coupon.created' } }]);
      const ambiguous = await patch(t, [{ op: 'UPSERT', path: `${base}/coupon.created/destinationUrl`, value: PUBLIC }]);
      const conflict = expectErrorProfile('webhook', ambiguous, 409, 'duplicate_resource');
      expect(conflict.details).toEqual([`[0].path: 2 entries have the event type coupon.created; ${BY_ID}`]);
      expectErrorProfile('webhook', await patch(t, [{ op: 'REMOVE', path: `${base}/coupon.created` }]), 409, 'duplicate_resource');
      expect(await entries(t)).toHaveLength(2);
    });

    it('/eventsConfigurationEntry: UPSERT creates with a server id; an id in the body and REMOVE are 400', async () => {
      const t = tenant();
      await create(t);
      const path = '/configuration/http/eventsConfigurationEntry';
      const value = {
        name: 'Declined',
        eventType: 'coupon.updated',
        destinationUrl: PUBLIC,
        filter: "$[?(@.status == 'EXPIRED')]",
        excludedFields: ['mixins'],
        active: true,
      };
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path, value },
            { op: 'UPSERT', path, value: { eventType: 'coupon.updated' } },
          ])
        ).status,
      ).toBe(204);
      const [one, two] = await entries(t);
      expect(one).toEqual({ id: expect.stringMatching(UUID), ...value, secretKeyExists: false });
      expect(two.id).toMatch(UUID);
      expect(two.id).not.toBe(one.id);
      expectDetails(
        await patch(t, [
          { op: 'UPSERT', path, value: { ...value, id: one.id } },
          { op: 'REMOVE', path },
        ]),
        [
          '[0].value.id: entry ids are assigned by the server; omit id to create an entry',
          '[1].op: REMOVE is not supported on /configuration/http/eventsConfigurationEntry; address the entry by its id',
        ],
      );
    });

    it('/eventsConfigurationEntry/{entryId}[/field]: every field, replace, remove; an unknown id is 400', async () => {
      const t = tenant();
      await create(
        t,
        body({ eventsConfiguration: [{ eventType: 'category.created' }, { eventType: 'category.created', secretKey: ENTRY_SECRET }] }),
      );
      const [a, b] = await entries(t);
      const at = (id: unknown, field = '') => `/configuration/http/eventsConfigurationEntry/${String(id)}${field}`;
      expect(
        (
          await patch(t, [
            { op: 'UPSERT', path: at(a.id, '/destinationUrl'), value: PUBLIC },
            { op: 'UPSERT', path: at(a.id, '/secretKey'), value: ENTRY_SECRET },
            { op: 'UPSERT', path: at(a.id, '/headers'), value: { 'X-E': { value: 'e' } } },
            { op: 'UPSERT', path: at(a.id, '/filter'), value: '$[?(@.published)]' },
            { op: 'UPSERT', path: at(a.id, '/excludedFields'), value: ['mixins', 'metadata'] },
            { op: 'UPSERT', path: at(a.id, '/name'), value: 'Published only' },
            { op: 'UPSERT', path: at(a.id, '/active'), value: false },
            { op: 'UPSERT', path: at(b.id), value: { eventType: 'category.updated', name: 'b' } },
          ])
        ).status,
      ).toBe(204);
      await expectNoSecretsIn(t);
      const [a2, b2] = await entries(t);
      expect(a2).toEqual({
        id: a.id,
        name: 'Published only',
        eventType: 'category.created',
        destinationUrl: PUBLIC,
        secretKeyExists: true,
        headers: { 'X-E': { value: 'e' } },
        filter: '$[?(@.published)]',
        excludedFields: ['mixins', 'metadata'],
        active: false,
      });
      // A replaced entry keeps its id and the secret its value left out.
      expect(b2).toEqual({ id: b.id, name: 'b', eventType: 'category.updated', secretKeyExists: true, active: true });
      expect(
        (
          await patch(t, [
            { op: 'REMOVE', path: at(a.id, '/destinationUrl') },
            { op: 'REMOVE', path: at(a.id, '/secretKey') },
            { op: 'REMOVE', path: at(a.id, '/headers') },
            { op: 'REMOVE', path: at(a.id, '/filter') },
            { op: 'UPSERT', path: at(a.id, '/excludedFields'), value: null },
            { op: 'REMOVE', path: at(a.id, '/name') },
            { op: 'UPSERT', path: at(a.id, '/active'), value: true },
            { op: 'REMOVE', path: at(b.id) },
          ])
        ).status,
      ).toBe(204);
      expect(await entries(t)).toEqual([
        { id: a.id, eventType: 'category.created', secretKeyExists: false, excludedFields: null, active: true },
      ]);
      expect((await patch(t, [{ op: 'REMOVE', path: at(a.id, '/excludedFields') }])).status).toBe(204);
      expect((await entries(t))[0]).not.toHaveProperty('excludedFields');
      expectDetails(
        await patch(t, [
          { op: 'UPSERT', path: at(b.id, '/name'), value: 'gone' },
          { op: 'REMOVE', path: at(a.id, '/active') },
          { op: 'UPSERT', path: at(a.id, '/filter'), value: '@.x' },
          { op: 'UPSERT', path: at(a.id), value: { id: b.id, eventType: 'category.created' } },
        ]),
        [
          '[1].op: REMOVE is not supported on an entry’s active flag; UPSERT true or false',
          `[2].value: ${FILTER_FORM}`,
          '[3].value.id: must be the id of the path (ids cannot change)',
        ],
      );
      // Unknown ids are found only against the stored config (after the body's own checks pass).
      expectDetails(
        await patch(t, [
          { op: 'UPSERT', path: at(b.id, '/name'), value: 'gone' },
          { op: 'REMOVE', path: at('no-such-id') },
        ]),
        [
          `[0].path: the config has no eventsConfiguration entry with id ${String(b.id)}`,
          '[1].path: the config has no eventsConfiguration entry with id no-such-id',
        ],
      );
    });

    it('applies all operations or none: one refused operation leaves the config unchanged', async () => {
      const t = tenant();
      await create(t);
      const before = await read(t);
      const r = await patch(t, [
        { op: 'UPSERT', path: '/configuration/http/destinationUrl', value: PUBLIC },
        { op: 'UPSERT', path: '/configuration/http/eventsConfigurationEntry/unknown/name', value: 'x' },
      ]);
      expect400(r);
      expect(await read(t)).toEqual(before);
    });

    it('unknown paths and ops, values of the wrong type and bodies that are not operation arrays are 400 with every problem', async () => {
      const t = tenant();
      await create(t);
      expectDetails(
        await patch(t, [
          { op: 'ADD', path: '/active', value: true },
          { op: 'UPSERT', path: '/configuration/http/colour', value: 'red' },
          { op: 'UPSERT', path: '/active' },
          { op: 'UPSERT', path: '/active', value: 'yes', extra: 1 },
          { op: 'UPSERT', path: '/configuration/http/headers', value: { 'X-A': { value: 'a\nb' } } },
          'REMOVE',
        ]),
        [
          '[0].op: op must be UPSERT or REMOVE',
          expect.stringMatching(
            /^\[1\]\.path: \/configuration\/http\/colour is not a supported path \(supported: \/active, /,
          ) as unknown as string,
          '[2].value: UPSERT on /active needs a value',
          '[3].value: must be true or false',
          '[4].value.X-A.value: must not contain CR, LF or other control characters',
          '[5]: an operation must be an object {op, path, value}',
        ],
      );
      expectDetails(await patch(t, { op: 'UPSERT', path: '/active', value: true }), ['the body must be a JSON array of operations']);
      expectDetails(await patch(t, []), ['the body must contain at least one operation']);
      expectErrorProfile('webhook', await patch(tenant(), [{ op: 'UPSERT', path: '/active', value: true }]), 404, 'resource_not_found');
    });

    it('concurrent PATCHes never lose an update', async () => {
      const t = tenant();
      await create(t);
      const who = await manager(t);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          call('PATCH', configPath(t, '/http'), who, [
            { op: 'UPSERT', path: '/configuration/http/eventsConfigurationEntry', value: { eventType: 'coupon.created', name: `w${i}` } },
          ]),
        ),
      );
      const applied = results.filter((r) => r.status === 204).length;
      for (const r of results) if (r.status !== 204) expectErrorProfile('webhook', r, 409, 'version_conflict');
      expect(applied).toBeGreaterThan(0);
      const after = await read(t);
      expect(after.configuration.eventsConfiguration).toHaveLength(applied);
      expect(after.metadata.version).toBe(1 + applied);
    });
  });

  describe('DELETE', () => {
    it('an active config needs force=true; an inactive one goes; a missing one is 204 too', async () => {
      const t = tenant();
      await create(t);
      const who = await manager(t);
      const refused = await call('DELETE', configPath(t, '/http'), who);
      expect(expectErrorProfile('webhook', refused, 400, 'business_rule_violation').message).toContain('force=true');
      expect(await read(t)).toMatchObject({ active: true });
      expect((await call('DELETE', configPath(t, '/http?force=true'), who)).status).toBe(204);
      expectErrorProfile('webhook', await call('GET', configPath(t, '/http'), who), 404, 'resource_not_found');
      expect((await call('DELETE', configPath(t, '/http'), who)).status).toBe(204);

      await create(t, body({}, { active: false }));
      expect((await call('DELETE', configPath(t, '/http?force=false'), who)).status).toBe(204);
      expect((await call('GET', configPath(t), who)).body).toEqual([]);
      expectDetails(await call('DELETE', configPath(t, '/http?force=maybe'), who), ['force: force must be true or false']);
      // Deleted: it can be created again.
      await create(t);
    });
  });

  describe('tenants and scopes', () => {
    it('another tenant neither sees nor changes the config; a token of one tenant on another path is 403', async () => {
      const a = tenant();
      const b = tenant();
      await create(a, body({ secretKey: ROOT_SECRET }));
      expect((await call('GET', configPath(b), await reader(b))).body).toEqual([]);
      expectErrorProfile('webhook', await call('GET', configPath(b, '/http'), await reader(b)), 404, 'resource_not_found');
      expectErrorProfile('webhook', await put(b, body({ destinationUrl: PUBLIC })), 404, 'resource_not_found');
      expectErrorProfile('webhook', await patch(b, [{ op: 'UPSERT', path: '/active', value: false }]), 404, 'resource_not_found');
      expect((await call('DELETE', configPath(b, '/http?force=true'), await manager(b))).status).toBe(204);
      const aToken = await manager(a);
      for (const [method, path, payload] of [
        ['GET', configPath(b), undefined],
        ['GET', configPath(b, '/http'), undefined],
        ['POST', configPath(b), body()],
        ['PUT', configPath(b, '/http'), body()],
        ['PATCH', configPath(b, '/http'), [{ op: 'UPSERT', path: '/active', value: false }]],
        ['DELETE', configPath(b, '/http'), undefined],
      ] as const) {
        expectErrorProfile('webhook', await call(method, path, aToken, payload), 403, 'tenant_mismatch');
      }
      expect(await read(a)).toMatchObject({ active: true, configuration: { destinationUrl: RECEIVER, secretKeyExists: true } });
    });

    it('read may only read; a token without a webhook scope may do nothing; no token is 401', async () => {
      const t = tenant();
      await create(t);
      const readOnly = await reader(t);
      const none = await as(t, ['coupon.coupon_read']);
      expect((await call('GET', configPath(t), readOnly)).status).toBe(200);
      expect((await call('GET', configPath(t, '/http'), await manager(t))).status).toBe(200);
      for (const who of [readOnly, none]) {
        for (const [method, path, payload] of [
          ['POST', configPath(t), body()],
          ['PUT', configPath(t, '/http'), body()],
          ['PATCH', configPath(t, '/http'), [{ op: 'UPSERT', path: '/active', value: false }]],
          ['DELETE', configPath(t, '/http?force=true'), undefined],
        ] as const) {
          expectErrorProfile('webhook', await call(method, path, who, payload), 403, 'insufficient_scope');
        }
      }
      expectErrorProfile('webhook', await call('GET', configPath(t), none), 403, 'insufficient_scope');
      expect((await call('GET', configPath(t), {})).status).toBe(401);
      expect((await read(t)).metadata.version).toBe(1);
    });
  });
});
