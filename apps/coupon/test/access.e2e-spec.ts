import { RouteAccessInspector } from '@suite/auth';
import { call, couponBody, customer, expectCouponError, Harness, manager, onBehalf, order, reader, S, startHarness } from './support';

/** The access table of coupon §2.4 (route-level part; input-dependent rules are in the services). */
const EXPECTED = [
  { method: 'GET', path: '/coupon/:tenant/coupons', access: 'scopes', scopes: [S.manage, S.read] },
  { method: 'POST', path: '/coupon/:tenant/coupons', access: 'scopes', scopes: [S.manage] },
  { method: 'DELETE', path: '/coupon/:tenant/coupons/:code', access: 'scopes', scopes: [S.manage] },
  { method: 'GET', path: '/coupon/:tenant/coupons/:code', access: 'authenticated', scopes: [] },
  { method: 'PATCH', path: '/coupon/:tenant/coupons/:code', access: 'scopes', scopes: [S.manage] },
  { method: 'PUT', path: '/coupon/:tenant/coupons/:code', access: 'scopes', scopes: [S.manage] },
  { method: 'GET', path: '/coupon/:tenant/coupons/:code/redemptions', access: 'scopes', scopes: [S.manage] },
  { method: 'POST', path: '/coupon/:tenant/coupons/:code/redemptions', access: 'scopes', scopes: [S.redeem, S.redeemOnBehalf] },
  { method: 'DELETE', path: '/coupon/:tenant/coupons/:code/redemptions/:id', access: 'scopes', scopes: [S.manage] },
  {
    method: 'GET',
    path: '/coupon/:tenant/coupons/:code/redemptions/:id',
    access: 'scopes',
    scopes: [S.manage, S.redeem, S.redeemOnBehalf],
  },
  { method: 'POST', path: '/coupon/:tenant/coupons/:code/validation', access: 'scopes', scopes: [S.redeem, S.redeemOnBehalf] },
  // Suite extensions (README "Checkout extensions").
  {
    method: 'POST',
    path: '/coupon/:tenant/coupons/:code/redemptions/:id/rollback',
    access: 'scopes',
    scopes: [S.manage, S.redeemOnBehalf],
  },
  { method: 'POST', path: '/coupon/:tenant/coupons/:code/reservations', access: 'scopes', scopes: [S.redeem, S.redeemOnBehalf] },
  {
    method: 'GET',
    path: '/coupon/:tenant/coupons/:code/reservations',
    access: 'scopes',
    scopes: [S.manage, S.read, S.redeem, S.redeemOnBehalf],
  },
  {
    method: 'GET',
    path: '/coupon/:tenant/coupons/:code/reservations/:reservationId',
    access: 'scopes',
    scopes: [S.manage, S.read, S.redeem, S.redeemOnBehalf],
  },
  {
    method: 'DELETE',
    path: '/coupon/:tenant/coupons/:code/reservations/:reservationId',
    access: 'scopes',
    scopes: [S.manage, S.redeem, S.redeemOnBehalf],
  },
  { method: 'POST', path: '/coupon/:tenant/qualifications', access: 'scopes', scopes: [S.manage, S.read, S.redeem, S.redeemOnBehalf] },
  { method: 'GET', path: '/coupon/:tenant/coupon-campaigns', access: 'scopes', scopes: [S.manage, S.read] },
  { method: 'POST', path: '/coupon/:tenant/coupon-campaigns', access: 'scopes', scopes: [S.manage] },
  { method: 'GET', path: '/coupon/:tenant/coupon-campaigns/:campaignId', access: 'scopes', scopes: [S.manage, S.read] },
  { method: 'DELETE', path: '/coupon/:tenant/coupon-campaigns/:campaignId', access: 'scopes', scopes: [S.manage] },
  { method: 'GET', path: '/coupon/:tenant/coupon-campaigns/:campaignId/codes', access: 'scopes', scopes: [S.manage, S.read] },
  // Referral routes: the customer themself reaches them through coupon_redeem (checked in the service).
  {
    method: 'GET',
    path: '/coupon/:tenant/referral-coupons/:customerNumber',
    access: 'scopes',
    scopes: [S.manage, S.read, S.redeemOnBehalf, S.redeem],
  },
  {
    method: 'POST',
    path: '/coupon/:tenant/referral-coupons/:customerNumber',
    access: 'scopes',
    scopes: [S.manage, S.redeemOnBehalf, S.redeem],
  },
];

/** The two public documentation routes of every service (conventions AUTH-8). */
const DOCUMENTATION_ROUTES = [
  { method: 'GET', path: '/coupon/openapi.json', access: 'public', scopes: [] as string[] },
  { method: 'GET', path: '/coupon/docs', access: 'public', scopes: [] as string[] },
];

const ALL = [S.read, S.manage, S.redeem, S.redeemOnBehalf];

describe('access: route wiring, scopes, 401/403 and tenant isolation (TEN-9)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('declares exactly the §2.4 access of all 13 operations and of the suite extensions', () => {
    const routes = h.app.app
      .get(RouteAccessInspector)
      .listRouteAccess()
      .filter((r) => r.path.startsWith('/coupon/'))
      .map((r) => ({ method: r.method, path: r.path, access: r.access, scopes: [...r.scopes].sort() }));
    const expected = [...EXPECTED, ...DOCUMENTATION_ROUTES].map((e) => ({ ...e, scopes: [...e.scopes].sort() }));
    const key = (r: { method: string; path: string }) => `${r.path} ${r.method}`;
    expect(routes.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
  });

  describe('every route refuses tokens without an accepted scope and admits each accepted scope', () => {
    const T = 'cpnscope';
    let code: string;
    let redemption: string;
    beforeAll(async () => {
      code = (await call(h, 'POST', `/coupon/${T}/coupons`, manager(T), couponBody({ allowAnonymous: true }))).body.id;
      redemption = (await call(h, 'POST', `/coupon/${T}/coupons/${code}/redemptions`, customer(T, 'CS1'), order(50, 5))).body.id;
    });
    const concrete = (path: string) =>
      path
        .replace(':tenant', T)
        .replace(':code', code)
        .replace(':id', redemption)
        .replace(':customerNumber', 'CS1')
        .replace(':reservationId', '0123456789abcdef01234567')
        .replace(':campaignId', '0123456789abcdef01234567');
    const bodyFor = (method: string, path: string) =>
      method === 'POST' && path.endsWith('/coupons')
        ? couponBody()
        : method === 'PUT' || method === 'PATCH'
          ? { name: 'x' }
          : method === 'POST' && (path.endsWith('validation') || path.endsWith('redemptions') || path.endsWith('reservations'))
            ? order(50, 5)
            : method === 'POST' && path.endsWith('qualifications')
              ? { cart: { total: { amount: 50, currency: 'EUR' }, items: [] } }
              : method === 'POST' && path.endsWith('rollback')
                ? { reason: 'access test' }
                : undefined;

    it.each(EXPECTED.filter((e) => e.access === 'scopes').map((e) => [e.method, e.path, e.scopes] as const))(
      '%s %s',
      async (method, path, scopes) => {
        const others = ALL.filter((s) => !scopes.includes(s));
        const denied = await call(
          h,
          method,
          concrete(path),
          { tenant: T, principalType: 'customer', customerId: 'CS1', scopes: others },
          bodyFor(method, path),
        );
        expectCouponError(denied, 403, 'insufficient_permissions');
        expect(denied.body.details).toEqual([{ type: 'missing_scope', message: `Required scope(s): ${scopes.join(' or ')}` }]);
        expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
        for (const scope of scopes) {
          // Customer CS1 with just this scope: the guard lets it through (whatever the handler then decides).
          const r = await call(
            h,
            method,
            concrete(path),
            { tenant: T, principalType: 'customer', customerId: 'CS1', scopes: [scope] },
            bodyFor(method, path),
          );
          expect(r.body?.details?.[0]?.type).not.toBe('missing_scope');
        }
      },
    );

    it('GET /coupons/{code} needs no scope, only a valid token of the tenant', async () => {
      const own = (await call(h, 'POST', `/coupon/${T}/coupons`, manager(T), couponBody())).body.id;
      expect(
        (await call(h, 'GET', `/coupon/${T}/coupons/${own}`, { tenant: T, principalType: 'anonymous', sid: 'v', scopes: [] })).status,
      ).toBe(200);
    });

    it('answers 401 with the gateway body, before reading the body', async () => {
      for (const auth of [null, 'Basic abc', 'Bearer not-a-jwt']) {
        const r = await call(h, 'POST', `/coupon/${T}/coupons`, auth, '{bad json');
        expect(r.status).toBe(401);
        expect(r.body).toEqual({ fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } });
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="commerce"/);
      }
      const expired = await call(h, 'GET', `/coupon/${T}/coupons`, { tenant: T, scopes: [S.manage], ttlSec: -120 });
      expect(expired.body).toEqual({
        fault: { faultstring: 'Access Token expired', detail: { errorcode: 'keymanagement.service.access_token_expired' } },
      });
    });

    it('checks scopes before the body (403 before 415 or 400)', async () => {
      expectCouponError(
        await call(h, 'POST', `/coupon/${T}/coupons`, reader(T), 'garbage', { 'content-type': 'text/plain' }),
        403,
        'insufficient_permissions',
      );
      expectCouponError(await call(h, 'POST', `/coupon/${T}/coupons`, reader(T), '{bad'), 403, 'insufficient_permissions');
    });

    it('answers a body above 10 MiB with 413 validation_violation', async () => {
      const big = JSON.stringify({ name: 'x', description: 'y'.repeat(10 * 1024 * 1024) });
      expectCouponError(await call(h, 'POST', `/coupon/${T}/coupons`, manager(T), big), 413, 'validation_violation');
    });

    it('answers unknown routes 404 resource_not_found in the coupon profile', async () => {
      expectCouponError(await call(h, 'GET', `/coupon/${T}/nothing`, manager(T)), 404, 'resource_not_found');
      expectCouponError(await call(h, 'PATCH', `/coupon/${T}/coupons`, manager(T), {}), 404, 'resource_not_found');
    });
  });

  describe('TEN-9 tenant isolation', () => {
    it('1: a coupon of alpha is 404 at /beta with a beta token', async () => {
      expect((await call(h, 'POST', '/coupon/alpha/coupons', manager('alpha'), couponBody({ code: 'ISO1' }))).status).toBe(201);
      expectCouponError(await call(h, 'GET', '/coupon/beta/coupons/ISO1', manager('beta')), 404, 'resource_not_found');
      expectCouponError(
        await call(h, 'POST', '/coupon/beta/coupons/ISO1/validation', onBehalf('beta'), order(50, 5, 'EUR', { customerNumber: 'C1' })),
        404,
        'resource_not_found',
      );
      expect((await call(h, 'GET', '/coupon/beta/coupons?q=code:ISO1', manager('beta'))).body).toEqual([]);
    });

    it('2: /alpha with a beta token is 403 tenant_mismatch and creates no collection', async () => {
      const before = await h.registry.tenantCollections('gamma');
      const cases: Array<[string, string, unknown]> = [
        ['POST', '/coupon/gamma/coupons', couponBody({ code: 'X' })],
        ['GET', '/coupon/gamma/coupons', undefined],
        ['POST', '/coupon/gamma/coupons/X/redemptions', order(50, 5)],
        ['POST', '/coupon/gamma/referral-coupons/C1', undefined],
        ['PATCH', '/coupon/gamma/coupons/X', { name: 'y' }],
        ['POST', '/coupon/gamma/coupons/X/reservations', order(50, 5)],
        ['POST', '/coupon/gamma/coupons/X/redemptions/0123456789abcdef01234567/rollback', {}],
        ['POST', '/coupon/gamma/qualifications', { cart: { total: { amount: 50, currency: 'EUR' }, items: [] } }],
        ['POST', '/coupon/gamma/coupon-campaigns', {}],
        ['GET', '/coupon/gamma/coupon-campaigns', undefined],
      ];
      for (const [method, path, body] of cases) {
        const r = await call(h, method, path, { tenant: 'delta', scopes: ALL }, body);
        expectCouponError(r, 403, 'insufficient_permissions');
      }
      // A malformed path tenant is 403 too, never 400.
      expectCouponError(await call(h, 'GET', '/coupon/GAMMA/coupons', { tenant: 'delta', scopes: ALL }), 403, 'insufficient_permissions');
      expectCouponError(await call(h, 'GET', '/coupon/a_b/coupons', { tenant: 'delta', scopes: ALL }), 403, 'insufficient_permissions');
      expect(await h.registry.tenantCollections('gamma')).toEqual(before);
      expect(before).toEqual([]);
      // Reads by the tenant itself never create collections either (TEN-6).
      await call(h, 'GET', '/coupon/gamma/coupons/NOPE', manager('gamma'));
      await call(h, 'GET', '/coupon/gamma/coupons', manager('gamma'));
      await call(h, 'GET', '/coupon/gamma/referral-coupons/C1', manager('gamma'));
      expect(await h.registry.tenantCollections('gamma')).toEqual([]);
    });

    it('3: the same code in alpha and beta are independent coupons', async () => {
      expect(
        (await call(h, 'POST', '/coupon/alpha/coupons', manager('alpha'), couponBody({ code: 'SAME', name: 'Alpha', maxRedemptions: 1 })))
          .status,
      ).toBe(201);
      expect(
        (await call(h, 'POST', '/coupon/beta/coupons', manager('beta'), couponBody({ code: 'SAME', name: 'Beta', maxRedemptions: 1 })))
          .status,
      ).toBe(201);
      expect((await call(h, 'GET', '/coupon/alpha/coupons/SAME', manager('alpha'))).body.name).toBe('Alpha');
      expect((await call(h, 'GET', '/coupon/beta/coupons/SAME', manager('beta'))).body.name).toBe('Beta');
      // Counters are per tenant too: using alpha's only use leaves beta's untouched.
      expect(
        (await call(h, 'POST', '/coupon/alpha/coupons/SAME/redemptions', customer('alpha', 'C1'), order(50, 5, 'EUR', { orderCode: 'O1' })))
          .status,
      ).toBe(201);
      expect(
        (await call(h, 'POST', '/coupon/beta/coupons/SAME/redemptions', customer('beta', 'C1'), order(50, 5, 'EUR', { orderCode: 'O1' })))
          .status,
      ).toBe(201);
      expect((await call(h, 'GET', '/coupon/beta/coupons/SAME', manager('beta'))).body.redemptionCount).toBe(1);
    });
  });
});
