import { add, CENT, compare, Dec, dec, min, mul, roundDown, roundHalfUp, shift, toNumber } from '../common/money';
import type { Coupon, Money } from '../coupons/coupon.types';

/**
 * The discount quote (README "Discount quote"): what a coupon is worth on an order, computed with
 * the §9.1 formulas the pricing caller would otherwise apply itself, in exact decimals, rounded
 * half-up to the minor unit of the order currency and never more than the order total, nor more
 * than R11 accepts as a claimed discount, so the quote sent back with the redemption always passes.
 */

/** One cart line of a qualifications request: `price` is the unit price. */
export interface CartLine {
  productId: string;
  categoryIds: readonly string[];
  quantity: number;
  price: Money;
}

/** The cart of a qualifications request; every price is in the currency of `total`. */
export interface Cart {
  /** The order total before this coupon's discount: line items, fees and shipping (§3.5 `orderTotal`). */
  total: Money;
  items: readonly CartLine[];
}

export interface Quote {
  /** The discount in the order currency; 0 for FREE_SHIPPING, and where the coupon grants nothing on this order. */
  discount: Money;
  /** FREE_SHIPPING: the shipping cost is waived (its amount is the cart's to know). */
  freeShipping: boolean;
}

type QuotedCoupon = Pick<
  Coupon,
  'discountType' | 'discountAbsolute' | 'discountPercentage' | 'discountCalculationType' | 'categoryRestricted' | 'restrictions'
>;

let knownCurrencies: ReadonlySet<string> | undefined;

/** An ISO 4217 currency the platform knows (its `Intl` data); funds and metals codes such as `XAU` are not. */
export function isKnownCurrency(currency: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(currency);
}

/** The minor-unit digits of a known currency (JPY 0, EUR 2, BHD 3), from the platform's ISO 4217 data. */
export function currencyDigits(currency: string): number {
  if (!isKnownCurrency(currency)) throw new RangeError(`unknown currency ${currency}`);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * §11 for one line: a category-restricted coupon applies to a line in at least one included
 * category and in no excluded one; any other coupon applies to every line.
 */
export function lineQualifies(coupon: Pick<Coupon, 'categoryRestricted' | 'restrictions'>, line: CartLine): boolean {
  if (!coupon.categoryRestricted) return true;
  const { includedCategories, excludedCategories } = coupon.restrictions;
  return line.categoryIds.some((c) => includedCategories.includes(c)) && !line.categoryIds.some((c) => excludedCategories.includes(c));
}

function linesTotal(lines: readonly CartLine[]): Dec {
  return lines.reduce((sum, line) => add(sum, mul(dec(line.price.amount), dec(line.quantity))), dec(0));
}

/**
 * The §9.1 base on a cart: the line items for `SUBTOTAL`, the order total (items, fees and
 * shipping) for `TOTAL`; a category-restricted coupon counts only its qualifying lines.
 */
export function cartBase(coupon: QuotedCoupon, cart: Cart): Dec {
  if (coupon.categoryRestricted) return linesTotal(cart.items.filter((line) => lineQualifies(coupon, line)));
  return coupon.discountCalculationType === 'TOTAL' ? dec(cart.total.amount) : linesTotal(cart.items);
}

/**
 * §9.3: the most a claimed discount may be on this order total (R11): the order total, and for
 * ABSOLUTE the amount, for PERCENT `total × percentage / 100`, each plus `tolerance` (0.01).
 */
export function discountCeiling(
  coupon: Pick<Coupon, 'discountType' | 'discountAbsolute' | 'discountPercentage'>,
  orderTotal: Money,
  tolerance: Dec = CENT,
): Dec {
  const total = dec(orderTotal.amount);
  if (coupon.discountType === 'ABSOLUTE' && coupon.discountAbsolute) return min(total, add(dec(coupon.discountAbsolute.amount), tolerance));
  if (coupon.discountType === 'PERCENT' && coupon.discountPercentage !== undefined) {
    return min(total, add(shift(mul(total, dec(coupon.discountPercentage)), 2), tolerance));
  }
  return total;
}

/**
 * §9.1 on `base`: ABSOLUTE `min(amount, base)` (0 when the coupon's currency is not the order's:
 * there is no FX), PERCENT `base × percentage / 100`, FREE_SHIPPING a flag with amount 0; rounded
 * half-up to the currency's minor unit and capped at the order total. Where that is more than R11
 * accepts as a claim, it is R11's bound without the tolerance, rounded down to the minor unit, so
 * the quote sent back with the redemption always passes: this happens where half-up rounding adds
 * more than R11's 0.01 (currencies without minor units: 15 % of 999 JPY is 149, since 150 would be
 * refused; ABSOLUTE amounts finer than the minor unit), and where the lines are worth more than
 * the order total R11 judges PERCENT by.
 */
export function quoteOn(coupon: QuotedCoupon, base: Dec, orderTotal: Money): Quote {
  const { currency } = orderTotal;
  const digits = currencyDigits(currency);
  let raw = dec(0);
  if (coupon.discountType === 'ABSOLUTE' && coupon.discountAbsolute?.currency === currency) {
    raw = min(dec(coupon.discountAbsolute.amount), base);
  } else if (coupon.discountType === 'PERCENT' && coupon.discountPercentage !== undefined) {
    raw = shift(mul(base, dec(coupon.discountPercentage)), 2);
  }
  let quoted = min(roundHalfUp(raw, digits), roundDown(dec(orderTotal.amount), digits));
  if (compare(quoted, discountCeiling(coupon, orderTotal)) > 0) quoted = roundDown(discountCeiling(coupon, orderTotal, dec(0)), digits);
  const amount = compare(quoted, dec(0)) < 0 ? 0 : toNumber(quoted);
  return { discount: { amount, currency }, freeShipping: coupon.discountType === 'FREE_SHIPPING' };
}

/** The quote of validation, which knows only the order total: the total is the base, whatever the calculation type. */
export function quoteOnOrder(coupon: QuotedCoupon, orderTotal: Money): Quote {
  return quoteOn(coupon, dec(orderTotal.amount), orderTotal);
}

/** The quote of qualifications, on the cart's lines (§9.1 base, §11 categories). */
export function quoteOnCart(coupon: QuotedCoupon, cart: Cart): Quote {
  return quoteOn(coupon, cartBase(coupon, cart), cart.total);
}
