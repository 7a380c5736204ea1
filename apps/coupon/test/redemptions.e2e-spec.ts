import { OutboxRepository } from '@suite/persistence';
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
  S,
  startHarness,
  uniqueCode,
} from './support';

const T = 'cpnredeem';
const base = `/coupon/${T}/coupons`;

describe('validation and redemption (operations 7–11, rules R1–R11)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const create = async (overrides: Record<string, unknown> = {}): Promise<string> => {
    const r = await call(h, 'POST', base, manager(T), couponBody({ code: uniqueCode('R'), ...overrides }));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id;
  };
  const validate = (code: string, who: Parameters<typeof call>[3], body: unknown) =>
    call(h, 'POST', `${base}/${code}/validation`, who, body);
  const redeem = (code: string, who: Parameters<typeof call>[3], body?: unknown) =>
    call(h, 'POST', `${base}/${code}/redemptions`, who, body);
  const coupon = async (code: string) => (await call(h, 'GET', `${base}/${code}`, manager(T))).body;

  describe('each refusal reason, from validation and from redemption alike', () => {
    const past = '2000-01-01T00:00:00Z';
    const future = '2099-01-01T00:00:00Z';
    const cases: Array<[string, string, Record<string, unknown>, unknown, string, string]> = [
      ['R1', 'coupon_not_yet_valid', { restrictions: { validFrom: future } }, order(50, 5), 'C1', 'restrictions.validFrom'],
      ['R2', 'coupon_expired', { restrictions: { validUntil: past } }, order(50, 5), 'C1', 'restrictions.validUntil'],
      ['R5', 'customer_not_eligible', { restrictions: { validFor: ['C2'] } }, order(50, 5), 'C1', 'restrictions.validFor'],
      ['R8', 'currency_mismatch', {}, order(50, 5, 'USD'), 'C1', 'orderTotal.currency'],
      [
        'R9',
        'currency_mismatch',
        { discountType: 'PERCENT', discountPercentage: 10, restrictions: { minOrderValue: { amount: 20, currency: 'USD' } } },
        order(50, 5),
        'C1',
        'restrictions.minOrderValue.currency',
      ],
      [
        'R10',
        'min_order_value_not_reached',
        { restrictions: { minOrderValue: { amount: 49.99, currency: 'EUR' } } },
        order(49.98, 5),
        'C1',
        'restrictions.minOrderValue.amount',
      ],
      ['R11 absolute', 'discount_exceeds_coupon_value', {}, order(50, 10.02), 'C1', 'discount.amount'],
      [
        'R11 percent',
        'discount_exceeds_coupon_value',
        { discountType: 'PERCENT', discountPercentage: 10 },
        order(33.33, 3.35),
        'C1',
        'discount.amount',
      ],
      ['R11 above total', 'discount_exceeds_coupon_value', { discountType: 'FREE_SHIPPING' }, order(4, 4.5), 'C1', 'discount.amount'],
    ];
    it.each(cases)('%s gives %s', async (_rule, reason, overrides, body, who, field) => {
      const code = await create(overrides);
      const v = await validate(code, customer(T, who), body);
      expectRefusal(v, reason, field);
      expect(v.body.message).toMatch(new RegExp(`^Coupon ${code} cannot be redeemed: .+\\.$`));
      expectRefusal(await redeem(code, customer(T, who), body), reason, field);
      expect((await coupon(code)).redemptionCount).toBe(0);
    });

    it('R2 renders the example message of §8', async () => {
      const code = await create({ restrictions: { validUntil: '2026-02-28T23:59:59.999Z' } });
      const v = await validate(code, customer(T, 'C1'), order(50, 5));
      // Skip the wording check if the test clock is before that date: then R2 cannot fail.
      if (Date.now() > Date.parse('2026-02-28T23:59:59.999Z')) {
        expect(v.body).toEqual({
          status: 400,
          type: 'coupon_not_redeemable',
          message: `Coupon ${code} cannot be redeemed: it expired at 2026-02-28T23:59:59.999Z.`,
          details: [{ field: 'restrictions.validUntil', type: 'coupon_expired', message: 'Coupon expired at 2026-02-28T23:59:59.999Z' }],
        });
      } else expect(v.status).toBe(200);
    });

    it('R3 max_redemptions_reached, and deleting a redemption gives the use back', async () => {
      const code = await create({ maxRedemptions: 1 });
      const first = await redeem(code, customer(T, 'C1'), order(50, 5));
      expect(first.status).toBe(201);
      expectRefusal(await validate(code, customer(T, 'C2'), order(50, 5)), 'max_redemptions_reached', 'maxRedemptions');
      expectRefusal(await redeem(code, customer(T, 'C2'), order(50, 5)), 'max_redemptions_reached', 'maxRedemptions');
      expect((await coupon(code)).status).toBe('USED');
      expect((await call(h, 'DELETE', `${base}/${code}/redemptions/${first.body.id}`, manager(T))).status).toBe(204);
      expect((await coupon(code)).status).toBe('VALID');
      expect((await redeem(code, customer(T, 'C2'), order(50, 5))).status).toBe(201);
    });

    it('R4 anonymous_not_allowed; anonymous redemption works when allowed', async () => {
      const closed = await create();
      expectRefusal(await validate(closed, anonymous(T), order(50, 5)), 'anonymous_not_allowed', 'allowAnonymous');
      // A service token with on-behalf scope and no customerNumber is a guest too.
      expectRefusal(await redeem(closed, onBehalf(T), order(50, 5)), 'anonymous_not_allowed', 'allowAnonymous');
      const open = await create({ allowAnonymous: true });
      expect((await validate(open, anonymous(T), order(50, 5))).status).toBe(200);
      const r = await redeem(open, anonymous(T), order(50, 5));
      expect(r.status).toBe(201);
      const rec = await call(h, 'GET', `${base}/${open}/redemptions/${r.body.id}`, manager(T));
      expect(rec.body).not.toHaveProperty('customerNumber');
      // Anonymous redemptions can only be read with coupon_manage.
      expectCouponError(await call(h, 'GET', `${base}/${open}/redemptions/${r.body.id}`, anonymous(T)), 403, 'insufficient_permissions');
    });

    it('R6 referral_self_redemption: the owner cannot redeem their own referral coupon, others can', async () => {
      const ref = await call(h, 'POST', `/coupon/${T}/referral-coupons/OWNER1`, customer(T, 'OWNER1'));
      const code = ref.body.code;
      const body = order(50, 5, 'EUR');
      expectRefusal(await validate(code, customer(T, 'OWNER1'), body), 'referral_self_redemption', 'issuedTo');
      expectRefusal(await redeem(code, onBehalf(T), { ...body, customerNumber: 'OWNER1' }), 'referral_self_redemption', 'issuedTo');
      expect((await redeem(code, customer(T, 'FRIEND'), body)).status).toBe(201);
      expect((await redeem(code, anonymous(T), body)).status).toBe(201);
    });

    it('R7 max_redemptions_per_customer_reached, counted per legal entity with "none" as its own bucket', async () => {
      const code = await create({ maxRedemptionsPerCustomer: 1 });
      const b2b = (le?: string) => customer(T, 'C7', le ? { legalEntityId: le } : {});
      expect((await redeem(code, b2b(), order(50, 5))).status).toBe(201);
      expectRefusal(await validate(code, b2b(), order(50, 5)), 'max_redemptions_per_customer_reached', 'maxRedemptionsPerCustomer');
      expectRefusal(await redeem(code, b2b(), order(50, 5)), 'max_redemptions_per_customer_reached', 'maxRedemptionsPerCustomer');
      expect((await redeem(code, b2b('LE-1'), order(50, 5))).status).toBe(201);
      expectRefusal(await redeem(code, b2b('LE-1'), order(50, 5)), 'max_redemptions_per_customer_reached');
      expect((await redeem(code, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'C7', legalEntityId: 'LE.2' }))).status).toBe(201);
      expect((await redeem(code, customer(T, 'C8'), order(50, 5))).status).toBe(201);
      const c = await coupon(code);
      expect(c.redemptionCount).toBe(4);
      expect(c.legalEntityRedemptions).toEqual([
        { legalEntityId: 'LE-1', count: 1 },
        { legalEntityId: 'LE.2', count: 1 },
      ]);
    });

    // A redemption reads nothing before its writes that the writes decide (README "Figures"): the
    // answers stay those of the rule order and of §1.5 step 6.
    it('R7 comes before a later failing rule, and a repeated order is 409 once the customer or the coupon is used up', async () => {
      const code = await create({ maxRedemptionsPerCustomer: 1, restrictions: { minOrderValue: { amount: 40, currency: 'EUR' } } });
      expect((await redeem(code, customer(T, 'C9'), order(50, 5, 'EUR', { orderCode: 'R7-A' }))).status).toBe(201);
      // R7 and R10 both fail: R7 is the answer, on validation and on redemption alike.
      expectRefusal(await validate(code, customer(T, 'C9'), order(30, 3)), 'max_redemptions_per_customer_reached');
      expectRefusal(await redeem(code, customer(T, 'C9'), order(30, 3)), 'max_redemptions_per_customer_reached');
      expectRefusal(await redeem(code, customer(T, 'C9'), order(50, 5)), 'max_redemptions_per_customer_reached');
      // The checkout retry of the recorded order: 409, not the refusal of the full counter.
      expectCouponError(await redeem(code, customer(T, 'C9'), order(50, 5, 'EUR', { orderCode: 'R7-A' })), 409, 'conflict_resource');
      const once = await create({ maxRedemptions: 1 });
      expect((await redeem(once, customer(T, 'C1'), order(50, 5, 'EUR', { orderCode: 'R3-A' }))).status).toBe(201);
      expectRefusal(await redeem(once, customer(T, 'C2'), order(50, 5, 'EUR', { orderCode: 'R3-B' })), 'max_redemptions_reached');
      expectCouponError(await redeem(once, customer(T, 'C1'), order(50, 5, 'EUR', { orderCode: 'R3-A' })), 409, 'conflict_resource');
      expect(await coupon(code)).toMatchObject({ redemptionCount: 1 });
      expect(await coupon(once)).toMatchObject({ redemptionCount: 1 });
    });

    it('checks in the fixed order: the first failing check wins', async () => {
      // Expired AND not yet... R1 before R2; R2 before R3; R3 before R4; R8 before R10.
      const both = await create({
        restrictions: { validFrom: '2098-01-01T00:00:00Z', validUntil: '2099-01-01T00:00:00Z' },
        maxRedemptions: 1,
      });
      expectRefusal(await validate(both, anonymous(T), order(1, 5, 'USD')), 'coupon_not_yet_valid');
      const expired = await create({
        restrictions: { validUntil: '2000-01-01T00:00:00Z', minOrderValue: { amount: 100, currency: 'EUR' } },
      });
      expectRefusal(await validate(expired, anonymous(T), order(1, 5, 'USD')), 'coupon_expired');
      const used = await create({ maxRedemptions: 1 });
      await redeem(used, customer(T, 'C1'), order(50, 5));
      expectRefusal(await validate(used, anonymous(T), order(1, 5, 'USD')), 'max_redemptions_reached');
      const listed = await create({ restrictions: { validFor: ['C2'], minOrderValue: { amount: 100, currency: 'EUR' } } });
      expectRefusal(await validate(listed, anonymous(T), order(1, 5, 'USD')), 'anonymous_not_allowed');
      expectRefusal(await validate(listed, customer(T, 'C1'), order(1, 5, 'USD')), 'customer_not_eligible');
      expectRefusal(await validate(listed, customer(T, 'C2'), order(1, 50, 'USD')), 'currency_mismatch', 'orderTotal.currency');
      expectRefusal(await validate(listed, customer(T, 'C2'), order(1, 50, 'EUR')), 'min_order_value_not_reached');
      expectRefusal(await validate(listed, customer(T, 'C2'), order(100, 50, 'EUR')), 'discount_exceeds_coupon_value');
      expect((await validate(listed, customer(T, 'C2'), order(100, 10, 'EUR'))).status).toBe(200);
    });

    it(
      'accepts boundary values: order exactly at the minimum, discount ' + 'within the 0.01 tolerance, zero minimum, zero discount',
      async () => {
        const code = await create({
          discountAbsolute: { amount: 24.99, currency: 'USD' },
          restrictions: { minOrderValue: { amount: 49.99, currency: 'USD' } },
        });
        expect((await validate(code, customer(T, 'C1'), order(49.99, 25.0, 'USD'))).status).toBe(200);
        expectRefusal(await validate(code, customer(T, 'C1'), order(49.99, 25.01, 'USD')), 'discount_exceeds_coupon_value');
        const pct = await create({
          discountType: 'PERCENT',
          discountPercentage: 12.5,
          restrictions: { minOrderValue: { amount: 0, currency: 'USD' } },
        });
        expect((await validate(pct, customer(T, 'C1'), order(0.3, 0.0475, 'EUR'))).status).toBe(200); // 0.0375 + 0.01
        expectRefusal(await validate(pct, customer(T, 'C1'), order(0.3, 0.0476, 'EUR')), 'discount_exceeds_coupon_value');
        expect((await validate(pct, customer(T, 'C1'), order(0, 0, 'EUR'))).status).toBe(200);
        // 0.1 + 0.2 must not be read as 0.30000000000000004.
        const exact = await create({ discountAbsolute: { amount: 0.29, currency: 'EUR' } });
        expect((await validate(exact, customer(T, 'C1'), order(1, 0.3, 'EUR'))).status).toBe(200);
      },
    );

    it('validation writes nothing and answers 200 with an empty body', async () => {
      const code = await create({ maxRedemptions: 1, maxRedemptionsPerCustomer: 1 });
      for (let i = 0; i < 3; i++) {
        const v = await validate(code, customer(T, 'C1'), order(50, 5, 'EUR', { orderCode: 'O-1' }));
        expect(v.status).toBe(200);
        expect(v.text).toBe('');
      }
      const c = await coupon(code);
      expect(c).toMatchObject({ redemptionCount: 0, metadata: { version: 0 }, status: 'VALID' });
      expect((await call(h, 'GET', `${base}/${code}/redemptions`, manager(T))).body).toEqual([]);
    });
  });

  describe('redemption records', () => {
    it('201 {id, yrn} with Location; the record holds the resolved customer; the version does not change', async () => {
      const code = await create();
      const r = await redeem(code, customer(T, 'C1', { legalEntityId: 'LE-7' }), order(120, 10, 'EUR', { orderCode: 'ORD-1' }));
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), yrn: `urn:yaas:saasag:coupon:redemption:${T};${r.body.id}` });
      expect(r.headers.get('location')).toBe(`${base}/${code}/redemptions/${r.body.id}`);
      const rec = await call(h, 'GET', `${base}/${code}/redemptions/${r.body.id}`, manager(T));
      expect(rec.body).toEqual({
        id: r.body.id,
        code,
        orderCode: 'ORD-1',
        customerNumber: 'C1',
        legalEntityId: 'LE-7',
        orderTotal: { amount: 120, currency: 'EUR' },
        discount: { amount: 10, currency: 'EUR' },
        redeemedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      expect(await coupon(code)).toMatchObject({
        redemptionCount: 1,
        metadata: { version: 0 },
        legalEntityRedemptions: [{ legalEntityId: 'LE-7', count: 1 }],
      });
    });

    it('a second redemption for the same order is 409 and counts nothing; validation ignores duplicates', async () => {
      const code = await create({ maxRedemptions: 5 });
      expect((await redeem(code, customer(T, 'C1'), order(50, 5, 'EUR', { orderCode: 'DUP-1' }))).status).toBe(201);
      expectCouponError(await redeem(code, customer(T, 'C2'), order(50, 5, 'EUR', { orderCode: 'DUP-1' })), 409, 'conflict_resource');
      expect((await validate(code, customer(T, 'C2'), order(50, 5, 'EUR', { orderCode: 'DUP-1' }))).status).toBe(200);
      expect((await redeem(code, customer(T, 'C2'), order(50, 5, 'EUR', { orderCode: 'DUP-2' }))).status).toBe(201);
      expect((await coupon(code)).redemptionCount).toBe(2);
    });

    it('rejects bad bodies with the details §3.5 asks for', async () => {
      const code = await create();
      const missing = await redeem(code, customer(T, 'C1'), {});
      expectCouponError(missing, 400, 'validation_violation');
      expect(missing.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`)).toEqual([
        'discount/missing_value',
        'orderTotal/missing_value',
      ]);
      const partial = await validate(code, customer(T, 'C1'), {
        orderTotal: { amount: 5 },
        discount: { currency: 'eur', amount: -1 },
        orderCode: '',
      });
      expect(partial.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`)).toEqual(
        expect.arrayContaining([
          'discount.amount/invalid_value',
          'discount.currency/invalid_value',
          'orderCode/invalid_value',
          'orderTotal.currency/missing_value',
        ]),
      );
      const mismatch = await redeem(code, customer(T, 'C1'), {
        orderTotal: { amount: 50, currency: 'EUR' },
        discount: { amount: 5, currency: 'USD' },
      });
      expect(mismatch.body.details).toEqual([{ field: 'discount.currency', type: 'conflicting_values', message: expect.any(String) }]);
      expect((await redeem(code, customer(T, 'C1'), '"x"')).body.details[0].type).toBe('malformed_payload');
      expect((await redeem(code, customer(T, 'C1'))).body.details[0].type).toBe('missing_payload');
      expectCouponError(await redeem('NOSUCHCODE', customer(T, 'C1'), order(50, 5)), 404, 'resource_not_found');
    });

    it('applies the effective-customer rules (§2.3): 403 for naming others or inventing legal entities', async () => {
      const code = await create();
      expectCouponError(
        await redeem(code, customer(T, 'C1'), order(50, 5, 'EUR', { customerNumber: 'C2' })),
        403,
        'insufficient_permissions',
      );
      expectCouponError(
        await validate(code, customer(T, 'C1'), order(50, 5, 'EUR', { legalEntityId: 'LE-X' })),
        403,
        'insufficient_permissions',
      );
      expectCouponError(
        await validate(code, customer(T, 'C1', { legalEntityId: 'LE-1' }), order(50, 5, 'EUR', { legalEntityId: 'LE-2' })),
        403,
        'insufficient_permissions',
      );
      expectCouponError(await validate(code, anonymous(T), order(50, 5, 'EUR', { customerNumber: 'C1' })), 403, 'insufficient_permissions');
      // 403 comes before 404 (§1.5).
      expectCouponError(
        await validate('NOSUCHCODE', customer(T, 'C1'), order(50, 5, 'EUR', { customerNumber: 'C2' })),
        403,
        'insufficient_permissions',
      );
      expect(
        (
          await validate(
            code,
            customer(T, 'C1', { legalEntityId: 'LE-1' }),
            order(50, 5, 'EUR', { customerNumber: 'C1', legalEntityId: 'LE-1' }),
          )
        ).status,
      ).toBe(200);
      const ob = await redeem(code, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'C9', legalEntityId: 'LE-9' }));
      expect(ob.status).toBe(201);
      expect((await call(h, 'GET', `${base}/${code}/redemptions/${ob.body.id}`, manager(T))).body).toMatchObject({
        customerNumber: 'C9',
        legalEntityId: 'LE-9',
      });
      // coupon_manage alone may not redeem.
      expectCouponError(await redeem(code, manager(T), order(50, 5, 'EUR', { customerNumber: 'C1' })), 403, 'insufficient_permissions');
    });

    it('lists redemptions newest first with paging, q and counts', async () => {
      const code = await create();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++)
        ids.push((await redeem(code, customer(T, `L${i}`), order(10 * i, 1, 'EUR', { orderCode: `O${i}` }))).body.id);
      const all = await call(h, 'GET', `${base}/${code}/redemptions?totalCount=true`, manager(T));
      expect(all.body.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
      expect(all.headers.get('items-count')).toBe('5');
      const page = await call(h, 'GET', `${base}/${code}/redemptions?pageSize=2&pageNumber=2&sort=orderTotal.amount:asc`, manager(T));
      expect(page.body.map((r: { orderCode: string }) => r.orderCode)).toEqual(['O3', 'O4']);
      const q = await call(
        h,
        'GET',
        `${base}/${code}/redemptions?q=${encodeURIComponent('orderTotal.amount:>=40')}`,
        manager(T),
        undefined,
        { 'x-total-count': 'true' },
      );
      expect(q.body.map((r: { customerNumber: string }) => r.customerNumber).sort()).toEqual(['L4', 'L5']);
      expect(q.headers.get('x-total-count')).toBe('2');
      expectCouponError(await call(h, 'GET', `${base}/${code}/redemptions?q=nope:1`, manager(T)), 400, 'validation_violation');
      expectCouponError(await call(h, 'GET', `${base}/NOSUCH/redemptions`, manager(T)), 404, 'resource_not_found');
    });

    it('reads one redemption: manager any, customer own only, on-behalf for the named customer', async () => {
      const code = await create();
      const mine = (await redeem(code, customer(T, 'C1'), order(50, 5))).body.id;
      expect((await call(h, 'GET', `${base}/${code}/redemptions/${mine}`, customer(T, 'C1'))).status).toBe(200);
      expectCouponError(await call(h, 'GET', `${base}/${code}/redemptions/${mine}`, customer(T, 'C2')), 403, 'insufficient_permissions');
      expect((await call(h, 'GET', `${base}/${code}/redemptions/${mine}?customerNumber=C1`, onBehalf(T))).status).toBe(200);
      expectCouponError(
        await call(h, 'GET', `${base}/${code}/redemptions/${mine}?customerNumber=C2`, onBehalf(T)),
        403,
        'insufficient_permissions',
      );
      expectCouponError(await call(h, 'GET', `${base}/${code}/redemptions/${mine}`, onBehalf(T)), 403, 'insufficient_permissions');
      expectCouponError(
        await call(h, 'GET', `${base}/${code}/redemptions/${mine}?customerNumber=C1`, customer(T, 'C2')),
        403,
        'insufficient_permissions',
      );
      expectCouponError(
        await call(h, 'GET', `${base}/${code}/redemptions/ffffffffffffffffffffffff`, manager(T)),
        404,
        'resource_not_found',
      );
      expectCouponError(await call(h, 'GET', `${base}/${code}/redemptions/not-an-id`, manager(T)), 404, 'resource_not_found');
      const other = await create();
      expectCouponError(await call(h, 'GET', `${base}/${other}/redemptions/${mine}`, manager(T)), 404, 'resource_not_found');
    });

    it('deletes a redemption: 204, use and per-customer allowance given back, 404 the second time', async () => {
      const code = await create({ maxRedemptions: 2, maxRedemptionsPerCustomer: 1 });
      const b2b = customer(T, 'C5', { legalEntityId: 'LE-5' });
      const id = (await redeem(code, b2b, order(50, 5))).body.id;
      expectRefusal(await redeem(code, b2b, order(50, 5)), 'max_redemptions_per_customer_reached');
      expect((await call(h, 'DELETE', `${base}/${code}/redemptions/${id}`, manager(T))).status).toBe(204);
      expect(await coupon(code)).toMatchObject({ redemptionCount: 0, legalEntityRedemptions: [] });
      expectCouponError(await call(h, 'DELETE', `${base}/${code}/redemptions/${id}`, manager(T)), 404, 'resource_not_found');
      expectCouponError(await call(h, 'GET', `${base}/${code}/redemptions/${id}`, manager(T)), 404, 'resource_not_found');
      expect((await redeem(code, b2b, order(50, 5))).status).toBe(201);
    });

    it('emits coupon.* events through the outbox with the manager view as data', async () => {
      const outbox = h.app.app.get(OutboxRepository);
      const code = await create();
      const red = await redeem(code, customer(T, 'C1'), order(50, 5));
      await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: 'Evented' });
      await call(h, 'DELETE', `${base}/${code}/redemptions/${red.body.id}`, manager(T));
      await call(h, 'DELETE', `${base}/${code}`, manager(T));
      const events = (await outbox.forTenant(T)).map((e) => e.event).filter((e) => e.subject === code || e.subject === red.body.id);
      expect(events.map((e) => e.type)).toEqual([
        'coupon.created',
        'coupon.redemption-created',
        'coupon.updated',
        'coupon.redemption-deleted',
        'coupon.deleted',
      ]);
      expect(events[0]).toMatchObject({
        source: '/coupon',
        tenant: T,
        entityversion: 0,
        actortype: 'employee',
        data: { code, name: 'Ten off', redemptionCount: 0, status: 'VALID' },
      });
      expect(events[2]).toMatchObject({ entityversion: 1, data: { name: 'Evented', redemptionCount: 1 } });
      expect(events[1].data).toMatchObject({ id: red.body.id, code, customerNumber: 'C1' });
      expect(events[4].data).toMatchObject({ code, deleted: true });
      // Reads and refused writes emit nothing.
      const before = (await outbox.forTenant(T)).length;
      await coupon(code);
      await redeem(code, customer(T, 'C1'), order(50, 5));
      expect((await outbox.forTenant(T)).length).toBe(before);
    });

    it('validation and redemption need a redeem scope', async () => {
      const code = await create();
      for (const scopes of [[S.manage], [S.read], []]) {
        expectCouponError(await validate(code, { tenant: T, scopes }, order(50, 5)), 403, 'insufficient_permissions');
        expectCouponError(await redeem(code, { tenant: T, scopes }, order(50, 5)), 403, 'insufficient_permissions');
      }
    });
  });
});
