import { windowEnded, withinOneWindow } from '@suite/testing';
import { call, expectCouponError, Harness, manager, startHarness } from './support';

const HOUR = 3_600_000;

describe('coupon: per-tenant rate limits (RATE_LIMIT_PER_TENANT, RATE_LIMIT_TENANTS)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(undefined, { RATE_LIMIT_PER_TENANT: '3/1h', RATE_LIMIT_TENANTS: '{"bigco": "5/1h", "brief": "1/2s"}' });
  });
  afterAll(() => h.close());

  it('answers 429 in the coupon profile with Retry-After once a tenant is spent; another tenant is unaffected', async () => {
    const endsAt = await withinOneWindow(HOUR, 20_000);
    for (let i = 0; i < 3; i++) expect((await call(h, 'GET', '/coupon/alpha/coupons', manager('alpha'))).status).toBe(200);
    const refused = await call(h, 'GET', '/coupon/alpha/coupons', manager('alpha'));
    expectCouponError(refused, 429, 'too_many_requests');
    expect(refused.body).toEqual({
      status: 429,
      type: 'too_many_requests',
      message: expect.stringMatching(/^The request rate limit of tenant alpha is exhausted; retry after \d+ seconds\.$/),
      details: [{ type: 'limit_exceeded', message: 'at most 3 requests per 3600 s' }],
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((endsAt - Date.now()) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((endsAt - Date.now()) / 1000) + 1);
    for (let i = 0; i < 3; i++) expect((await call(h, 'GET', '/coupon/beta/coupons', manager('beta'))).status).toBe(200);
  });

  it('applies per-tenant overrides, and a new window admits requests again', async () => {
    await withinOneWindow(HOUR, 20_000);
    for (let i = 0; i < 5; i++) expect((await call(h, 'GET', '/coupon/bigco/coupons', manager('bigco'))).status).toBe(200);
    expectCouponError(await call(h, 'GET', '/coupon/bigco/coupons', manager('bigco')), 429, 'too_many_requests');

    const endsAt = await withinOneWindow(2000, 1500);
    expect((await call(h, 'GET', '/coupon/brief/coupons', manager('brief'))).status).toBe(200);
    expectCouponError(await call(h, 'GET', '/coupon/brief/coupons', manager('brief')), 429, 'too_many_requests');
    await windowEnded(endsAt);
    expect((await call(h, 'GET', '/coupon/brief/coupons', manager('brief'))).status).toBe(200);
  });
});
