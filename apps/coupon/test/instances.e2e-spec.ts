import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { USAGE_ENTITY } from '../src/redemptions/customer-usage.schema';
import { REDEMPTION_ENTITY } from '../src/redemptions/redemption.schema';
import { call, couponBody, customer, Harness, manager, onBehalf, order, startHarness } from './support';

const T = 'cpninst';
const base = `/coupon/${T}/coupons`;
const ROUNDS = Number(process.env.COUPON_RACE_ROUNDS_INSTANCES ?? 3);

/**
 * §9.4 "on any number of service instances": two apps on one database, each sharing its commands
 * among its own concurrent requests (README "Figures"), race on the same coupons. The limits hold
 * for their sum and the three books agree, exactly as with one command per request.
 */
describe('redemption bookkeeping across two instances (§9.4)', () => {
  jest.setTimeout(240_000);
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startHarness((c) => c, { COUPON_SETTINGS_CACHE_MS: '60000' });
    b = await startHarness((c) => c, { COUPON_SETTINGS_CACHE_MS: '60000' }, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  async function books(code: string) {
    const coupon = (await a.registry.model(T, COUPON_ENTITY).findById(code).lean().exec())!;
    const records = await a.registry.model(T, REDEMPTION_ENTITY).countDocuments({ code }).exec();
    const counters = await a.registry.model(T, USAGE_ENTITY).find({ code }).lean().exec();
    return { coupon, records, counters };
  }

  async function newCoupon(overrides: Record<string, unknown>): Promise<string> {
    const r = await call(a, 'POST', base, manager(T), couponBody(overrides));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id;
  }

  const statuses = (rs: Array<{ status: number; body: { details?: Array<{ type: string }> } }>) => {
    const out: Record<string, number> = {};
    for (const r of rs) {
      const key = r.status === 201 ? '201' : `${r.status}:${r.body?.details?.[0]?.type ?? ''}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };

  it(`300 redemptions over two instances of a coupon with maxRedemptions=40 give exactly 40 (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon({ maxRedemptions: 40 });
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          call(
            i % 2 ? a : b,
            'POST',
            `${base}/${code}/redemptions`,
            onBehalf(T),
            order(50, 5, 'EUR', { customerNumber: `C${i % 7}`, legalEntityId: i % 3 ? undefined : 'LE-1', orderCode: `I${round}-${i}` }),
          ),
        ),
      );
      expect(statuses(results)).toEqual({ '201': 40, '400:max_redemptions_reached': 260 });
      const books40 = await books(code);
      expect(books40.coupon).toMatchObject({ redemptionCount: 40, remaining: 0 });
      expect(books40.records).toBe(40);
      expect(books40.counters.reduce((n, c) => n + c.count, 0)).toBe(40);
      const leRecords = await a.registry.model(T, REDEMPTION_ENTITY).countDocuments({ code, legalEntityId: 'LE-1' }).exec();
      expect(Object.values(books40.coupon.leCounts ?? {}).reduce((n, c) => n + c, 0)).toBe(leRecords);
    }
  });

  it(`one customer's 120 redemptions over two instances with maxRedemptionsPerCustomer=5 give exactly 5 (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await newCoupon({ maxRedemptionsPerCustomer: 5 });
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          call(
            i % 2 ? a : b,
            'POST',
            `${base}/${code}/redemptions`,
            customer(T, 'SOLO'),
            order(50, 5, 'EUR', { orderCode: `S${round}-${i}` }),
          ),
        ),
      );
      expect(statuses(results)).toEqual({ '201': 5, '400:max_redemptions_per_customer_reached': 115 });
      const soloBooks = await books(code);
      expect(soloBooks.coupon.redemptionCount).toBe(5);
      expect(soloBooks.records).toBe(5);
      expect(soloBooks.counters).toEqual([expect.objectContaining({ customerNumber: 'SOLO', count: 5 })]);
    }
  });

  it('a repeated order sent to both instances at once is stored once; the other gets 409 and counts nothing', async () => {
    const code = await newCoupon({ maxRedemptions: 100 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(
          i % 2 ? a : b,
          'POST',
          `${base}/${code}/redemptions`,
          onBehalf(T),
          order(50, 5, 'EUR', { customerNumber: `D${i}`, orderCode: 'SAME' }),
        ),
      ),
    );
    expect(statuses(results)).toEqual({ '201': 1, '409:': 39 });
    const dupBooks = await books(code);
    expect(dupBooks.coupon.redemptionCount).toBe(1);
    expect(dupBooks.records).toBe(1);
    expect(dupBooks.counters.reduce((n, c) => n + c.count, 0)).toBe(1);
  });
});
