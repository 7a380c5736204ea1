import type { Coupon } from '../coupons/coupon.types';
import { firstLocalRefusal, localRefusals, plausibleDiscount, segmentIdsToAsk, segmentRefusals } from './redeemability';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

function coupon(overrides: Partial<Coupon> = {}): Coupon {
  return {
    code: 'C',
    name: 'n',
    discountType: 'ABSOLUTE',
    discountAbsolute: eur(10),
    discountCalculationType: 'SUBTOTAL',
    allowAnonymous: false,
    maxRedemptions: -1,
    maxRedemptionsPerCustomer: -1,
    categoryRestricted: false,
    segmentRestricted: false,
    restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [] },
    metadata: { version: 0, createdAt: new Date(), modifiedAt: new Date() },
    redemptionCount: 0,
    legalEntityCounts: {},
    referralCoupon: false,
    deleted: false,
    holds: [],
    ...overrides,
  };
}

const now = new Date('2025-06-01T12:00:00.000Z');
const reason = (c: Coupon, s: Partial<Parameters<typeof firstLocalRefusal>[1]> = {}) =>
  firstLocalRefusal(c, { now, customer: { customerNumber: 'C1' }, orderTotal: eur(50), discount: eur(5), customerUses: 0, ...s })
    ?.details[0]?.type;

describe('firstLocalRefusal (R1–R11 in order)', () => {
  it('passes a plain coupon and treats window bounds as inclusive', () => {
    expect(reason(coupon())).toBeUndefined();
    expect(reason(coupon({ restrictions: { ...coupon().restrictions, validFrom: now, validUntil: now } }))).toBeUndefined();
  });

  it('reports exactly the first failing rule', () => {
    const r = coupon().restrictions;
    const later = new Date(now.getTime() + 1);
    const earlier = new Date(now.getTime() - 1);
    expect(reason(coupon({ restrictions: { ...r, validFrom: later, validUntil: earlier } }))).toBe('coupon_not_yet_valid');
    expect(reason(coupon({ restrictions: { ...r, validUntil: earlier }, maxRedemptions: 1, redemptionCount: 1 }))).toBe('coupon_expired');
    expect(reason(coupon({ maxRedemptions: 1, redemptionCount: 1 }), { customer: {} })).toBe('max_redemptions_reached');
    expect(reason(coupon({ restrictions: { ...r, validFor: ['C2'] } }), { customer: {} })).toBe('anonymous_not_allowed');
    expect(reason(coupon({ restrictions: { ...r, validFor: ['C2'] } }))).toBe('customer_not_eligible');
    expect(reason(coupon({ referralCoupon: true, issuedTo: 'C1', maxRedemptionsPerCustomer: 1 }), { customerUses: 1 })).toBe(
      'referral_self_redemption',
    );
    expect(reason(coupon({ maxRedemptionsPerCustomer: 2 }), { customerUses: 2, orderTotal: { amount: 1, currency: 'USD' } })).toBe(
      'max_redemptions_per_customer_reached',
    );
    expect(reason(coupon({ restrictions: { ...r, minOrderValue: eur(100) } }), { orderTotal: { amount: 1, currency: 'USD' } })).toBe(
      'currency_mismatch',
    );
    expect(reason(coupon({ discountType: 'FREE_SHIPPING', restrictions: { ...r, minOrderValue: { amount: 1, currency: 'USD' } } }))).toBe(
      'currency_mismatch',
    );
    expect(reason(coupon({ restrictions: { ...r, minOrderValue: eur(50.01) } }), { discount: eur(500) })).toBe(
      'min_order_value_not_reached',
    );
    expect(reason(coupon(), { discount: eur(10.02) })).toBe('discount_exceeds_coupon_value');
  });

  it('skips the per-customer limit for anonymous requests and ignores a zero minimum entirely', () => {
    expect(reason(coupon({ allowAnonymous: true, maxRedemptionsPerCustomer: 1 }), { customer: {}, customerUses: 5 })).toBeUndefined();
    expect(reason(coupon({ restrictions: { ...coupon().restrictions, minOrderValue: { amount: 0, currency: 'USD' } } }))).toBeUndefined();
  });
});

describe('plausibleDiscount (§9.3)', () => {
  it('bounds by the order total, the absolute amount + 0.01 and the percentage + 0.01', () => {
    expect(plausibleDiscount(coupon(), eur(50), eur(10.01))).toBe(true);
    expect(plausibleDiscount(coupon(), eur(50), eur(10.011))).toBe(false);
    expect(plausibleDiscount(coupon(), eur(5), eur(5.01))).toBe(false);
    expect(plausibleDiscount(coupon({ discountType: 'PERCENT', discountPercentage: 10 }), eur(99.99), eur(10.009))).toBe(true);
    expect(plausibleDiscount(coupon({ discountType: 'PERCENT', discountPercentage: 10 }), eur(99.99), eur(10.01))).toBe(false);
    expect(plausibleDiscount(coupon({ discountType: 'FREE_SHIPPING' }), eur(50), eur(50))).toBe(true);
    expect(plausibleDiscount(coupon(), eur(0), eur(0))).toBe(true);
  });
});

describe('localRefusals in all mode (the explain option and qualifications)', () => {
  const r = coupon().restrictions;
  const all = (c: Coupon, s: Partial<Parameters<typeof localRefusals>[1]> = {}) =>
    localRefusals(c, { now, customer: { customerNumber: 'C1' }, orderTotal: eur(50), discount: eur(5), customerUses: 0, ...s }).map(
      (x) => `${x.reason}@${x.field}`,
    );

  it('lists every failing rule in R1–R11 order, with the fields of §8', () => {
    const everything = coupon({
      restrictions: { ...r, validFrom: new Date(now.getTime() + 1), validUntil: new Date(now.getTime() - 1), minOrderValue: eur(100) },
      maxRedemptions: 1,
      redemptionCount: 1,
      maxRedemptionsPerCustomer: 1,
    });
    expect(all(everything, { customerUses: 1, discount: eur(11) })).toEqual([
      'coupon_not_yet_valid@restrictions.validFrom',
      'coupon_expired@restrictions.validUntil',
      'max_redemptions_reached@maxRedemptions',
      'max_redemptions_per_customer_reached@maxRedemptionsPerCustomer',
      'min_order_value_not_reached@restrictions.minOrderValue.amount',
      'discount_exceeds_coupon_value@discount.amount',
    ]);
    expect(all(coupon({ restrictions: { ...r, validFor: ['C2'] } }), { customer: {} })).toEqual([
      'anonymous_not_allowed@allowAnonymous',
      'customer_not_eligible@restrictions.validFor',
    ]);
    expect(all(coupon({ referralCoupon: true, issuedTo: 'C1' }))).toEqual(['referral_self_redemption@issuedTo']);
    expect(all(coupon())).toEqual([]);
  });

  it('does not judge what an earlier currency mismatch made meaningless', () => {
    const usd = { amount: 40, currency: 'USD' };
    // R8 and R9 fail; R10 (a minimum in EUR against USD) and the ABSOLUTE bound of R11 are not judged.
    expect(
      all(coupon({ restrictions: { ...r, minOrderValue: eur(100) } }), { orderTotal: usd, discount: { amount: 30, currency: 'USD' } }),
    ).toEqual(['currency_mismatch@orderTotal.currency', 'currency_mismatch@restrictions.minOrderValue.currency']);
    // The order-total bound of R11 still is.
    expect(all(coupon(), { orderTotal: usd, discount: { amount: 41, currency: 'USD' } })).toEqual([
      'currency_mismatch@orderTotal.currency',
      'discount_exceeds_coupon_value@discount.amount',
    ]);
  });

  it('judges no claim when there is none (quote) and the categories when the cart lines are known', () => {
    expect(all(coupon(), { discount: undefined })).toEqual([]);
    const shoes = coupon({ categoryRestricted: true, restrictions: { ...r, includedCategories: ['shoes'], excludedCategories: ['sale'] } });
    const line = (categoryIds: string[]) => ({ productId: 'P', categoryIds, quantity: 1, price: eur(10) });
    expect(all(shoes)).toEqual([]); // validation: no lines, no check (§11)
    expect(all(shoes, { items: [line(['shoes'])] })).toEqual([]);
    expect(all(shoes, { items: [line(['shoes', 'sale']), line(['bags'])] })).toEqual([
      'no_qualifying_items@restrictions.includedCategories',
    ]);
    expect(
      all({ ...shoes, restrictions: { ...shoes.restrictions, minOrderValue: eur(60) } }, { items: [line([])], discount: eur(100) }),
    ).toEqual([
      'min_order_value_not_reached@restrictions.minOrderValue.amount',
      'no_qualifying_items@restrictions.includedCategories',
      'discount_exceeds_coupon_value@discount.amount',
    ]);
  });

  it('stops at the first failing rule in first mode', () => {
    const c = coupon({ maxRedemptions: 1, redemptionCount: 1, restrictions: { ...r, validFor: ['C2'] } });
    expect(localRefusals(c, { now, customer: {}, orderTotal: eur(50), discount: eur(5), customerUses: 0 }, 'first')).toHaveLength(1);
  });
});

describe('R12 and R13 on the memberships found (segmentRefusals, segmentIdsToAsk)', () => {
  const r = coupon().restrictions;
  const seg = coupon({ segmentRestricted: true, restrictions: { ...r, segments: ['vip', 'gold'], excludedSegments: ['staff'] } });
  const reasons = (c: Coupon, memberships: string[], customer: { customerNumber?: string } = { customerNumber: 'C1' }) =>
    segmentRefusals(c, customer, new Set(memberships)).map((x) => `${x.reason}@${x.field}`);

  it('asks once for both lists, never for an anonymous request', () => {
    expect(segmentIdsToAsk(seg, { customerNumber: 'C1' })).toEqual(['vip', 'gold', 'staff']);
    expect(segmentIdsToAsk(coupon({ restrictions: { ...r, excludedSegments: ['staff', 'staff'] } }), { customerNumber: 'C1' })).toEqual([
      'staff',
    ]);
    expect(segmentIdsToAsk(seg, {})).toEqual([]);
    expect(segmentIdsToAsk(coupon(), { customerNumber: 'C1' })).toEqual([]);
  });

  it('R12 needs a required segment, R13 refuses an excluded one, in that order', () => {
    expect(reasons(seg, ['gold'])).toEqual([]);
    expect(reasons(seg, [])).toEqual(['customer_not_in_segment@restrictions.segments']);
    expect(reasons(seg, ['gold', 'staff'])).toEqual(['customer_in_excluded_segment@restrictions.excludedSegments']);
    expect(reasons(seg, ['staff'])).toEqual([
      'customer_not_in_segment@restrictions.segments',
      'customer_in_excluded_segment@restrictions.excludedSegments',
    ]);
    const excludedOnly = coupon({ allowAnonymous: true, restrictions: { ...r, excludedSegments: ['staff'] } });
    expect(reasons(excludedOnly, [])).toEqual([]);
    expect(reasons(excludedOnly, ['staff'])).toEqual(['customer_in_excluded_segment@restrictions.excludedSegments']);
    // An anonymous request is a member of no segment: refused by R12, never by R13.
    expect(reasons(excludedOnly, [], {})).toEqual([]);
    expect(reasons(seg, [], {})).toEqual(['customer_not_in_segment@restrictions.segments']);
  });
});
