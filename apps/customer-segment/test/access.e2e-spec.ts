import { RouteAccessInspector } from '@suite/auth';
import { MongoClient } from 'mongodb';
import {
  Harness,
  MANAGE,
  PROFILE_MANAGE,
  PROFILE_READ,
  READ,
  READ_OWN,
  auth,
  client,
  customer,
  expectError,
  startHarness,
} from './support';

const P = '/customer-segment/:tenant/segments';

/** The operation index of segment §3 (30 operations): method, path, accepted scopes (any-of). */
const SPEC_TABLE: Array<[string, string, string[]]> = [
  ['POST', `${P}`, [MANAGE]],
  ['GET', `${P}`, [READ, READ_OWN]],
  ['POST', `${P}/search`, [READ, READ_OWN]],
  ['GET', `${P}/:segmentId`, [READ, READ_OWN]],
  ['PUT', `${P}/:segmentId`, [MANAGE]],
  ['PATCH', `${P}/:segmentId`, [MANAGE]],
  ['DELETE', `${P}/:segmentId`, [MANAGE]],
  ['POST', `${P}/bulk`, [MANAGE]],
  ['PUT', `${P}/bulk`, [MANAGE]],
  ['DELETE', `${P}/bulk`, [MANAGE]],
  ['POST', `${P}/match`, [MANAGE]],
  ['GET', `${P}/:segmentId/customers`, [READ, READ_OWN]],
  ['POST', `${P}/:segmentId/customers/search`, [READ]],
  ['GET', `${P}/:segmentId/customers/:customerId`, [READ]],
  ['PUT', `${P}/:segmentId/customers/:customerId`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/customers/:customerId`, [MANAGE]],
  ['GET', `${P}/:segmentId/customers/:customerId/:legalEntityId`, [READ]],
  ['PUT', `${P}/:segmentId/customers/:customerId/:legalEntityId`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/customers/:customerId/:legalEntityId`, [MANAGE]],
  ['PUT', `${P}/:segmentId/customers/bulk`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/customers/bulk`, [MANAGE]],
  ['GET', `${P}/items/category-trees`, [READ_OWN]],
  ['GET', `${P}/items`, [READ, READ_OWN]],
  ['GET', `${P}/:segmentId/items`, [READ, READ_OWN]],
  ['POST', `${P}/:segmentId/items/search`, [READ, READ_OWN]],
  ['GET', `${P}/:segmentId/items/:type/:itemId`, [READ, READ_OWN]],
  ['PUT', `${P}/:segmentId/items/:type/:itemId`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/items/:type/:itemId`, [MANAGE]],
  ['PUT', `${P}/:segmentId/items/:type/bulk`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/items/:type/bulk`, [MANAGE]],
];

/** The suite’s extensions (README "Shopper profiles", "Rule-based segments", "Bulk in and out"): method, path, scopes. */
const T = '/customer-segment/:tenant';
const EXTENSION_TABLE: Array<[string, string, string[]]> = [
  ['PUT', `${T}/profiles/bulk`, [PROFILE_MANAGE]],
  ['GET', `${T}/profiles/:customerId`, [PROFILE_READ]],
  ['PUT', `${T}/profiles/:customerId`, [PROFILE_MANAGE]],
  ['DELETE', `${T}/profiles/:customerId`, [PROFILE_MANAGE]],
  ['GET', `${T}/profiles/:customerId/:legalEntityId`, [PROFILE_READ]],
  ['PUT', `${T}/profiles/:customerId/:legalEntityId`, [PROFILE_MANAGE]],
  ['DELETE', `${T}/profiles/:customerId/:legalEntityId`, [PROFILE_MANAGE]],
  ['GET', `${T}/guest-profiles/:sessionId`, [PROFILE_READ]],
  ['PUT', `${T}/guest-profiles/:sessionId`, [PROFILE_MANAGE]],
  ['DELETE', `${T}/guest-profiles/:sessionId`, [PROFILE_MANAGE]],
  ['POST', `${T}/guest-profiles/:sessionId/merge`, [PROFILE_MANAGE]],
  ['GET', `${P}/:segmentId/rule-evaluation`, [READ, MANAGE]],
  ['GET', `${P}/:segmentId/explanation`, [PROFILE_READ]],
  ['GET', `${P}/:segmentId/exclusions`, [READ, MANAGE]],
  ['PUT', `${P}/:segmentId/exclusions/:customerId`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/exclusions/:customerId`, [MANAGE]],
  ['PUT', `${P}/:segmentId/exclusions/:customerId/:legalEntityId`, [MANAGE]],
  ['DELETE', `${P}/:segmentId/exclusions/:customerId/:legalEntityId`, [MANAGE]],
  ['GET', `${P}/:segmentId/member-export`, [READ, MANAGE]],
  ['POST', `${T}/imports`, [MANAGE, PROFILE_MANAGE]],
  ['GET', `${T}/imports/:importId`, [MANAGE, PROFILE_MANAGE]],
  ['POST', `${T}/imports/:importId/lines`, [MANAGE, PROFILE_MANAGE]],
];
const ROUTE_TABLE = [...SPEC_TABLE, ...EXTENSION_TABLE];
const ALL_SCOPES = [MANAGE, READ, READ_OWN, PROFILE_MANAGE, PROFILE_READ];

const key = (method: string, path: string) => `${method} ${path}`;

/** The two public documentation routes of every service (conventions AUTH-8). */
const DOCUMENTATION_ROUTES: Array<[string, string]> = [
  ['GET', '/customer-segment/openapi.json'],
  ['GET', '/customer-segment/docs'],
];

function concrete(path: string, tenant: string): string {
  return path
    .replace(':tenant', tenant)
    .replace(':segmentId', 'seg-x')
    .replace(':customerId', 'cust-x')
    .replace(':legalEntityId', 'le-x')
    .replace(':type', 'PRODUCT')
    .replace(':itemId', 'item-x')
    .replace(':sessionId', 'sess-x')
    .replace(':importId', 'imp-x');
}

describe('access: route wiring, scopes, tokens and tenant isolation', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let mongo: MongoClient;

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    mongo = await MongoClient.connect(h.db.uri);
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  it('declares exactly the 30 operations of segment §3 and the extensions, with their scopes (STYLE habit 1)', () => {
    const routes = h.app.app
      .get(RouteAccessInspector)
      .listRouteAccess()
      .filter((r) => r.path.startsWith('/customer-segment/'));
    const actual = new Map(routes.map((r) => [key(r.method, r.path), { access: r.access, scopes: [...r.scopes].sort() }]));
    const expected = new Map<string, { access: string; scopes: string[] }>();
    for (const [m, p, s] of ROUTE_TABLE) expected.set(key(m, p), { access: 'scopes', scopes: [...s].sort() });
    for (const [m, p] of DOCUMENTATION_ROUTES) expected.set(key(m, p), { access: 'public', scopes: [] });
    expect(actual.size).toBe(30 + EXTENSION_TABLE.length + DOCUMENTATION_ROUTES.length);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });

  describe.each(ROUTE_TABLE)('%s %s', (method, path, accepted) => {
    const url = () => concrete(path, 'acc');
    const others = ALL_SCOPES.filter((s) => !accepted.includes(s));
    // A malformed body proves the 401/403 come before the body is read (ERR-10); GET carries none.
    const badBody = method === 'GET' ? {} : { raw: '{bad json' };

    it('answers 401 in the gateway shape without a token', async () => {
      const res = await call(method, url(), badBody);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } });
    });

    it('answers 403 to a token holding only the scopes it does not accept, before reading the body', async () => {
      for (const scopes of [[], ...others.map((s) => [s]), others]) {
        const res = await call(method, url(), { headers: await auth('acc', scopes), ...badBody });
        expectError(res, 403, 'insufficient_scope');
        expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
      }
    });

    it('lets every accepted scope through the guards', async () => {
      for (const scope of accepted) {
        const headers = scope === READ_OWN ? await customer('acc', 'c-1') : await auth('acc', [scope]);
        const res = await call(method, url(), { headers });
        expect([401, 403]).not.toContain(res.status);
      }
    });

    it('answers 403 tenant_mismatch for another tenant’s path and for a malformed tenant', async () => {
      const headers = await auth('beta', ALL_SCOPES);
      expectError(await call(method, concrete(path, 'acc'), { headers }), 403, 'tenant_mismatch');
      expectError(await call(method, concrete(path, 'BETA'), { headers }), 403, 'tenant_mismatch');
    });
  });

  describe('tenant isolation (TEN-9)', () => {
    const collections = async () =>
      (await mongo.db('customer_segment').listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

    it('1: a resource of alpha is 404 for beta under /beta', async () => {
      const alpha = await auth('alpha');
      const beta = await auth('beta');
      expect(
        (
          await call('PUT', '/customer-segment/alpha/segments/only-alpha', {
            headers: alpha,
            body: { name: 'a', siteCode: 'main', status: 'ACTIVE' },
          })
        ).status,
      ).toBe(201);
      await call('PUT', '/customer-segment/alpha/segments/only-alpha/customers/c-1', { headers: alpha });
      await call('PUT', '/customer-segment/alpha/segments/only-alpha/items/PRODUCT/p-1', { headers: alpha });
      expectError(await call('GET', '/customer-segment/beta/segments/only-alpha', { headers: beta }), 404, 'resource_not_found');
      expectError(await call('GET', '/customer-segment/beta/segments/only-alpha/customers', { headers: beta }), 404, 'resource_not_found');
      expectError(
        await call('GET', '/customer-segment/beta/segments/only-alpha/items/PRODUCT/p-1', { headers: beta }),
        404,
        'resource_not_found',
      );
      expect((await call('GET', '/customer-segment/beta/segments?q=id:only-alpha', { headers: beta })).body).toEqual([]);
      expect((await call('GET', '/customer-segment/beta/segments/items', { headers: beta })).body).toEqual([]);
      expect(
        (await call('GET', '/customer-segment/beta/segments/items/category-trees', { headers: await customer('beta', 'c-1') })).body,
      ).toEqual([]);
      expect(
        (
          await call('POST', '/customer-segment/beta/segments/match', {
            headers: beta,
            body: { siteCode: 'main', items: [{ id: 'p-1' }], segmentIds: ['only-alpha'] },
          })
        ).body,
      ).toEqual([]);
      // Writes under beta cannot reach alpha's segment either.
      expectError(
        await call('PUT', '/customer-segment/beta/segments/only-alpha/customers/c-2', { headers: beta }),
        404,
        'resource_not_found',
      );
      expect((await call('DELETE', '/customer-segment/beta/segments/only-alpha?forceDelete=true', { headers: beta })).status).toBe(204);
      expect((await call('GET', '/customer-segment/alpha/segments/only-alpha/customers/c-1', { headers: alpha })).status).toBe(200);
    });

    it('2: /alpha with a beta token is 403 tenant_mismatch and creates no collection', async () => {
      const beta = await auth('beta');
      const before = await collections();
      const attempts: Array<[string, string, unknown]> = [
        ['POST', '/customer-segment/alpha/segments', { id: 'x', name: 'x', siteCode: 'm' }],
        ['PUT', '/customer-segment/alpha/segments/new-one', { name: 'x', siteCode: 'm' }],
        ['PUT', '/customer-segment/alpha/segments/only-alpha/customers/c-9', {}],
        ['PUT', '/customer-segment/alpha/segments/only-alpha/items/PRODUCT/p-9', {}],
        ['PUT', '/customer-segment/alpha/segments/bulk', [{ id: 'y', name: 'y', siteCode: 'm' }]],
        ['GET', '/customer-segment/alpha/segments/only-alpha', undefined],
      ];
      for (const [method, path, body] of attempts) expectError(await call(method, path, { headers: beta, body }), 403, 'tenant_mismatch');
      expectError(
        await call('PUT', '/customer-segment/gamma/segments/s', { headers: beta, body: { name: 'x', siteCode: 'm' } }),
        403,
        'tenant_mismatch',
      );
      expect(await collections()).toEqual(before);
      expect(before.filter((c) => c.startsWith('gamma_'))).toEqual([]);
      expectError(
        await call('GET', '/customer-segment/alpha/segments/new-one', { headers: await auth('alpha') }),
        404,
        'resource_not_found',
      );
    });

    it('3: the same custom id in alpha and beta: both 201, each reads its own', async () => {
      const alpha = await auth('alpha');
      const beta = await auth('beta');
      expect(
        (
          await call('POST', '/customer-segment/alpha/segments', {
            headers: alpha,
            body: { id: 'GOLD', name: 'alpha gold', siteCode: 'a' },
          })
        ).status,
      ).toBe(201);
      expect(
        (await call('POST', '/customer-segment/beta/segments', { headers: beta, body: { id: 'GOLD', name: 'beta gold', siteCode: 'b' } }))
          .status,
      ).toBe(201);
      expect((await call('PUT', '/customer-segment/alpha/segments/GOLD/customers/c-1', { headers: alpha })).status).toBe(201);
      expect((await call('PUT', '/customer-segment/beta/segments/GOLD/customers/c-1', { headers: beta })).status).toBe(201);
      expect((await call('GET', '/customer-segment/alpha/segments/GOLD', { headers: alpha })).body).toMatchObject({
        name: { en: 'alpha gold' },
        siteCode: 'a',
      });
      expect((await call('GET', '/customer-segment/beta/segments/GOLD', { headers: beta })).body).toMatchObject({
        name: { en: 'beta gold' },
        siteCode: 'b',
      });
      const names = await collections();
      expect(names).toEqual(
        expect.arrayContaining([
          'alpha_segments',
          'beta_segments',
          'alpha_segment_customer_assignments',
          'beta_segment_customer_assignments',
        ]),
      );
    });
  });
});
