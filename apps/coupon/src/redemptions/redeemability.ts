import type { ApiError } from '@suite/api-kit';
import { notRedeemable } from '../common/coupon-errors';
import type { EffectiveCustomer } from '../common/effective-customer';
import { add, CENT, compare, dec, mul, shift } from '../common/money';
import type { Coupon, Money } from '../coupons/coupon.types';

export interface RedemptionSituation {
  /** One `now` for every check of the request (§8). */
  now: Date;
  customer: EffectiveCustomer;
  orderTotal: Money;
  discount: Money;
  /** The customer's uses in the current legal-entity bucket (§9.2); 0 when not needed. */
  customerUses: number;
}

/**
 * Checks R1–R11 of coupon §8 in their fixed order and returns the refusal of the first one that
 * fails, or undefined. R12 (segments) is the caller's, because it needs the segment service and
 * runs only after every local check passed.
 */
export function firstLocalRefusal(coupon: Coupon, s: RedemptionSituation): ApiError | undefined {
  const { code, restrictions: r } = coupon;
  const t = s.now.getTime();
  const who = s.customer.customerNumber;
  if (r.validFrom && t < new Date(r.validFrom).getTime()) {
    const at = new Date(r.validFrom).toISOString();
    return notRedeemable(
      code,
      'coupon_not_yet_valid',
      'restrictions.validFrom',
      `it is not valid before ${at}`,
      `Coupon is not valid before ${at}`,
    );
  }
  if (r.validUntil && t > new Date(r.validUntil).getTime()) {
    const at = new Date(r.validUntil).toISOString();
    return notRedeemable(code, 'coupon_expired', 'restrictions.validUntil', `it expired at ${at}`, `Coupon expired at ${at}`);
  }
  if (coupon.maxRedemptions !== -1 && coupon.redemptionCount >= coupon.maxRedemptions) return maxRedemptionsReached(coupon);
  if (who === undefined && !coupon.allowAnonymous) {
    return notRedeemable(
      code,
      'anonymous_not_allowed',
      'allowAnonymous',
      'it cannot be redeemed anonymously',
      'Anonymous redemption is not allowed',
    );
  }
  if (r.validFor.length && (who === undefined || !r.validFor.includes(who))) {
    return notRedeemable(
      code,
      'customer_not_eligible',
      'restrictions.validFor',
      'the customer is not eligible',
      'The customer is not on the list of customers this coupon is valid for',
    );
  }
  if (coupon.referralCoupon && who !== undefined && who === coupon.issuedTo) {
    return notRedeemable(
      code,
      'referral_self_redemption',
      'issuedTo',
      'a referral coupon cannot be redeemed by its owner',
      'The owner of a referral coupon cannot redeem it',
    );
  }
  if (who !== undefined && coupon.maxRedemptionsPerCustomer !== -1 && s.customerUses >= coupon.maxRedemptionsPerCustomer)
    return maxPerCustomerReached(coupon);
  if (coupon.discountType === 'ABSOLUTE' && coupon.discountAbsolute && coupon.discountAbsolute.currency !== s.orderTotal.currency) {
    return notRedeemable(
      code,
      'currency_mismatch',
      'orderTotal.currency',
      `the order currency ${s.orderTotal.currency} is not the coupon currency ${coupon.discountAbsolute.currency}`,
      `Order currency must be ${coupon.discountAbsolute.currency}`,
    );
  }
  const min = r.minOrderValue;
  if (min && compare(dec(min.amount), dec(0)) > 0) {
    if (min.currency !== s.orderTotal.currency) {
      return notRedeemable(
        code,
        'currency_mismatch',
        'restrictions.minOrderValue.currency',
        `the order currency ${s.orderTotal.currency} is not the minimum order value currency ${min.currency}`,
        `Order currency must be ${min.currency}`,
      );
    }
    if (compare(dec(s.orderTotal.amount), dec(min.amount)) < 0) {
      return notRedeemable(
        code,
        'min_order_value_not_reached',
        'restrictions.minOrderValue.amount',
        `the order total is below the minimum order value of ${min.amount} ${min.currency}`,
        `The minimum order value is ${min.amount} ${min.currency}`,
      );
    }
  }
  if (!plausibleDiscount(coupon, s.orderTotal, s.discount)) {
    return notRedeemable(
      code,
      'discount_exceeds_coupon_value',
      'discount.amount',
      'the claimed discount exceeds the coupon value',
      'The claimed discount is more than this coupon can grant',
    );
  }
  return undefined;
}

/** §9.3 with exact decimals and a 0.01 tolerance; a discount of 0 is always plausible. */
export function plausibleDiscount(
  coupon: Pick<Coupon, 'discountType' | 'discountAbsolute' | 'discountPercentage'>,
  orderTotal: Money,
  discount: Money,
): boolean {
  const d = dec(discount.amount);
  if (compare(d, dec(0)) === 0) return true;
  const total = dec(orderTotal.amount);
  if (compare(d, total) > 0) return false;
  if (coupon.discountType === 'ABSOLUTE' && coupon.discountAbsolute) {
    return compare(d, add(dec(coupon.discountAbsolute.amount), CENT)) <= 0;
  }
  if (coupon.discountType === 'PERCENT' && coupon.discountPercentage !== undefined) {
    return compare(d, add(shift(mul(total, dec(coupon.discountPercentage)), 2), CENT)) <= 0;
  }
  return true;
}

export function maxRedemptionsReached(coupon: Pick<Coupon, 'code' | 'maxRedemptions'>): ApiError {
  return notRedeemable(
    coupon.code,
    'max_redemptions_reached',
    'maxRedemptions',
    'the maximum number of redemptions has been reached',
    'The maximum number of redemptions has been reached',
  );
}

export function maxPerCustomerReached(coupon: Pick<Coupon, 'code' | 'maxRedemptionsPerCustomer'>): ApiError {
  return notRedeemable(
    coupon.code,
    'max_redemptions_per_customer_reached',
    'maxRedemptionsPerCustomer',
    'the customer has reached the maximum number of redemptions',
    `A customer may redeem this coupon at most ${coupon.maxRedemptionsPerCustomer} time(s)`,
  );
}

export function notInSegment(code: string): ApiError {
  return notRedeemable(
    code,
    'customer_not_in_segment',
    'restrictions.segments',
    'the customer is not in any of its segments',
    'The customer is not a member of any segment this coupon is restricted to',
  );
}
