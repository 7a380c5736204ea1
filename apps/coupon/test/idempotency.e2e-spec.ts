import { IDEMPOTENCY_KEY_ENTITY } from '@suite/persistence';
import { REDEMPTION_ENTITY } from '../src/redemptions/redemption.schema';
import { segmentService } from './segment-stub';
import {
  call,
  couponBody,
  customer,
  expectCouponError,
  expectRefusal,
  Harness,
  manager,
  onBehalf,
  order,
  Reply,
  startHarness,
  TokenSpec,
  uniqueCode,
} from './support';

const T = 'cpnidem';
const T2 = 'cpnidemb';
const base = (tenant = T) => `/coupon/${tenant}/coupons`;
const ROUNDS = Number(process.env.COUPON_RACE_ROUNDS ?? 5);

let keySeq = 0;
const newKey = () => `key-${Date.now().toString(36)}-${++keySeq}`;

/**
 * The `Idempotency-Key` suite extension on the redemption and referral-coupon POSTs, over real
 * HTTP: replays (2xx and business 4xx, byte for byte, marked `Idempotent-Replayed: true`), a key
 * reused for another request (422), bad keys (400), scoping to principal and tenant, no 5xx kept,
 * and 100 concurrent requests with one key executing once, with the books checked each round.
 */
describe('Idempotency-Key on the coupon POSTs', () => {
  jest.setTimeout(120_000);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => h.stub.respond(() => ({ status: 200, json: [] })));

  async function newCoupon(overrides: Record<string, unknown> = {}, tenant = T): Promise<string> {
    const r = await call(h, 'POST', base(tenant), manager(tenant), couponBody({ code: uniqueCode('I'), ...overrides }));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id;
  }

  const redeem = (code: string, who: TokenSpec, body: unknown, key?: string, tenant = T) =>
    call(h, 'POST', `${base(tenant)}/${code}/redemptions`, who, body, key === undefined ? {} : { 'idempotency-key': key });

  /** The books of a coupon: its redemptionCount (manager GET), the listed and the stored redemptions. */
  async function books(code: string, tenant = T) {
    const coupon = await call(h, 'GET', `${base(tenant)}/${code}`, manager(tenant));
    const list = await call(h, 'GET', `${base(tenant)}/${code}/redemptions?totalCount=true`, manager(tenant));
    const stored = await h.registry.model(tenant, REDEMPTION_ENTITY).countDocuments({ code }).exec();
    return { redemptionCount: coupon.body.redemptionCount, listed: Number(list.headers.get('x-total-count')), stored };
  }

  function expectReplayOf(again: Reply, first: Reply): void {
    expect(again.status).toBe(first.status);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  }

  it('replays a 201 with the same id and Location, marked as a replay, and redeems once', async () => {
    const code = await newCoupon();
    const key = newKey();
    const body = order(50, 5, 'EUR', { customerNumber: 'C1', orderCode: 'ORD-1' });
    const first = await redeem(code, onBehalf(T), body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/coupon/${T}/coupons/${code}/redemptions/${first.body.id}`);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await redeem(code, onBehalf(T), { ...body }, key);
    expectReplayOf(again, first);
    // Same body with its keys in another order: the same request.
    const reordered = { orderCode: 'ORD-1', discount: body.discount, customerNumber: 'C1', orderTotal: body.orderTotal };
    expectReplayOf(await redeem(code, onBehalf(T), reordered, key), first);
    expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
  });

  it('replays a 400 coupon_not_redeemable byte for byte, even after the coupon changed', async () => {
    const code = await newCoupon({ restrictions: { minOrderValue: { amount: 100, currency: 'EUR' } } });
    const key = newKey();
    const first = await redeem(code, customer(T, 'C2'), order(50, 5), key);
    expectRefusal(first, 'min_order_value_not_reached', 'restrictions.minOrderValue.amount');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expectReplayOf(await redeem(code, customer(T, 'C2'), order(50, 5), key), first);
    const patched = await call(h, 'PATCH', `${base()}/${code}`, manager(T), { restrictions: { minOrderValue: null } });
    expect(patched.status).toBe(200);
    // The stored answer, not a new run: without the key the same request now redeems.
    expectReplayOf(await redeem(code, customer(T, 'C2'), order(50, 5), key), first);
    expect((await redeem(code, customer(T, 'C2'), order(50, 5))).status).toBe(201);
    expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
  });

  it('replays a 409 for a duplicate order', async () => {
    const code = await newCoupon();
    const body = order(50, 5, 'EUR', { orderCode: 'ORD-DUP' });
    expect((await redeem(code, customer(T, 'C3'), body)).status).toBe(201);
    const key = newKey();
    const first = await redeem(code, customer(T, 'C3'), body, key);
    expectCouponError(first, 409, 'conflict_resource');
    expectReplayOf(await redeem(code, customer(T, 'C3'), body, key), first);
    expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
  });

  it('answers 422 for the key sent with another body or another coupon, and redeems nothing more', async () => {
    const code = await newCoupon();
    const other = await newCoupon();
    const key = newKey();
    expect((await redeem(code, customer(T, 'C4'), order(50, 5), key)).status).toBe(201);
    for (const r of [await redeem(code, customer(T, 'C4'), order(50, 6), key), await redeem(other, customer(T, 'C4'), order(50, 5), key)]) {
      expectCouponError(r, 422, 'validation_violation');
      expect(r.body.details).toEqual([{ field: 'Idempotency-Key', type: 'idempotency_key_reused', message: expect.any(String) }]);
      expect(r.headers.get('idempotent-replayed')).toBeNull();
    }
    expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
    expect(await books(other)).toEqual({ redemptionCount: 0, listed: 0, stored: 0 });
  });

  it('refuses a key that is empty, longer than 255 characters or not printable ASCII with 400 on the header', async () => {
    const code = await newCoupon();
    const cases: Array<[string, string]> = [
      ['', 'missing_value'],
      ['k'.repeat(256), 'invalid_value'],
      ['schlüssel', 'invalid_value'],
      ['tab\there', 'invalid_value'],
    ];
    for (const [key, type] of cases) {
      const r = await redeem(code, customer(T, 'C5'), order(50, 5), key);
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details).toEqual([{ field: 'Idempotency-Key', type, message: expect.any(String) }]);
    }
    expect(await books(code)).toEqual({ redemptionCount: 0, listed: 0, stored: 0 });
    // 255 printable characters, spaces inside included, are a key.
    const longest = `a ${'k'.repeat(253)}`;
    const first = await redeem(code, customer(T, 'C5'), order(50, 5), longest);
    expect(first.status).toBe(201);
    expectReplayOf(await redeem(code, customer(T, 'C5'), order(50, 5), longest), first);
    expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
  });

  it('an invalid body claims no key and creates no collection; the key then serves the valid request', async () => {
    const fresh = 'cpnidemc';
    const key = newKey();
    const invalid = await call(
      h,
      'POST',
      `${base(fresh)}/NOPE/redemptions`,
      customer(fresh, 'C6'),
      { orderCode: '' },
      { 'idempotency-key': key },
    );
    expectCouponError(invalid, 400, 'validation_violation');
    expect(await h.registry.tenantCollections(fresh)).toEqual([]);
    const code = await newCoupon();
    expectCouponError(
      await redeem(code, customer(T, 'C6'), { orderTotal: { amount: 50, currency: 'EUR' } }, key),
      400,
      'validation_violation',
    );
    const valid = await redeem(code, customer(T, 'C6'), order(50, 5), key);
    expect(valid.status).toBe(201);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
  });

  it('scopes keys to the principal: two customers (or one customer for two legal entities) with one key are independent', async () => {
    const code = await newCoupon();
    const key = newKey();
    const a = await redeem(code, customer(T, 'CA'), order(50, 5), key);
    const b = await redeem(code, customer(T, 'CB'), order(50, 5), key);
    const le = await redeem(code, customer(T, 'CA', { legalEntityId: 'LE-1' }), order(50, 5), key);
    expect([a.status, b.status, le.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, le.body.id]).size).toBe(3);
    for (const r of [a, b, le]) expect(r.headers.get('idempotent-replayed')).toBeNull();
    expectReplayOf(await redeem(code, customer(T, 'CB'), order(50, 5), key), b);
    expect(await books(code)).toEqual({ redemptionCount: 3, listed: 3, stored: 3 });
  });

  it('scopes keys to the tenant: the same key and coupon code in two tenants are independent', async () => {
    const code = uniqueCode('TEN');
    await newCoupon({ code }, T);
    await newCoupon({ code }, T2);
    const key = newKey();
    const body = order(50, 5, 'EUR', { customerNumber: 'C7' });
    const a = await redeem(code, onBehalf(T), body, key, T);
    const b = await redeem(code, onBehalf(T2), body, key, T2);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.headers.get('location')).toBe(`/coupon/${T2}/coupons/${code}/redemptions/${b.body.id}`);
    expect(await books(code, T)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
    expect(await books(code, T2)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
    expect(await h.registry.model(T2, IDEMPOTENCY_KEY_ENTITY).countDocuments({}).exec()).toBe(1);
  });

  it('keeps no 5xx: after a 503 (segment service down) the same key redeems once the peer is back', async () => {
    const code = await newCoupon({ segmentRestricted: true, restrictions: { segments: ['vip'] } });
    const key = newKey();
    h.stub.respond(() => ({ status: 500, json: {} }));
    const down = await redeem(code, customer(T, 'CSEG'), order(50, 5), key);
    expectCouponError(down, 503, 'service_unavailable');
    expect(await books(code)).toEqual({ redemptionCount: 0, listed: 0, stored: 0 });
    h.stub.respond(segmentService(T, { CSEG: [{ id: 'vip', status: 'ACTIVE' }] }));
    const up = await redeem(code, customer(T, 'CSEG'), order(50, 5), key);
    expect(up.status).toBe(201);
    expect(up.headers.get('idempotent-replayed')).toBeNull();
    // Now kept: the peer going down again does not matter to a retry.
    h.stub.respond(() => ({ status: 500, json: {} }));
    expectReplayOf(await redeem(code, customer(T, 'CSEG'), order(50, 5), key), up);
    expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
  });

  it(`100 concurrent requests with one key execute once: one redemption, 100 identical 201s (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon();
      const key = newKey();
      const body = order(50, 5, 'EUR', { customerNumber: `RACE${round}`, orderCode: `RACE-${round}` });
      const results = await Promise.all(Array.from({ length: 100 }, () => redeem(code, onBehalf(T), body, key)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      expect(new Set(results.map((r) => r.headers.get('location'))).size).toBe(1);
      expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(99);
      expect(await books(code)).toEqual({ redemptionCount: 1, listed: 1, stored: 1 });
      const records = await h.registry.model(T, IDEMPOTENCY_KEY_ENTITY).find({ state: 'running' }).lean().exec();
      expect(records).toEqual([]);
    }
  });

  it('makes the referral-coupon POST replayable too', async () => {
    const path = `/coupon/${T}/referral-coupons/RKEY`;
    const key = newKey();
    const first = await call(h, 'POST', path, customer(T, 'RKEY'), undefined, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ issuedTo: 'RKEY', referralCoupon: true });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await call(h, 'POST', path, customer(T, 'RKEY'), undefined, { 'idempotency-key': key });
    expectReplayOf(again, first);
    expect((await call(h, 'GET', path, customer(T, 'RKEY'))).body.code).toBe(first.body.code);
    // The operation ignores a body, but the key compares requests as sent.
    const withBody = await call(h, 'POST', path, customer(T, 'RKEY'), { note: 'x' }, { 'idempotency-key': key });
    expectCouponError(withBody, 422, 'validation_violation');
  });
});
