import type { ApiError } from '@suite/api-kit';
import { Refusal, refusal } from '../common/coupon-errors';
import type { EffectiveCustomer } from '../common/effective-customer';
import { compare, dec } from '../common/money';
import { Coupon, liveHolds, Money } from '../coupons/coupon.types';
import { CartLine, discountCeiling, lineQualifies } from './quote';

export interface RedemptionSituation {
  /** One `now` for every check of the request (§8). */
  now: Date;
  customer: EffectiveCustomer;
  orderTotal: Money;
  /**
   * The claimed discount (R11). Absent when the service quotes the discount itself (validation
   * with `quote=true` and no claim, qualifications): its own quote is the §9.1 amount, so R11
   * is not judged.
   */
  discount?: Money;
  /** The customer's uses plus live holds in the current legal-entity bucket (§9.2); 0 when not needed. */
  customerUses: number;
  /**
   * The request consumes a live reservation, whose hold already counts against both limits: R3
   * and R7 are skipped, because the hold turns into the use (README "Reservations").
   */
  limitsHeld?: boolean;
  /**
   * The cart lines, which only qualifications know (§11: validation and redemption carry none): a
   * category-restricted coupon then needs at least one qualifying line.
   */
  items?: readonly CartLine[];
}

/** `first`: stop at the first failing rule (§8); `all`: every failing rule, in order (the explain option). */
export type RefusalMode = 'first' | 'all';

/**
 * The local rules R1–R11 of coupon §8 in their fixed order (R3 and R7 counting live reservation
 * holds), plus the category check between R10 and R11 when the cart lines are known. Returns the
 * failing ones: only the first in `first` mode. R12 and R13 (segments) are the caller's, because
 * they need the segment service ({@link segmentRefusals}).
 *
 * In `all` mode a comparison that an earlier failure made meaningless is not judged: R10 when R9
 * found the minimum in another currency, and the ABSOLUTE bound of R11 when R8 did.
 */
export function localRefusals(coupon: Coupon, s: RedemptionSituation, mode: RefusalMode = 'all'): Refusal[] {
  const out: Refusal[] = [];
  // True when the evaluation should stop (first mode after a failure).
  const fail = (r: Refusal) => {
    out.push(r);
    return mode === 'first';
  };
  const r = coupon.restrictions;
  const t = s.now.getTime();
  const who = s.customer.customerNumber;
  if (r.validFrom && t < new Date(r.validFrom).getTime()) {
    const at = new Date(r.validFrom).toISOString();
    const refused = { why: `it is not valid before ${at}`, message: `Coupon is not valid before ${at}` };
    if (fail({ reason: 'coupon_not_yet_valid', field: 'restrictions.validFrom', ...refused })) return out;
  }
  if (r.validUntil && t > new Date(r.validUntil).getTime()) {
    const at = new Date(r.validUntil).toISOString();
    if (
      fail({ reason: 'coupon_expired', field: 'restrictions.validUntil', why: `it expired at ${at}`, message: `Coupon expired at ${at}` })
    ) {
      return out;
    }
  }
  if (!s.limitsHeld && coupon.maxRedemptions !== -1 && coupon.redemptionCount + liveHolds(coupon.holds, s.now) >= coupon.maxRedemptions) {
    if (fail(MAX_REDEMPTIONS)) return out;
  }
  if (who === undefined && !coupon.allowAnonymous) {
    const refused = { why: 'it cannot be redeemed anonymously', message: 'Anonymous redemption is not allowed' };
    if (fail({ reason: 'anonymous_not_allowed', field: 'allowAnonymous', ...refused })) return out;
  }
  if (r.validFor.length && (who === undefined || !r.validFor.includes(who))) {
    const refused = {
      why: 'the customer is not eligible',
      message: 'The customer is not on the list of customers this coupon is valid for',
    };
    if (fail({ reason: 'customer_not_eligible', field: 'restrictions.validFor', ...refused })) return out;
  }
  if (coupon.referralCoupon && who !== undefined && who === coupon.issuedTo) {
    const refused = {
      why: 'a referral coupon cannot be redeemed by its owner',
      message: 'The owner of a referral coupon cannot redeem it',
    };
    if (fail({ reason: 'referral_self_redemption', field: 'issuedTo', ...refused })) return out;
  }
  if (!s.limitsHeld && who !== undefined && coupon.maxRedemptionsPerCustomer !== -1 && s.customerUses >= coupon.maxRedemptionsPerCustomer) {
    if (fail(maxPerCustomer(coupon))) return out;
  }
  const currency = s.orderTotal.currency;
  let absoluteInOtherCurrency = false;
  if (coupon.discountType === 'ABSOLUTE' && coupon.discountAbsolute && coupon.discountAbsolute.currency !== currency) {
    absoluteInOtherCurrency = true;
    const other = coupon.discountAbsolute.currency;
    const refused = {
      why: `the order currency ${currency} is not the coupon currency ${other}`,
      message: `Order currency must be ${other}`,
    };
    if (fail({ reason: 'currency_mismatch', field: 'orderTotal.currency', ...refused })) return out;
  }
  const min = r.minOrderValue;
  if (min && compare(dec(min.amount), dec(0)) > 0) {
    if (min.currency !== currency) {
      const refused = {
        why: `the order currency ${currency} is not the minimum order value currency ${min.currency}`,
        message: `Order currency must be ${min.currency}`,
      };
      if (fail({ reason: 'currency_mismatch', field: 'restrictions.minOrderValue.currency', ...refused })) return out;
    } else if (compare(dec(s.orderTotal.amount), dec(min.amount)) < 0) {
      const refused = {
        why: `the order total is below the minimum order value of ${min.amount} ${min.currency}`,
        message: `The minimum order value is ${min.amount} ${min.currency}`,
      };
      if (fail({ reason: 'min_order_value_not_reached', field: 'restrictions.minOrderValue.amount', ...refused })) return out;
    }
  }
  if (s.items && coupon.categoryRestricted && !s.items.some((line) => lineQualifies(coupon, line))) {
    const refused = {
      why: 'no item of the cart is in a category it applies to',
      message: 'No cart item is in an included category and outside the excluded ones',
    };
    if (fail({ reason: 'no_qualifying_items', field: 'restrictions.includedCategories', ...refused })) return out;
  }
  if (s.discount) {
    const bounded = absoluteInOtherCurrency ? { ...coupon, discountAbsolute: undefined } : coupon;
    if (!plausibleDiscount(bounded, s.orderTotal, s.discount)) fail(DISCOUNT_TOO_HIGH);
  }
  return out;
}

/**
 * R1–R11 of coupon §8 in their fixed order: the refusal of the first one that fails, or undefined.
 * R12 and R13 (segments) are the caller's, because they need the segment service and run only
 * after every local check passed.
 */
export function firstLocalRefusal(coupon: Coupon, s: RedemptionSituation): ApiError | undefined {
  const [first] = localRefusals(coupon, s, 'first');
  return first ? refusal(coupon.code, first) : undefined;
}

/**
 * The segment ids whose membership R12 and R13 need for this customer, both lists in one
 * question (README "Segment exclusion"); none for an anonymous request, which is a member of no
 * segment (R12 refuses it without asking, R13 has nothing to refuse).
 */
export function segmentIdsToAsk(coupon: Coupon, customer: EffectiveCustomer): string[] {
  if (customer.customerNumber === undefined) return [];
  const ids = coupon.segmentRestricted ? [...coupon.restrictions.segments] : [];
  return [...new Set([...ids, ...(coupon.restrictions.excludedSegments ?? [])])];
}

/**
 * R12 then R13 on the segments the customer is an effectively active member of (§10.1), as the
 * segment service answered for {@link segmentIdsToAsk}: R12 refuses a customer in none of
 * `restrictions.segments` of a segment-restricted coupon, R13 one in any of
 * `restrictions.excludedSegments`.
 */
export function segmentRefusals(coupon: Coupon, customer: EffectiveCustomer, memberships: ReadonlySet<string>): Refusal[] {
  const out: Refusal[] = [];
  const known = customer.customerNumber !== undefined;
  if (coupon.segmentRestricted && (!known || !coupon.restrictions.segments.some((id) => memberships.has(id)))) out.push(NOT_IN_SEGMENT);
  if (known && (coupon.restrictions.excludedSegments ?? []).some((id) => memberships.has(id))) out.push(IN_EXCLUDED_SEGMENT);
  return out;
}

/** §9.3 with exact decimals and a 0.01 tolerance; a discount of 0 is always plausible. */
export function plausibleDiscount(
  coupon: Pick<Coupon, 'discountType' | 'discountAbsolute' | 'discountPercentage'>,
  orderTotal: Money,
  discount: Money,
): boolean {
  const d = dec(discount.amount);
  return compare(d, dec(0)) === 0 || compare(d, discountCeiling(coupon, orderTotal)) <= 0;
}

const MAX_REDEMPTIONS: Refusal = {
  reason: 'max_redemptions_reached',
  field: 'maxRedemptions',
  why: 'the maximum number of redemptions has been reached',
  message: 'The maximum number of redemptions has been reached',
};

function maxPerCustomer(coupon: Pick<Coupon, 'maxRedemptionsPerCustomer'>): Refusal {
  return {
    reason: 'max_redemptions_per_customer_reached',
    field: 'maxRedemptionsPerCustomer',
    why: 'the customer has reached the maximum number of redemptions',
    message: `A customer may redeem this coupon at most ${coupon.maxRedemptionsPerCustomer} time(s)`,
  };
}

const DISCOUNT_TOO_HIGH: Refusal = {
  reason: 'discount_exceeds_coupon_value',
  field: 'discount.amount',
  why: 'the claimed discount exceeds the coupon value',
  message: 'The claimed discount is more than this coupon can grant',
};

const NOT_IN_SEGMENT: Refusal = {
  reason: 'customer_not_in_segment',
  field: 'restrictions.segments',
  why: 'the customer is not in any of its segments',
  message: 'The customer is not a member of any segment this coupon is restricted to',
};

// The message never names the segment: which segments a seller excludes is not the customer's to see.
const IN_EXCLUDED_SEGMENT: Refusal = {
  reason: 'customer_in_excluded_segment',
  field: 'restrictions.excludedSegments',
  why: 'the customer is in a segment it excludes',
  message: 'The customer is a member of a segment this coupon excludes',
};

export function maxRedemptionsReached(coupon: Pick<Coupon, 'code' | 'maxRedemptions'>): ApiError {
  return refusal(coupon.code, MAX_REDEMPTIONS);
}

export function maxPerCustomerReached(coupon: Pick<Coupon, 'code' | 'maxRedemptionsPerCustomer'>): ApiError {
  return refusal(coupon.code, maxPerCustomer(coupon));
}

export function notInSegment(code: string): ApiError {
  return refusal(code, NOT_IN_SEGMENT);
}
