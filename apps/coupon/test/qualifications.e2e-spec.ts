import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { FakeSegment, idsOfQ, segmentService } from './segment-stub';
import {
  anonymous,
  call,
  couponBody,
  customer,
  expectCouponError,
  Harness,
  manager,
  onBehalf,
  order,
  reader,
  startHarness,
  TokenSpec,
} from './support';

const UNAVAILABLE = {
  status: 503,
  type: 'service_unavailable',
  message: 'Customer segment membership could not be verified; please retry later.',
  details: [
    { field: 'restrictions.segments', type: 'segment_service_unavailable', message: 'The customer segment service did not answer.' },
  ],
};

interface Row {
  code: string;
  applicable: boolean;
  status: string;
  discount: { amount: number; currency: string };
  freeShipping: boolean;
  reasons: Array<{ field: string; type: string; message: string }>;
  coupon: Record<string, any>;
}

const money = (amount: number, currency = 'EUR') => ({ amount, currency });
const item = (productId: string, price: number, quantity = 1, categoryIds: string[] = [], currency = 'EUR') => ({
  productId,
  categoryIds,
  quantity,
  price: money(price, currency),
});
/** 120 EUR of lines (2 × 25 shoes, 70 bags) plus 10 of shipping. */
const CART = { total: money(130), items: [item('P1', 25, 2, ['shoes']), item('P2', 70, 1, ['bags'])] };
const fields = (r: { body: { details: Array<{ field?: string; type: string }> } }) => r.body.details.map((d) => `${d.field}/${d.type}`);

let tenants = 0;
/** A fresh tenant per test: customers see every automatic coupon of their tenant. */
const freshTenant = () => `cpnqual${++tenants}`;

describe('qualifications (README "Qualifications", "Automatic coupons")', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((c) => ({
      ...c,
      segmentClient: { timeouts: { attemptMs: 300 }, breaker: { consecutiveFailures: 10_000, minCallsInWindow: 10_000 } },
    }));
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.stub.respond(() => ({ status: 200, json: [] }));
    h.stub.reset();
  });

  const create = async (t: string, code: string, overrides: Record<string, unknown> = {}) => {
    const r = await call(h, 'POST', `/coupon/${t}/coupons`, manager(t), couponBody({ code, ...overrides }));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id as string;
  };
  const qualify = (t: string, who: TokenSpec | null, body: unknown = { cart: CART }, query = '') =>
    call(h, 'POST', `/coupon/${t}/qualifications${query}`, who, body);
  const codesOf = async (t: string, who: TokenSpec, body: unknown = { cart: CART }) => {
    const r = await qualify(t, who, body);
    if (r.status !== 200) throw new Error(r.text);
    return r.body.map((row: Row) => row.code).sort();
  };
  const redeem = (t: string, code: string, who: TokenSpec, body: unknown) =>
    call(h, 'POST', `/coupon/${t}/coupons/${code}/redemptions`, who, body);

  it('shows each caller the coupons it may know: managers all, customers theirs, automatic ones and named codes', async () => {
    const t = freshTenant();
    await create(t, 'AUTO', { automatic: true });
    await create(t, 'ISSUED', { issuedTo: 'C1', discountType: 'PERCENT', discountPercentage: 10 });
    await create(t, 'LISTED', { restrictions: { validFor: ['C1'] } });
    await create(t, 'OTHERS', { automatic: true, restrictions: { validFor: ['C2'] } });
    await create(t, 'SECRET');
    await create(t, 'GONE', { automatic: true });
    await call(h, 'DELETE', `/coupon/${t}/coupons/GONE`, manager(t));
    const referral = (await call(h, 'POST', `/coupon/${t}/referral-coupons/C1`, customer(t, 'C1'))).body.code as string;

    expect(await codesOf(t, customer(t, 'C1'))).toEqual(['AUTO', 'ISSUED', 'LISTED', referral].sort());
    expect(await codesOf(t, customer(t, 'C1'), { cart: CART, codes: ['secret', 'OTHERS', 'GONE', 'NOPE', 'SECRET'] })).toEqual(
      ['AUTO', 'ISSUED', 'LISTED', 'SECRET', referral].sort(),
    );
    expect(await codesOf(t, customer(t, 'C2'))).toEqual(['AUTO', 'OTHERS']);
    expect(await codesOf(t, anonymous(t))).toEqual(['AUTO']);
    expect(await codesOf(t, anonymous(t), { cart: CART, codes: ['SECRET', referral, 'LISTED'] })).toEqual(
      ['AUTO', 'SECRET', referral].sort(),
    );
    expect(await codesOf(t, onBehalf(t), { cart: CART, customerNumber: 'C1' })).toEqual(['AUTO', 'ISSUED', 'LISTED', referral].sort());
    expect(await codesOf(t, onBehalf(t))).toEqual(['AUTO']);
    const all = ['AUTO', 'ISSUED', 'LISTED', 'OTHERS', 'SECRET', referral].sort();
    expect(await codesOf(t, manager(t))).toEqual(all);
    expect(await codesOf(t, reader(t))).toEqual(all);
    // `automatic` is a coupon field like the others: filterable in lists.
    const listed = await call(h, 'GET', `/coupon/${t}/coupons?q=automatic:true`, manager(t));
    expect(listed.body.map((c: { code: string }) => c.code)).toEqual(['AUTO', 'OTHERS']);

    // The owner's referral coupon is its own to share, not to redeem (R6).
    const own = (await qualify(t, customer(t, 'C1'))).body.find((row: Row) => row.code === referral)!;
    expect(own).toMatchObject({ applicable: false, reasons: [{ field: 'issuedTo', type: 'referral_self_redemption' }] });
    // Views: the customer view for customers (no seller-only fields), the manager view for managers.
    const asCustomer = (await qualify(t, customer(t, 'C1'))).body.find((row: Row) => row.code === 'LISTED')!;
    expect(asCustomer.coupon).toMatchObject({ code: 'LISTED', status: 'VALID', automatic: false });
    expect(asCustomer.coupon).not.toHaveProperty('maxRedemptions');
    expect(asCustomer.coupon.restrictions).not.toHaveProperty('validFor');
    const asManager = (await qualify(t, manager(t))).body.find((row: Row) => row.code === 'LISTED')!;
    expect(asManager.coupon).toMatchObject({ maxRedemptions: -1, restrictions: { validFor: ['C1'] } });
    // A manager without a customer judges anonymously (R4); acting for a customer needs coupon_redeem_on_behalf (§2.3).
    expect(asManager.reasons.map((r: { type: string }) => r.type)).toEqual(['anonymous_not_allowed', 'customer_not_eligible']);
    expectCouponError(await qualify(t, customer(t, 'C1'), { cart: CART, customerNumber: 'C2' }), 403, 'insufficient_permissions');
    expectCouponError(await qualify(t, manager(t), { cart: CART, customerNumber: 'C1' }), 403, 'insufficient_permissions');
    expectCouponError(await qualify(t, customer(t, 'C1'), { cart: CART, legalEntityId: 'LE-1' }), 403, 'insufficient_permissions');
  });

  it('answers best first with the quote and every failing reason; the limits count (unlike Voucherify)', async () => {
    const t = freshTenant();
    const auto = { automatic: true };
    await create(t, 'PCT10', { ...auto, discountType: 'PERCENT', discountPercentage: 10 });
    await create(t, 'PCT10TOTAL', { ...auto, discountType: 'PERCENT', discountPercentage: 10, discountCalculationType: 'TOTAL' });
    await create(t, 'ABS20', { ...auto, discountAbsolute: money(20) });
    await create(t, 'FREESHIP', { ...auto, discountType: 'FREE_SHIPPING' });
    await create(t, 'SHOES50', {
      ...auto,
      discountType: 'PERCENT',
      discountPercentage: 50,
      categoryRestricted: true,
      restrictions: { includedCategories: ['shoes'] },
    });
    await create(t, 'TOYS', { ...auto, categoryRestricted: true, restrictions: { includedCategories: ['toys'] } });
    await create(t, 'USED30', { ...auto, discountAbsolute: money(30), maxRedemptions: 1 });
    await create(t, 'ONCE15', { ...auto, discountAbsolute: money(15), maxRedemptionsPerCustomer: 1 });
    await create(t, 'MIN40', { ...auto, discountAbsolute: money(40), restrictions: { minOrderValue: money(200) } });
    await create(t, 'USD10', { ...auto, discountAbsolute: money(10, 'USD') });
    expect((await redeem(t, 'USED30', customer(t, 'C9'), order(130, 30))).status).toBe(201);
    expect((await redeem(t, 'ONCE15', customer(t, 'C1'), order(130, 15))).status).toBe(201);

    const r = await qualify(t, customer(t, 'C1'));
    expect(r.status).toBe(200);
    expect(r.body.map((row: Row) => [row.code, row.applicable, row.discount.amount, row.freeShipping])).toEqual([
      ['SHOES50', true, 25, false], // 50 % of the shoes line only (§11)
      ['ABS20', true, 20, false],
      ['PCT10TOTAL', true, 13, false], // TOTAL: the order total of 130
      ['PCT10', true, 12, false], // SUBTOTAL: the lines of 120
      ['FREESHIP', true, 0, true],
      ['MIN40', false, 40, false],
      ['USED30', false, 30, false],
      ['ONCE15', false, 15, false],
      ['TOYS', false, 0, false],
      ['USD10', false, 0, false],
    ]);
    const reasons = Object.fromEntries(r.body.map((row: Row) => [row.code, row.reasons.map((x) => `${x.type}@${x.field}`)]));
    expect(reasons).toMatchObject({
      SHOES50: [],
      MIN40: ['min_order_value_not_reached@restrictions.minOrderValue.amount'],
      USED30: ['max_redemptions_reached@maxRedemptions'],
      ONCE15: ['max_redemptions_per_customer_reached@maxRedemptionsPerCustomer'],
      TOYS: ['no_qualifying_items@restrictions.includedCategories'],
      USD10: ['currency_mismatch@orderTotal.currency'],
    });
    expect(r.body.find((row: Row) => row.code === 'USED30')!.status).toBe('USED');
    expect(r.body.every((row: Row) => row.discount.currency === 'EUR')).toBe(true);
    // The per-customer limit is per customer: another one may still use ONCE15.
    const other = await qualify(t, customer(t, 'C2'));
    expect(other.body.find((row: Row) => row.code === 'ONCE15')).toMatchObject({ applicable: true, reasons: [] });
    // Qualifications write nothing.
    expect((await call(h, 'GET', `/coupon/${t}/coupons/ONCE15`, manager(t))).body.redemptionCount).toBe(1);
  });

  it('offers an automatic coupon to every eligible customer without its code, and it may be redeemed so', async () => {
    const t = freshTenant();
    const membership: Record<string, FakeSegment[]> = {
      VIP1: [{ id: 'vip', status: 'ACTIVE' }],
      STAFF1: [
        { id: 'vip', status: 'ACTIVE' },
        { id: 'staff', status: 'ACTIVE' },
      ],
    };
    h.stub.respond(segmentService(t, membership));
    await create(t, 'AUTOVIP', { automatic: true, segmentRestricted: true, restrictions: { segments: ['vip'] } });
    await create(t, 'NOSTAFF', { automatic: true, discountAbsolute: money(5), restrictions: { excludedSegments: ['staff'] } });
    for (let i = 1; i <= 5; i++)
      await create(t, `SEG${i}`, { automatic: true, segmentRestricted: true, restrictions: { segments: [`s${i}`] } });
    await create(t, 'PLAIN', { automatic: true, discountAbsolute: money(1) });

    const vip = await qualify(t, customer(t, 'VIP1'));
    expect(vip.body.find((row: Row) => row.code === 'AUTOVIP')).toMatchObject({ applicable: true, reasons: [] });
    expect(vip.body.find((row: Row) => row.code === 'NOSTAFF')).toMatchObject({ applicable: true });
    // One segment call for the whole request, asking every candidate's ids at once (both lists).
    expect(h.stub.requests).toHaveLength(1);
    expect(idsOfQ(h.stub.requests[0].query.get('q')).sort()).toEqual(['s1', 's2', 's3', 's4', 's5', 'staff', 'vip']);
    expect(h.stub.requests[0].query.get('customerId')).toBe('VIP1');

    const nobody = await qualify(t, customer(t, 'NOBODY'));
    expect(nobody.body.find((row: Row) => row.code === 'AUTOVIP')).toMatchObject({
      applicable: false,
      reasons: [{ field: 'restrictions.segments', type: 'customer_not_in_segment' }],
    });
    const staff = await qualify(t, customer(t, 'STAFF1'));
    expect(staff.body.find((row: Row) => row.code === 'NOSTAFF')).toMatchObject({
      applicable: false,
      reasons: [{ field: 'restrictions.excludedSegments', type: 'customer_in_excluded_segment' }],
    });
    expect(h.stub.requests).toHaveLength(3);
    // The customer never named AUTOVIP; it redeems it with the code the answer gave.
    expect((await redeem(t, 'AUTOVIP', customer(t, 'VIP1'), order(130, 10))).status).toBe(201);
    expect((await redeem(t, 'AUTOVIP', customer(t, 'NOBODY'), order(130, 10))).body.details[0].type).toBe('customer_not_in_segment');
    // A guest: no segment call; segment-restricted ones fail R4 and R12.
    h.stub.reset();
    const guest = await qualify(t, anonymous(t));
    expect(guest.body.find((row: Row) => row.code === 'AUTOVIP')!.reasons.map((x: { type: string }) => x.type)).toEqual([
      'anonymous_not_allowed',
      'customer_not_in_segment',
    ]);
    expect(h.stub.requests).toHaveLength(0);
  });

  it('asks the segment service once per request however many coupons, and fails closed with 503', async () => {
    const t = freshTenant();
    h.stub.respond(segmentService(t, { M: [{ id: 'g7', status: 'ACTIVE' }] }));
    for (let i = 0; i < 30; i++) {
      await create(t, `G${i}`, { automatic: true, segmentRestricted: true, restrictions: { segments: [`g${i}`, 'shared'] } });
    }
    const ok = await qualify(t, customer(t, 'M'));
    expect(ok.body.filter((row: Row) => row.applicable).map((row: Row) => row.code)).toEqual(['G7']);
    expect(h.stub.requests).toHaveLength(1); // 31 ids fit one call of at most 50
    h.stub.reset();
    const failures: Array<Parameters<Harness['stub']['respond']>[0]> = [
      () => ({ status: 500, json: {} }),
      () => ({ status: 200, raw: 'oops' }),
      () => ({ reset: true }),
    ];
    for (const failure of failures) {
      h.stub.respond(failure);
      const down = await qualify(t, customer(t, 'M'));
      expect(down.status).toBe(503);
      expect(down.body).toEqual(UNAVAILABLE);
    }
    // No candidate needs membership (a guest, or a tenant without segment coupons): the peer is not asked.
    h.stub.reset();
    expect((await qualify(t, anonymous(t))).status).toBe(200);
    const plain = freshTenant();
    await create(plain, 'P', { automatic: true });
    expect((await qualify(plain, customer(plain, 'M'))).status).toBe(200);
    expect(h.stub.requests).toHaveLength(0);
  });

  it('keeps tenants apart: another tenant’s coupons never appear, and a token of another tenant is 403', async () => {
    const a = freshTenant();
    const b = freshTenant();
    await create(a, 'ONLYA', { automatic: true });
    await create(b, 'ONLYB');
    expect(await codesOf(b, manager(b))).toEqual(['ONLYB']);
    expect(await codesOf(b, customer(b, 'C1'), { cart: CART, codes: ['ONLYA'] })).toEqual([]);
    expect(await codesOf(a, customer(a, 'C1'))).toEqual(['ONLYA']);
    expectCouponError(await qualify(b, customer(a, 'C1')), 403, 'insufficient_permissions');
    expectCouponError(await qualify(b, manager(a)), 403, 'insufficient_permissions');
    expectCouponError(await qualify('X', manager(a)), 403, 'insufficient_permissions');
    expect((await qualify(a, null)).status).toBe(401);
    expectCouponError(await qualify(a, { tenant: a, scopes: ['customersegment.segment_read'] }), 403, 'insufficient_permissions');
  });

  it('rejects bad input with every problem listed (ERR-6)', async () => {
    const t = freshTenant();
    const who = customer(t, 'C1');
    const problems = async (body: unknown, query = '') => {
      const r = await qualify(t, who, body, query);
      expectCouponError(r, 400, 'validation_violation');
      return fields(r);
    };
    const none = await call(h, 'POST', `/coupon/${t}/qualifications`, who);
    expect(none.body.details).toEqual([{ type: 'missing_payload', message: 'A request body is required.' }]);
    expect(await problems({})).toEqual(['cart/missing_value']);
    expect(await problems({ cart: 'full' })).toEqual(['cart/invalid_value']);
    expect(await problems({ cart: { total: money(10), items: {} } })).toEqual(['cart.items/invalid_value']);
    expect(await problems({ cart: { total: money(10), items: [] } })).toEqual(['cart.items/missing_value']);
    expect(await problems({ cart: { items: [item('P', 1)] } })).toEqual(['cart.total/missing_value']);
    expect(
      await problems({
        cart: {
          total: money(-1),
          items: [
            { categoryIds: ['', 5], quantity: 0, price: money(-2) },
            { productId: 'P2', quantity: 1.5, price: { amount: 1 } },
            { productId: 'P3', quantity: 1 },
          ],
        },
      }),
    ).toEqual([
      'cart.items[0].categoryIds[0]/invalid_value',
      'cart.items[0].categoryIds[1]/invalid_value',
      'cart.items[0].price.amount/invalid_value',
      'cart.items[0].productId/missing_value',
      'cart.items[0].quantity/invalid_value',
      'cart.items[1].price.currency/missing_value',
      'cart.items[1].quantity/invalid_value',
      'cart.items[2].price/missing_value',
      'cart.total.amount/invalid_value',
    ]);
    expect(await problems({ cart: { total: money(10, 'QQQ'), items: [item('P', 1, 1, [], 'QQQ')] } })).toEqual([
      'cart.items[0].price.currency/invalid_value',
      'cart.total.currency/invalid_value',
    ]);
    expect(await problems({ cart: { total: money(10, 'eur'), items: [item('P', 1)] } })).toEqual(['cart.total.currency/invalid_value']);
    expect(await problems({ cart: { total: money(10), items: [item('P', 1), item('Q', 1, 1, [], 'USD'), item('R', 1)] } })).toEqual([
      'cart.items[1].price.currency/conflicting_values',
    ]);
    const lines = Array.from({ length: 501 }, (_, i) => item(`P${i}`, 1));
    expect(await problems({ cart: { total: money(501), items: lines } })).toEqual(['cart.items/invalid_value']);
    expect((await qualify(t, who, { cart: { total: money(500), items: lines.slice(0, 500) } })).status).toBe(200);
    const codes = Array.from({ length: 21 }, (_, i) => `CODE${i}`);
    expect(await problems({ cart: CART, codes })).toEqual(['codes/invalid_value']);
    expect((await qualify(t, who, { cart: CART, codes: [...codes.slice(0, 20), 'CODE0'] })).status).toBe(200);
    expect(await problems({ cart: CART, codes: ['no spaces', 7] })).toEqual(['codes[0]/invalid_value', 'codes[1]/invalid_value']);
    expect(await problems({ cart: CART, codes: 'A' })).toEqual(['codes/invalid_value']);
    expect(await problems({ cart: { ...CART, items: [{ ...item('P', 1), quantity: 1_000_001 }] } })).toEqual([
      'cart.items[0].quantity/invalid_value',
    ]);
    // Query: paging as in lists; q over the fields the caller may see.
    expect(await problems({ cart: CART }, '?pageSize=0')).toEqual(['pageSize/invalid_query_parameter']);
    expect(await problems({ cart: CART }, '?q=redemptionCount:>1')).toEqual(['q/invalid_query_parameter']);
    expect(await problems({ cart: CART }, '?q=restrictions.validFor:C1')).toEqual(['q/invalid_query_parameter']);
    expect(await problems({ cart: CART }, '?q=nope:1')).toEqual(['q/invalid_query_parameter']);
    expect((await qualify(t, who, { cart: CART }, '?q=status:VALID%20automatic:true')).status).toBe(200);
  });

  it('is in the OpenAPI document, as are the validation options', async () => {
    const doc = (await call(h, 'GET', '/coupon/openapi.json', null)).body;
    const op = doc.paths['/coupon/{tenant}/qualifications'].post;
    expect(op.operationId).toBe('qualifyCoupons');
    expect(Object.keys(op.responses).sort()).toEqual(expect.arrayContaining(['200', '400', '401', '403', '503']));
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'pageSize', 'pageNumber', 'totalCount']),
    );
    expect(op.parameters.map((p: { name: string }) => p.name)).not.toContain('sort');
    const validation = doc.paths['/coupon/{tenant}/coupons/{code}/validation'].post;
    expect(validation.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['quote', 'explain']));
  });

  it('pages the answer, counts it on request, narrows it with q, and refuses more than 1000 candidates', async () => {
    const t = freshTenant();
    for (const [code, amount] of [
      ['A', 1],
      ['B', 2],
      ['C', 3],
      ['D', 4],
      ['E', 5],
    ] as const) {
      await create(t, code, { automatic: true, discountAbsolute: money(amount) });
    }
    const page = await qualify(t, customer(t, 'C1'), { cart: CART }, '?pageSize=2&pageNumber=2&totalCount=true');
    expect(page.body.map((row: Row) => row.code)).toEqual(['C', 'B']);
    expect(page.headers.get('x-total-count')).toBe('5');
    expect(page.headers.get('items-count')).toBe('5');
    const counted = await call(
      h,
      'POST',
      `/coupon/${t}/qualifications?pageSize=1`,
      customer(t, 'C1'),
      { cart: CART },
      { 'x-total-count': 'true' },
    );
    expect(counted.body.map((row: Row) => row.code)).toEqual(['E']);
    expect(counted.headers.get('x-total-count')).toBe('5');
    expect((await qualify(t, customer(t, 'C1'))).headers.get('x-total-count')).toBeNull();
    expect((await qualify(t, customer(t, 'C1'), { cart: CART }, '?pageNumber=9')).body).toEqual([]);
    expect((await qualify(t, manager(t), { cart: CART }, '?q=discountAbsolute.amount:>=4')).body.map((row: Row) => row.code)).toEqual([
      'E',
      'D',
    ]);

    // Candidates beyond 1000 (written directly: the cap is about the read, not about how coupons were made).
    const now = new Date();
    const docs = Array.from({ length: 1001 }, (_, i) => ({
      _id: `BULK${String(i).padStart(4, '0')}`,
      name: 'bulk',
      discountType: 'ABSOLUTE',
      discountAbsolute: money(1),
      discountCalculationType: 'SUBTOTAL',
      allowAnonymous: false,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      categoryRestricted: false,
      segmentRestricted: false,
      automatic: true,
      restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [] },
      metadata: { version: 0, createdAt: now, modifiedAt: now },
      redemptionCount: 0,
      remaining: -1,
      leCounts: {},
      referralCoupon: false,
      deleted: false,
    }));
    await (await h.registry.forWrite(t, COUPON_ENTITY)).collection.insertMany(docs as never[]);
    const tooMany = await qualify(t, manager(t));
    expectCouponError(tooMany, 400, 'validation_violation');
    expect(tooMany.body.details).toEqual([
      { field: 'q', type: 'invalid_query_parameter', message: 'More than 1000 coupons are candidates; narrow them with q.' },
    ]);
    expectCouponError(await qualify(t, customer(t, 'C1')), 400, 'validation_violation');
    const narrowed = await qualify(t, customer(t, 'C1'), { cart: CART }, '?q=code:~^BULK00&totalCount=true');
    expect(narrowed.status).toBe(200);
    expect(narrowed.headers.get('x-total-count')).toBe('100');
  });
});
