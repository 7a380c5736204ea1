import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { USAGE_ENTITY } from '../src/redemptions/customer-usage.schema';
import { REDEMPTION_ENTITY } from '../src/redemptions/redemption.schema';
import { call, couponBody, customer, Harness, manager, onBehalf, order, startHarness } from './support';

const T = 'cpnrace';
const base = `/coupon/${T}/coupons`;
const ROUNDS = Number(process.env.COUPON_RACE_ROUNDS ?? 10);

/**
 * Coupon §9.4/§9.5 races over real HTTP against one app: fresh coupons per round, every request
 * in flight at once (an undici Agent with 128 connections), then the three books must agree:
 * the coupon's redemptionCount, the stored records and the per-customer counters.
 */
describe('redemption bookkeeping under concurrency (§9.4, §9.5)', () => {
  // Ten rounds of 500 requests are CPU-bound on a shared 2-core machine.
  jest.setTimeout(240_000);
  let h: Harness;
  beforeAll(async () => {
    // Settings are never changed here, so the production cache keeps one read off every request.
    h = await startHarness((c) => c, { COUPON_SETTINGS_CACHE_MS: '60000' });
  });
  afterAll(() => h.close());

  async function books(code: string) {
    const coupon = (await h.registry.model(T, COUPON_ENTITY).findById(code).lean().exec())!;
    const records = await h.registry.model(T, REDEMPTION_ENTITY).countDocuments({ code }).exec();
    const counters = await h.registry.model(T, USAGE_ENTITY).find({ code }).lean().exec();
    return { coupon, records, counterSum: counters.reduce((n, c) => n + c.count, 0), counters };
  }

  async function newCoupon(overrides: Record<string, unknown>): Promise<string> {
    const r = await call(h, 'POST', base, manager(T), couponBody(overrides));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id;
  }

  const tally = (rs: Array<{ status: number; body: { details?: Array<{ type: string }> } }>) => {
    const out: Record<string, number> = {};
    for (const r of rs) {
      const key = r.status === 201 || r.status === 204 ? String(r.status) : `${r.status}:${r.body?.details?.[0]?.type ?? ''}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };

  it(`500 parallel redemptions of a coupon with maxRedemptions=50 give exactly 50 successes (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon({ maxRedemptions: 50 });
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          call(
            h,
            'POST',
            `${base}/${code}/redemptions`,
            onBehalf(T),
            order(50, 5, 'EUR', { customerNumber: `C${i % 200}`, legalEntityId: i % 2 ? 'LE-1' : undefined, orderCode: `R${round}-O${i}` }),
          ),
        ),
      );
      expect(tally(results)).toEqual({ '201': 50, '400:max_redemptions_reached': 450 });
      const b = await books(code);
      expect(b.coupon.redemptionCount).toBe(50);
      expect(b.records).toBe(50);
      expect(b.counterSum).toBe(50);
      expect(b.coupon.remaining).toBe(0);
      const leTotal = Object.values(b.coupon.leCounts ?? {}).reduce((n, c) => n + c, 0);
      const leRecords = await h.registry.model(T, REDEMPTION_ENTITY).countDocuments({ code, legalEntityId: 'LE-1' }).exec();
      expect(leTotal).toBe(leRecords);
      expect((await call(h, 'GET', `${base}/${code}`, manager(T))).body.status).toBe('USED');
    }
  });

  it(`100 parallel redemptions by one customer with maxRedemptionsPerCustomer=3 give exactly 3 successes (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon({ maxRedemptionsPerCustomer: 3 });
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          call(h, 'POST', `${base}/${code}/redemptions`, customer(T, 'SOLO'), order(50, 5, 'EUR', { orderCode: `P${round}-O${i}` })),
        ),
      );
      expect(tally(results)).toEqual({ '201': 3, '400:max_redemptions_per_customer_reached': 97 });
      const b = await books(code);
      expect(b.coupon.redemptionCount).toBe(3);
      expect(b.records).toBe(3);
      expect(b.counters).toHaveLength(1);
      expect(b.counters[0]).toMatchObject({ customerNumber: 'SOLO', legalEntityId: null, count: 3 });
    }
  });

  it(`50 parallel deletes of one redemption give the use back exactly once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon({ maxRedemptions: 2, maxRedemptionsPerCustomer: 1 });
      const b2b = customer(T, 'DEL', { legalEntityId: 'LE-D' });
      const keep = await call(h, 'POST', `${base}/${code}/redemptions`, customer(T, 'OTHER'), order(50, 5));
      const doomed = await call(h, 'POST', `${base}/${code}/redemptions`, b2b, order(50, 5));
      expect([keep.status, doomed.status]).toEqual([201, 201]);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => call(h, 'DELETE', `${base}/${code}/redemptions/${doomed.body.id}`, manager(T))),
      );
      expect(tally(results)).toEqual({ '204': 1, '404:': 49 });
      const b = await books(code);
      expect(b.coupon.redemptionCount).toBe(1);
      expect(b.records).toBe(1);
      expect(b.counterSum).toBe(1);
      expect(b.coupon.remaining).toBe(1);
      expect(b.coupon.leCounts).toEqual({ [Buffer.from('LE-D').toString('hex')]: 0 });
      // The use came back once: the customer may redeem once more, the coupon is then full.
      const again = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          call(h, 'POST', `${base}/${code}/redemptions`, b2b, order(50, 5, 'EUR', { orderCode: `again-${i}` })),
        ),
      );
      expect(tally(again)['201']).toBe(1);
      expect((await books(code)).coupon.redemptionCount).toBe(2);
    }
  });

  it(`parallel redemptions and deletions keep redemptionCount equal to the stored records (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon({ maxRedemptions: 20 });
      const first = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: `M${i}` })),
        ),
      );
      const ids = first.filter((r) => r.status === 201).map((r) => r.body.id as string);
      expect(ids).toHaveLength(20);
      const mixed = await Promise.all([
        ...ids.slice(0, 10).map((id) => call(h, 'DELETE', `${base}/${code}/redemptions/${id}`, manager(T))),
        ...Array.from({ length: 30 }, (_, i) =>
          call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: `N${i}` })),
        ),
      ]);
      const created = mixed.slice(10).filter((r) => r.status === 201).length;
      expect(mixed.slice(0, 10).every((r) => r.status === 204)).toBe(true);
      expect(created).toBeLessThanOrEqual(10);
      const b = await books(code);
      expect(b.records).toBe(10 + created);
      expect(b.coupon.redemptionCount).toBe(b.records);
      expect(b.counterSum).toBe(b.records);
      expect(b.coupon.remaining).toBe(20 - b.records);
    }
  });
});
