import { FakeSegment, idsOfQ, segmentService } from './segment-stub';
import {
  anonymous,
  call,
  couponBody,
  customer,
  expectCouponError,
  expectRefusal,
  Harness,
  manager,
  onBehalf,
  order,
  startHarness,
  uniqueCode,
} from './support';

const T = 'cpnvalopt';
const base = `/coupon/${T}/coupons`;

const UNAVAILABLE = {
  status: 503,
  type: 'service_unavailable',
  message: 'Customer segment membership could not be verified; please retry later.',
  details: [
    { field: 'restrictions.segments', type: 'segment_service_unavailable', message: 'The customer segment service did not answer.' },
  ],
};

const MEMBERSHIP: Record<string, FakeSegment[]> = {
  VIP: [{ id: 'vip', status: 'ACTIVE' }],
  STAFF: [
    { id: 'vip', status: 'ACTIVE' },
    { id: 'staff', status: 'ACTIVE' },
  ],
  FORMER: [
    { id: 'vip', status: 'ACTIVE' },
    { id: 'staff', status: 'INACTIVE' },
  ],
};

const money = (amount: number, currency = 'EUR') => ({ amount, currency });
const orderOnly = (amount: number, currency = 'EUR', extra: Record<string, unknown> = {}) => ({
  orderTotal: money(amount, currency),
  ...extra,
});
const fields = (r: { body: { details: Array<{ field?: string; type: string }> } }) => r.body.details.map((d) => `${d.field}/${d.type}`);

describe('validation options and segment exclusion (README "Discount quote", "Every reason", "Segment exclusion")', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((c) => ({
      ...c,
      segmentClient: { timeouts: { attemptMs: 300 }, breaker: { consecutiveFailures: 10_000, minCallsInWindow: 10_000 } },
    }));
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.stub.respond(segmentService(T, MEMBERSHIP));
    h.stub.reset();
  });

  const create = async (overrides: Record<string, unknown> = {}): Promise<string> => {
    const r = await call(h, 'POST', base, manager(T), couponBody({ code: uniqueCode('V'), ...overrides }));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id;
  };
  const validate = (code: string, who: Parameters<typeof call>[3], body: unknown, query = '') =>
    call(h, 'POST', `${base}/${code}/validation${query}`, who, body);
  const redeem = (code: string, who: Parameters<typeof call>[3], body: unknown) =>
    call(h, 'POST', `${base}/${code}/redemptions`, who, body);
  const stored = async (code: string) => (await call(h, 'GET', `${base}/${code}`, manager(T))).body;
  const percent = (discountPercentage: number, extra: Record<string, unknown> = {}) =>
    create({ discountType: 'PERCENT', discountPercentage, discountAbsolute: undefined, ...extra });

  describe('the discount quote (quote=true)', () => {
    it('keeps the Emporix answer without the option: 200 with an empty body, discount required', async () => {
      const code = await create();
      for (const query of ['', '?quote=false', '?explain=false']) {
        const r = await validate(code, customer(T, 'C1'), order(50, 5), query);
        expect(r.status).toBe(200);
        expect(r.text).toBe('');
      }
      const missing = await validate(code, customer(T, 'C1'), orderOnly(50));
      expectCouponError(missing, 400, 'validation_violation');
      expect(missing.body.details).toEqual([
        { field: 'discount', type: 'missing_value', message: 'discount should not be null or undefined' },
      ]);
      expect(fields(await validate(code, customer(T, 'C1'), { discount: money(5) }))).toEqual(['orderTotal/missing_value']);
      expect(fields(await validate(code, customer(T, 'C1'), {}, '?quote=true'))).toEqual(['orderTotal/missing_value']);
      // The redemption body is unchanged: discount stays required there.
      expect(fields(await redeem(code, customer(T, 'C1'), orderOnly(50)))).toEqual(['discount/missing_value']);
    });

    it('quotes ABSOLUTE as min(amount, total), PERCENT rounded half-up, FREE_SHIPPING as a flag', async () => {
      const absolute = await create();
      expect((await validate(absolute, customer(T, 'C1'), orderOnly(50), '?quote=true')).body).toEqual({
        code: absolute,
        discount: money(10),
        freeShipping: false,
      });
      expect((await validate(absolute, customer(T, 'C1'), orderOnly(7.5), '?quote=TRUE')).body.discount).toEqual(money(7.5));
      const tenth = await percent(15);
      expect((await validate(tenth, customer(T, 'C1'), orderOnly(99.99), '?quote=true')).body.discount).toEqual(money(15)); // 14.9985
      expect((await validate(tenth, customer(T, 'C1'), orderOnly(33.3), '?quote=true')).body.discount).toEqual(money(5)); // 4.995
      expect((await validate(tenth, customer(T, 'C1'), orderOnly(33.29), '?quote=true')).body.discount).toEqual(money(4.99)); // 4.9935
      const free = await create({ discountType: 'FREE_SHIPPING', discountAbsolute: undefined });
      expect((await validate(free, customer(T, 'C1'), orderOnly(20), '?quote=true')).body).toEqual({
        code: free,
        discount: money(0),
        freeShipping: true,
      });
    });

    it('rounds to the minor unit of the order currency: JPY 0 digits, BHD and KWD 3', async () => {
      const p = await percent(12.5);
      const quote = async (amount: number, currency: string) =>
        (await validate(p, customer(T, 'C1'), orderOnly(amount, currency), '?quote=true')).body.discount;
      expect(await quote(1234, 'JPY')).toEqual(money(154, 'JPY')); // 154.25
      expect(await quote(10.005, 'BHD')).toEqual(money(1.251, 'BHD')); // 1.250625
      expect(await quote(3.996, 'KWD')).toEqual(money(0.5, 'KWD')); // 0.4995
      expect(await quote(12.34, 'EUR')).toEqual(money(1.54, 'EUR')); // 1.5425
    });

    it('never quotes more than the redemption accepts: 15 % of 999 JPY is 149, and redeeming with the quote succeeds', async () => {
      const p = await percent(15);
      const q = await validate(p, customer(T, 'C1'), orderOnly(999, 'JPY'), '?quote=true');
      expect(q.body.discount).toEqual(money(149, 'JPY'));
      expectRefusal(await validate(p, customer(T, 'C1'), order(999, 150, 'JPY')), 'discount_exceeds_coupon_value');
      expect((await redeem(p, customer(T, 'C1'), { orderTotal: money(999, 'JPY'), discount: q.body.discount })).status).toBe(201);
    });

    it('still judges a claimed discount (R11) and refuses as usual', async () => {
      const code = await create({ restrictions: { minOrderValue: money(30) } });
      expectRefusal(await validate(code, customer(T, 'C1'), order(50, 11), '?quote=true'), 'discount_exceeds_coupon_value');
      expect((await validate(code, customer(T, 'C1'), order(50, 10), '?quote=true')).body.discount).toEqual(money(10));
      expectRefusal(await validate(code, customer(T, 'C1'), orderOnly(20), '?quote=true'), 'min_order_value_not_reached');
      expectRefusal(
        await validate(code, customer(T, 'C1'), orderOnly(50, 'USD'), '?quote=true'),
        'currency_mismatch',
        'orderTotal.currency',
      );
      expect((await stored(code)).redemptionCount).toBe(0);
    });

    it('needs a known currency only with the option; a bad option value is a 400', async () => {
      const p = await percent(10);
      const unknown = await validate(p, customer(T, 'C1'), orderOnly(50, 'QQQ'), '?quote=true');
      expectCouponError(unknown, 400, 'validation_violation');
      expect(fields(unknown)).toEqual(['orderTotal.currency/invalid_value']);
      // Without the option the well-formed unknown code changes nothing (Emporix behaviour).
      expect((await validate(p, customer(T, 'C1'), order(50, 5, 'QQQ'))).status).toBe(200);
      const bad = await validate(p, customer(T, 'C1'), order(50, 5), '?quote=maybe');
      expectCouponError(bad, 400, 'validation_violation');
      expect(fields(bad)).toEqual(['quote/invalid_value']);
      expect(fields(await validate(p, customer(T, 'C1'), orderOnly(50, 'eur'), '?quote=true'))).toEqual([
        'orderTotal.currency/invalid_value',
      ]);
    });

    it('keeps the order of checks: 401, 403 and 404 as without the option', async () => {
      const code = await create();
      expect((await validate(code, null, orderOnly(50), '?quote=true')).status).toBe(401);
      expectCouponError(await validate(code, manager(T), orderOnly(50), '?quote=true'), 403, 'insufficient_permissions');
      expectCouponError(await validate(code, customer('cpnother', 'C1'), orderOnly(50), '?quote=true'), 403, 'insufficient_permissions');
      expectCouponError(
        await validate(code, customer(T, 'C1'), orderOnly(50, 'EUR', { customerNumber: 'C2' }), '?quote=true'),
        403,
        'insufficient_permissions',
      );
      expectCouponError(await validate('NOSUCH', customer(T, 'C1'), orderOnly(50), '?quote=true'), 404, 'resource_not_found');
      expect((await validate(code, onBehalf(T), orderOnly(50, 'EUR', { customerNumber: 'C2' }), '?quote=true')).status).toBe(200);
    });
  });

  describe('every reason (explain=true)', () => {
    it('lists every failing rule in R1..R12 order with the §8 codes and fields; without the option only the first', async () => {
      const code = await create({
        maxRedemptionsPerCustomer: 1,
        restrictions: { validUntil: '2000-01-01T00:00:00Z', minOrderValue: money(100) },
      });
      // Use the customer's one redemption while the coupon was valid: expire it afterwards.
      await call(h, 'PATCH', `${base}/${code}`, manager(T), { restrictions: { validUntil: null } });
      expect((await redeem(code, customer(T, 'C1'), order(100, 5))).status).toBe(201);
      await call(h, 'PATCH', `${base}/${code}`, manager(T), { restrictions: { validUntil: '2000-01-01T00:00:00Z' } });
      expectRefusal(await validate(code, customer(T, 'C1'), order(50, 20)), 'coupon_expired');
      const all = await validate(code, customer(T, 'C1'), order(50, 20), '?explain=true');
      expectCouponError(all, 400, 'coupon_not_redeemable');
      expect(all.body.details.map((d: { type: string; field: string }) => `${d.type}@${d.field}`)).toEqual([
        'coupon_expired@restrictions.validUntil',
        'max_redemptions_per_customer_reached@maxRedemptionsPerCustomer',
        'min_order_value_not_reached@restrictions.minOrderValue.amount',
        'discount_exceeds_coupon_value@discount.amount',
      ]);
      expect(all.body.message).toMatch(/^Coupon .+ cannot be redeemed: it expired at 2000-01-01T00:00:00.000Z; .+; .+; .+\.$/);
      const anonymousAll = await validate(code, anonymous(T), order(50, 5), '?explain=true');
      expect(anonymousAll.body.details.map((d: { type: string }) => d.type)).toEqual([
        'coupon_expired',
        'anonymous_not_allowed',
        'min_order_value_not_reached',
      ]);
      // One failing rule: exactly the single-reason refusal.
      const one = await create({ restrictions: { minOrderValue: money(100) } });
      const single = await validate(one, customer(T, 'C1'), order(50, 5), '?explain=true');
      expectRefusal(single, 'min_order_value_not_reached', 'restrictions.minOrderValue.amount');
      expect(single.body).toEqual((await validate(one, customer(T, 'C1'), order(50, 5))).body);
      expect((await validate(await create(), customer(T, 'C1'), order(50, 5), '?explain=true')).text).toBe('');
    });

    it('adds R12 and R13 after the local rules, from one segment call made even when a local rule failed', async () => {
      const code = await create({
        segmentRestricted: true,
        restrictions: { segments: ['gold'], excludedSegments: ['staff'], validFrom: '2099-01-01T00:00:00Z' },
      });
      const r = await validate(code, customer(T, 'STAFF'), order(50, 5), '?explain=true&quote=true');
      expect(r.body.details.map((d: { type: string; field: string }) => `${d.type}@${d.field}`)).toEqual([
        'coupon_not_yet_valid@restrictions.validFrom',
        'customer_not_in_segment@restrictions.segments',
        'customer_in_excluded_segment@restrictions.excludedSegments',
      ]);
      expect(h.stub.requests).toHaveLength(1);
      expect(idsOfQ(h.stub.requests[0].query.get('q'))).toEqual(['gold', 'staff']);
      h.stub.reset();
      expectRefusal(await validate(code, customer(T, 'STAFF'), order(50, 5)), 'coupon_not_yet_valid');
      expect(h.stub.requests).toHaveLength(0); // without the option a local refusal still ends it before the call
      h.stub.respond(() => ({ status: 500, json: {} }));
      const down = await validate(code, customer(T, 'STAFF'), order(50, 5), '?explain=true');
      expect(down.status).toBe(503);
      expect(down.body).toEqual(UNAVAILABLE);
    });
  });

  describe('segment exclusion (restrictions.excludedSegments, R13)', () => {
    it('refuses a member of an excluded segment with its own reason, on validation and redemption, writing nothing', async () => {
      const code = await create({ restrictions: { excludedSegments: ['staff'] } });
      const refused = await validate(code, customer(T, 'STAFF'), order(50, 5));
      expectRefusal(refused, 'customer_in_excluded_segment', 'restrictions.excludedSegments');
      expect(refused.body.details[0].message).not.toContain('staff');
      expectRefusal(await redeem(code, customer(T, 'STAFF'), order(50, 5)), 'customer_in_excluded_segment');
      expect((await stored(code)).redemptionCount).toBe(0);
      // Not a member, or a member of an inactive excluded segment: admitted.
      expect((await validate(code, customer(T, 'VIP'), order(50, 5))).status).toBe(200);
      expect((await validate(code, customer(T, 'FORMER'), order(50, 5))).status).toBe(200);
      expect((await redeem(code, customer(T, 'NOBODY'), order(50, 5))).status).toBe(201);
      // One question per request; FORMER's full page (its inactive 'staff') asks for the next one (S2S-14).
      expect(h.stub.requests.map((r) => `${r.query.get('customerId')}:${r.query.get('pageNumber')}:${r.query.get('q')}`)).toEqual([
        'STAFF:1:id:("staff")',
        'STAFF:1:id:("staff")',
        'VIP:1:id:("staff")',
        'FORMER:1:id:("staff")',
        'FORMER:2:id:("staff")',
        'NOBODY:1:id:("staff")',
      ]);
    });

    it('combines with segments: one call answers both lists', async () => {
      const code = await create({ segmentRestricted: true, restrictions: { segments: ['vip'], excludedSegments: ['staff'] } });
      expect((await validate(code, customer(T, 'VIP'), order(50, 5))).status).toBe(200);
      expectRefusal(await validate(code, customer(T, 'STAFF'), order(50, 5)), 'customer_in_excluded_segment');
      expectRefusal(await validate(code, customer(T, 'NOBODY'), order(50, 5)), 'customer_not_in_segment');
      expect(h.stub.requests).toHaveLength(3);
      for (const req of h.stub.requests) {
        expect(Object.fromEntries(req.query)).toEqual(expect.objectContaining({ q: 'id:("vip","staff")', pageSize: '2', pageNumber: '1' }));
      }
      expect(h.stub.requests.map((r) => r.query.get('customerId'))).toEqual(['VIP', 'STAFF', 'NOBODY']);
    });

    it('fails closed: 503 in the coupon profile when the segment service cannot answer, nothing written', async () => {
      const code = await create({ maxRedemptionsPerCustomer: 1, restrictions: { excludedSegments: ['staff'] } });
      h.stub.respond(() => ({ status: 503, json: {} }));
      const v = await validate(code, customer(T, 'VIP'), order(50, 5));
      expect(v.body).toEqual(UNAVAILABLE);
      const r = await redeem(code, customer(T, 'VIP'), order(50, 5, 'EUR', { orderCode: 'EXC-1' }));
      expectCouponError(r, 503, 'service_unavailable');
      expect((await stored(code)).redemptionCount).toBe(0);
      expect((await call(h, 'GET', `${base}/${code}/redemptions`, manager(T))).body).toEqual([]);
      h.stub.respond(segmentService(T, MEMBERSHIP));
      expect((await redeem(code, customer(T, 'VIP'), order(50, 5, 'EUR', { orderCode: 'EXC-1' }))).status).toBe(201);
    });

    it('treats a guest as a member of no segment: an anonymous coupon with exclusions needs no call', async () => {
      const code = await create({ allowAnonymous: true, restrictions: { excludedSegments: ['staff'] } });
      expect((await validate(code, anonymous(T), order(50, 5))).status).toBe(200);
      expect(h.stub.requests).toHaveLength(0);
    });

    it('is written and read like segments: deduplicated, at most 50, never also required, shown to managers only', async () => {
      const code = await create({ restrictions: { excludedSegments: ['staff', 'staff', 'temps'] } });
      expect((await stored(code)).restrictions.excludedSegments).toEqual(['staff', 'temps']);
      expect((await call(h, 'GET', `${base}/${code}`, customer(T, 'C1'))).body.restrictions).not.toHaveProperty('excludedSegments');
      const listed = await call(h, 'GET', `${base}?q=restrictions.excludedSegments:temps`, manager(T));
      expect(listed.body.map((c: { code: string }) => c.code)).toEqual([code]);
      const conflict = await call(
        h,
        'POST',
        base,
        manager(T),
        couponBody({ segmentRestricted: true, restrictions: { segments: ['vip'], excludedSegments: ['vip'] } }),
      );
      expectCouponError(conflict, 400, 'validation_violation');
      expect(fields(conflict)).toEqual(['restrictions.excludedSegments/conflicting_values']);
      const many = Array.from({ length: 51 }, (_, i) => `s${i}`);
      expect(fields(await call(h, 'PATCH', `${base}/${code}`, manager(T), { restrictions: { excludedSegments: many } }))).toEqual([
        'restrictions.excludedSegments/invalid_value',
      ]);
      const cleared = await call(h, 'PATCH', `${base}/${code}`, manager(T), { restrictions: { excludedSegments: null } });
      expect(cleared.body.restrictions).not.toHaveProperty('excludedSegments');
    });
  });
});
