import type { Refusal } from '../common/coupon-errors';
import { compare, dec } from '../common/money';
import { couponStatus, toCustomerView, toManagerView } from '../coupons/coupon.mapper';
import type { Coupon } from '../coupons/coupon.types';
import type { Quote } from '../redemptions/quote';
import type { QualificationDto } from './dto/qualification.response.dto';

/** One candidate in the answer: its rules, its quote, and the view of the coupon the caller may see. */
export function toQualification(
  coupon: Coupon,
  quote: Quote,
  refusals: readonly Refusal[],
  managerView: boolean,
  now: Date,
): QualificationDto {
  return {
    code: coupon.code,
    applicable: refusals.length === 0,
    status: couponStatus(coupon, now),
    discount: quote.discount,
    freeShipping: quote.freeShipping,
    reasons: refusals.map((r) => ({ field: r.field, type: r.reason, message: r.message })),
    coupon: managerView ? toManagerView(coupon, now) : toCustomerView(coupon, now),
  };
}

/**
 * Best first: applicable coupons before the others, then the higher discount (exact decimals),
 * free shipping before none at an equal amount, then the code, so the order is total and stable.
 */
export function bestFirst(a: QualificationDto, b: QualificationDto): number {
  if (a.applicable !== b.applicable) return a.applicable ? -1 : 1;
  const byAmount = compare(dec(b.discount.amount), dec(a.discount.amount));
  if (byAmount !== 0) return byAmount;
  if (a.freeShipping !== b.freeShipping) return a.freeShipping ? -1 : 1;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
