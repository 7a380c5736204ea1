import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { SETTINGS_ENTITY } from '../src/common/settings.schema';
import { anonymous, call, customer, expectCouponError, Harness, manager, onBehalf, reader, S, startHarness } from './support';

const T = 'cpnref';
const ref = (c: string, tenant = T) => `/coupon/${tenant}/referral-coupons/${c}`;

describe('referral coupons (operations 12 and 13, §12)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('GET is 204 without a coupon; POST creates one (200) in the referral view; GET then returns it', async () => {
    const none = await call(h, 'GET', ref('C100'), customer(T, 'C100'));
    expect(none.status).toBe(204);
    expect(none.text).toBe('');
    const created = await call(h, 'POST', ref('C100'), customer(T, 'C100'));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      code: expect.stringMatching(/^REF_[A-Z0-9]{6}$/),
      name: 'Referral coupon C100',
      description: 'Referral coupon of customer C100',
      discountType: 'ABSOLUTE',
      discountAbsolute: { amount: 5, currency: 'EUR' },
      allowAnonymous: true,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      restrictions: { validFor: [] },
      issuedTo: 'C100',
      referralCoupon: true,
      redemptionCount: 0,
      status: 'VALID',
      deleted: false,
      metadata: { version: 0, createdAt: expect.any(String), modifiedAt: expect.any(String) },
    });
    const again = await call(h, 'POST', ref('C100'), customer(T, 'C100'), { ignored: true });
    expect(again.body).toEqual(created.body);
    expect((await call(h, 'GET', ref('C100'), reader(T))).body).toEqual(created.body);
    // It is a normal coupon too.
    expect((await call(h, 'GET', `/coupon/${T}/coupons/${created.body.code}`, manager(T))).body).toMatchObject({
      referralCoupon: true,
      issuedTo: 'C100',
      categoryRestricted: false,
    });
  });

  it('creates exactly one active coupon under 20 parallel POSTs', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => call(h, 'POST', ref('RACE1'), onBehalf(T))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.code)).size).toBe(1);
    expect(await h.registry.model(T, COUPON_ENTITY).countDocuments({ issuedTo: 'RACE1', referralCoupon: true }).exec()).toBe(1);
  });

  it('keeps referralCoupon and issuedTo fixed; after a soft delete GET is 204 and POST issues a new code', async () => {
    const first = (await call(h, 'POST', ref('C200'), manager(T))).body;
    const url = `/coupon/${T}/coupons/${first.code}`;
    const change = await call(h, 'PATCH', url, manager(T), { issuedTo: 'SOMEONE', referralCoupon: false });
    expectCouponError(change, 400, 'validation_violation');
    expect(change.body.details).toEqual([{ field: 'issuedTo', type: 'immutable_field', message: expect.any(String) }]);
    const put = await call(h, 'PUT', url, manager(T), {
      name: 'Renamed',
      discountType: 'ABSOLUTE',
      discountAbsolute: { amount: 7, currency: 'EUR' },
    });
    expect(put.body).toMatchObject({ issuedTo: 'C200', referralCoupon: true, name: 'Renamed' });
    expectCouponError(
      await call(h, 'PUT', url, manager(T), { name: 'X', discountType: 'ABSOLUTE', discountAbsolute: { amount: 7 }, issuedTo: 'OTHER' }),
      400,
      'validation_violation',
    );
    expect((await call(h, 'DELETE', url, manager(T))).status).toBe(204);
    expect((await call(h, 'GET', ref('C200'), manager(T))).status).toBe(204);
    const second = (await call(h, 'POST', ref('C200'), manager(T))).body;
    expect(second.code).not.toBe(first.code);
    expect(second.issuedTo).toBe('C200');
  });

  it('uses the tenant referral settings and case rule', async () => {
    const tenant = 'cpnrefset';
    await (
      await h.registry.forWrite(tenant, SETTINGS_ENTITY)
    ).collection.insertOne({ _id: 'settings', referral: { codePrefix: 'Friend', amount: 12.5, currency: 'USD' } } as never);
    const r = await call(h, 'POST', ref('C1', tenant), customer(tenant, 'C1'));
    expect(r.body.code).toMatch(/^FRIEND_[A-Z0-9]{6}$/);
    expect(r.body.discountAbsolute).toEqual({ amount: 12.5, currency: 'USD' });
  });

  it('allows the customer themself and privileged callers only (403 otherwise)', async () => {
    expectCouponError(await call(h, 'GET', ref('C300'), customer(T, 'C301')), 403, 'insufficient_permissions');
    expectCouponError(await call(h, 'POST', ref('C300'), customer(T, 'C301')), 403, 'insufficient_permissions');
    expectCouponError(await call(h, 'GET', ref('C300'), anonymous(T)), 403, 'insufficient_permissions');
    expectCouponError(await call(h, 'POST', ref('C300'), anonymous(T)), 403, 'insufficient_permissions');
    expectCouponError(await call(h, 'POST', ref('C300'), reader(T)), 403, 'insufficient_permissions');
    // A customer token without any coupon scope is not enough either.
    expectCouponError(
      await call(h, 'GET', ref('C300'), { tenant: T, principalType: 'customer', customerId: 'C300', scopes: [] }),
      403,
      'insufficient_permissions',
    );
    for (const who of [manager(T), reader(T), onBehalf(T), customer(T, 'C300')])
      expect((await call(h, 'GET', ref('C300'), who)).status).toBe(204);
    for (const who of [manager(T), onBehalf(T), customer(T, 'C300')]) expect((await call(h, 'POST', ref('C300'), who)).status).toBe(200);
    expect((await call(h, 'GET', ref('C300'), { tenant: T, scopes: [S.read] })).status).toBe(200);
  });
});
