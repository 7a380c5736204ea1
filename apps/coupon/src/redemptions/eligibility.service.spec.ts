import { ApiError } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import type { CustomerSegmentClient, MembershipsQuestion } from '../clients/customer-segment.client';
import type { Coupon } from '../coupons/coupon.types';
import type { CustomerUsageRepository } from './customer-usage.repository';
import { CouponEligibility } from './eligibility.service';

const eur = (amount: number) => ({ amount, currency: 'EUR' });
const now = new Date('2025-06-01T12:00:00.000Z');
const ctx = { tenant: 'acme', requestId: 'r' } as RequestContext;

function coupon(code: string, overrides: Partial<Coupon> = {}, restrictions: Partial<Coupon['restrictions']> = {}): Coupon {
  return {
    code,
    name: code,
    discountType: 'ABSOLUTE',
    discountAbsolute: eur(10),
    discountCalculationType: 'SUBTOTAL',
    allowAnonymous: false,
    maxRedemptions: -1,
    maxRedemptionsPerCustomer: -1,
    categoryRestricted: false,
    segmentRestricted: false,
    restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [], ...restrictions },
    metadata: { version: 0, createdAt: now, modifiedAt: now },
    redemptionCount: 0,
    legalEntityCounts: {},
    referralCoupon: false,
    deleted: false,
    holds: [],
    ...overrides,
  };
}

function setup(memberships: string[], uses: Record<string, number> = {}) {
  const questions: MembershipsQuestion[] = [];
  const segments = {
    activeMemberships: jest.fn(async (_ctx: RequestContext, q: MembershipsQuestion, decided?: (f: ReadonlySet<string>) => boolean) => {
      questions.push(q);
      const found = new Set(memberships.filter((id) => q.segmentIds.includes(id)));
      decided?.(found);
      return found;
    }),
  };
  const usage = {
    count: jest.fn(async (_t: string, key: { code: string }) => uses[key.code] ?? 0),
    countsFor: jest.fn(async (_t: string, _who: unknown, codes: readonly string[]) => new Map(codes.map((c) => [c, uses[c] ?? 0]))),
  };
  const eligibility = new CouponEligibility(segments as unknown as CustomerSegmentClient, usage as unknown as CustomerUsageRepository);
  return { eligibility, segments, usage, questions };
}

const refusalOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: ApiError) => ({ message: e.message, details: e.details.map((d) => `${d.type}@${d.field}`) }),
  );

describe('CouponEligibility.assertRedeemable (validation, redemption, reservations)', () => {
  const request = { now, customer: { customerNumber: 'C1' }, orderTotal: eur(50), discount: eur(5) };
  const both = coupon('BOTH', { segmentRestricted: true }, { segments: ['vip'], excludedSegments: ['staff'] });

  it('answers R12 and R13 from one question holding both lists', async () => {
    const member = setup(['vip']);
    await expect(member.eligibility.assertRedeemable(ctx, both, request)).resolves.toBeUndefined();
    expect(member.questions).toEqual([
      { couponCodes: ['BOTH'], customerNumber: 'C1', legalEntityId: undefined, segmentIds: ['vip', 'staff'], now },
    ]);
    const staff = setup(['vip', 'staff']);
    expect(await refusalOf(staff.eligibility.assertRedeemable(ctx, both, request))).toEqual({
      message: 'Coupon BOTH cannot be redeemed: the customer is in a segment it excludes.',
      details: ['customer_in_excluded_segment@restrictions.excludedSegments'],
    });
    // First mode: R12 before R13, one reason.
    expect((await refusalOf(setup(['staff']).eligibility.assertRedeemable(ctx, both, request)))?.details).toEqual([
      'customer_not_in_segment@restrictions.segments',
    ]);
  });

  it('asks nothing when a local rule already refused, or for a coupon without segment lists', async () => {
    const s = setup(['vip']);
    const expired = coupon('OLD', { segmentRestricted: true }, { segments: ['vip'], validUntil: new Date(0) });
    expect((await refusalOf(s.eligibility.assertRedeemable(ctx, expired, request)))?.details).toEqual([
      'coupon_expired@restrictions.validUntil',
    ]);
    await s.eligibility.assertRedeemable(ctx, coupon('PLAIN'), request);
    expect(s.segments.activeMemberships).not.toHaveBeenCalled();
  });

  it('lists every failing rule in order with explain, asking the segment service even after a local refusal', async () => {
    const s = setup(['staff'], { BOTH: 1 });
    const worst = { ...both, maxRedemptionsPerCustomer: 1, restrictions: { ...both.restrictions, validUntil: new Date(0) } };
    const refused = await refusalOf(s.eligibility.assertRedeemable(ctx, worst, { ...request, discount: eur(20), explain: true }));
    expect(refused?.details).toEqual([
      'coupon_expired@restrictions.validUntil',
      'max_redemptions_per_customer_reached@maxRedemptionsPerCustomer',
      'discount_exceeds_coupon_value@discount.amount',
      'customer_not_in_segment@restrictions.segments',
      'customer_in_excluded_segment@restrictions.excludedSegments',
    ]);
    expect(refused?.message).toBe(
      'Coupon BOTH cannot be redeemed: it expired at 1970-01-01T00:00:00.000Z; ' +
        'the customer has reached the maximum number of redemptions; the claimed discount exceeds the coupon value; ' +
        'the customer is not in any of its segments; the customer is in a segment it excludes.',
    );
    expect(s.questions).toHaveLength(1);
  });

  it('passes the segment service failure (503) through, never treating the coupon as redeemable', async () => {
    const s = setup([]);
    s.segments.activeMemberships.mockRejectedValueOnce(new ApiError('upstream_unavailable', 'down'));
    await expect(s.eligibility.assertRedeemable(ctx, both, request)).rejects.toMatchObject({ httpStatus: 503 });
  });
});

describe('CouponEligibility.refusalsOf (qualifications)', () => {
  const situation = {
    now,
    customer: { customerNumber: 'C1', legalEntityId: 'LE' },
    orderTotal: eur(50),
    items: [{ productId: 'P', categoryIds: ['shoes'], quantity: 1, price: eur(50) }],
  };

  it('reads the usage counters once and asks the segment service once, whatever the number of coupons', async () => {
    const coupons = [
      coupon('A', { maxRedemptionsPerCustomer: 1 }),
      coupon('B', { segmentRestricted: true }, { segments: ['vip'] }),
      coupon('C', {}, { excludedSegments: ['staff', 'vip'] }),
      coupon('D', { segmentRestricted: true, maxRedemptionsPerCustomer: 2 }, { segments: ['gold'] }),
      coupon('E', { categoryRestricted: true }, { includedCategories: ['toys'] }),
    ];
    const s = setup(['vip'], { A: 1, D: 1 });
    const refusals = await s.eligibility.refusalsOf(ctx, coupons, situation);
    expect(Object.fromEntries([...refusals].map(([code, rs]) => [code, rs.map((r) => r.reason)]))).toEqual({
      A: ['max_redemptions_per_customer_reached'],
      B: [],
      C: ['customer_in_excluded_segment'],
      D: ['customer_not_in_segment'],
      E: ['no_qualifying_items'],
    });
    expect(s.usage.countsFor).toHaveBeenCalledTimes(1);
    expect(s.usage.countsFor).toHaveBeenCalledWith('acme', { customerNumber: 'C1', legalEntityId: 'LE' }, ['A', 'D'], now);
    expect(s.questions).toEqual([
      { couponCodes: ['B', 'C', 'D'], customerNumber: 'C1', legalEntityId: 'LE', segmentIds: ['vip', 'staff', 'gold'], now },
    ]);
  });

  it('reads nothing for an anonymous cart', async () => {
    const s = setup(['vip']);
    const refusals = await s.eligibility.refusalsOf(ctx, [coupon('B', { segmentRestricted: true }, { segments: ['vip'] })], {
      ...situation,
      customer: {},
    });
    expect(refusals.get('B')?.map((r) => r.reason)).toEqual(['anonymous_not_allowed', 'customer_not_in_segment']);
    expect(s.usage.countsFor).not.toHaveBeenCalled();
    expect(s.segments.activeMemberships).not.toHaveBeenCalled();
  });
});
