import { RouteAccessInspector } from '@suite/auth';
import { bearer, expectErrorProfile, httpRequest, ServiceHarness, TokenRequest } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { WEBHOOK_SCOPES } from '../src/webhook.scopes';
import { startWebhookApp } from './support';

const { manage: M, read: R, publish: PUB } = WEBHOOK_SCOPES;
const P = '/webhook/:tenant';

/**
 * The route table of README "Operations": method, path, the scopes any one of which is needed, and
 * the principal types allowed (`any`, or only `service`).
 */
const SPEC_TABLE: Array<[string, string, string[], 'any' | 'service']> = [
  ['POST', `${P}/config`, [M], 'any'],
  ['GET', `${P}/config`, [M, R], 'any'],
  ['GET', `${P}/config/:code`, [M, R], 'any'],
  ['PUT', `${P}/config/:code`, [M], 'any'],
  ['PATCH', `${P}/config/:code`, [M], 'any'],
  ['DELETE', `${P}/config/:code`, [M], 'any'],
  ['GET', `${P}/event-subscriptions`, [M, R], 'any'],
  ['PATCH', `${P}/event-subscriptions`, [M], 'any'],
  ['GET', `${P}/statistics`, [M, R], 'any'],
  ['GET', `${P}/dashboard-access`, [M], 'any'],
  ['GET', `${P}/deliveries`, [M, R], 'any'],
  ['GET', `${P}/deliveries/:deliveryId`, [M, R], 'any'],
  ['POST', `${P}/deliveries/:deliveryId/replay`, [M], 'any'],
  ['POST', `${P}/deliveries/replay`, [M], 'any'],
  ['GET', `${P}/events`, [M], 'any'],
  ['POST', `${P}/events`, [PUB], 'service'],
];

const DOCUMENTATION_ROUTES = [
  ['GET', '/webhook/openapi.json', ['<public>']],
  ['GET', '/webhook/docs', ['<public>']],
];

const concrete = (path: string, tenant: string) => path.replace(':tenant', tenant).replace(':code', 'http').replace(':deliveryId', 'd-1');
const token = (claims: TokenRequest) => bearer(claims);
const bodyFor = (method: string, path: string) =>
  method === 'GET' || method === 'DELETE' ? undefined : path.endsWith('/events') || path.endsWith('event-subscriptions') ? [] : {};

describe('access control, tenancy and the error profile', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await startWebhookApp();
  });
  afterAll(() => h.close());

  it('wires every route exactly as the operation table says', () => {
    const routes = h.app.app
      .get(RouteAccessInspector)
      .listRouteAccess()
      .filter((r) => r.path.startsWith('/webhook/'))
      .map((r) => [r.method, r.path, r.access === 'scopes' ? [...r.scopes].sort() : r.access === 'authenticated' ? [] : [`<${r.access}>`]]);
    const sortKey = (r: unknown[]) => `${r[1]} ${r[0]}`;
    expect(routes.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
      [...SPEC_TABLE.map(([m, p, s]) => [m, p, [...s].sort()]), ...DOCUMENTATION_ROUTES].sort((a, b) =>
        sortKey(a).localeCompare(sortKey(b)),
      ),
    );
  });

  it.each(SPEC_TABLE)(
    '%s %s: 401 without a token, 403 for another tenant, scope and principal as listed',
    async (method, path, scopes, principal) => {
      const url = `${h.url}${concrete(path, 'acc')}`;
      const body = bodyFor(method, path);
      const noToken = await httpRequest(url, method, { body });
      expect(noToken.status).toBe(401);
      expect(noToken.body).toEqual({
        fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
      });
      const all = [M, R, PUB];
      const caller = principal === 'service' ? { principalType: 'service' as const, clientId: 'coupon', sub: 'coupon' } : {};
      // Another tenant's token with every scope: 403 tenant_mismatch.
      const foreign = await httpRequest(url, method, { body, headers: await token({ tenant: 'other', scopes: all, ...caller }) });
      expectErrorProfile('webhook', foreign, 403, 'tenant_mismatch');
      // Without the scope: 403 insufficient_scope in the webhook profile.
      const without = await httpRequest(url, method, {
        body,
        headers: await token({ tenant: 'acc', scopes: all.filter((s) => !scopes.includes(s)), ...caller }),
      });
      expectErrorProfile('webhook', without, 403, 'insufficient_scope');
      // Each listed scope alone is enough.
      for (const scope of scopes) {
        const ok = await httpRequest(url, method, { body, headers: await token({ tenant: 'acc', scopes: [scope], ...caller }) });
        expect([401, 403]).not.toContain(ok.status);
      }
      if (principal === 'service') {
        // The scope is not enough for an employee or a customer: the route is for service principals.
        const employee = await httpRequest(url, method, { body, headers: await token({ tenant: 'acc', scopes }) });
        expect(employee.status).toBe(403);
      }
    },
  );

  it('answers the Svix dashboard route with a clear 400: only the http strategy exists here', async () => {
    const res = await httpRequest(`${h.url}/webhook/acc/dashboard-access`, 'GET', { headers: await token({ tenant: 'acc', scopes: [M] }) });
    const body = expectErrorProfile('webhook', res, 400, 'validation_failed');
    expect(body.message).toMatch(/http strategy/i);
  });

  it('keeps tenants apart: another tenant sees no config, and refused requests create nothing', async () => {
    const alpha = await token({ tenant: 'alpha', scopes: [M, R] });
    const beta = await token({ tenant: 'beta', scopes: [M, R] });
    const created = await httpRequest(`${h.url}/webhook/alpha/config`, 'POST', {
      headers: alpha,
      body: { code: 'http', provider: 'HTTP', active: true, configuration: { destinationUrl: 'http://127.0.0.1:9/hooks', secretKey: 's' } },
    });
    expect(created.status).toBe(201);
    expectErrorProfile(
      'webhook',
      await httpRequest(`${h.url}/webhook/beta/config/http`, 'GET', { headers: beta }),
      404,
      'resource_not_found',
    );
    expect((await httpRequest(`${h.url}/webhook/beta/config`, 'GET', { headers: beta })).body).toEqual([]);
    const mc = await MongoClient.connect(h.db.uri);
    try {
      const names = async () => (await mc.db('webhook').listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
      const before = await names();
      const refused = await httpRequest(`${h.url}/webhook/gamma/config`, 'POST', {
        headers: beta,
        body: { code: 'http', provider: 'HTTP', configuration: { destinationUrl: 'http://127.0.0.1:9/x' } },
      });
      expectErrorProfile('webhook', refused, 403, 'tenant_mismatch');
      expect(await names()).toEqual(before);
      expect(before.filter((n) => n.startsWith('gamma_'))).toEqual([]);
    } finally {
      await mc.close();
    }
  });

  it('renders every other 4xx in the webhook profile', async () => {
    const headers = await token({ tenant: 'prof', scopes: [M, R] });
    const url = `${h.url}/webhook/prof`;
    expectErrorProfile(
      'webhook',
      await httpRequest(`${url}/config`, 'POST', { headers: { ...headers, 'content-type': 'text/plain' }, body: 'nope' }),
      415,
      'unsupported_media_type',
    );
    expectErrorProfile('webhook', await httpRequest(`${url}/config`, 'POST', { headers, body: '{"a":' }), 400, 'malformed_json');
    expectErrorProfile(
      'webhook',
      await httpRequest(`${url}/config`, 'POST', { headers, body: `{"x":"${'a'.repeat(10 * 1024 * 1024)}"}` }),
      413,
      'payload_too_large',
    );
    expectErrorProfile('webhook', await httpRequest(`${url}/nowhere`, 'GET', { headers }), 404, 'route_not_found');
    expectErrorProfile(
      'webhook',
      await httpRequest(`${url}/config`, 'POST', { headers, body: { code: 'http', provider: 'HTTP', $where: 1 } }),
      400,
      'validation_failed',
    );
  }, 30_000);
});
