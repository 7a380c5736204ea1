import type { Coupon } from '../coupons/coupon.types';
import { firstLocalRefusal, plausibleDiscount } from './redeemability';

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
