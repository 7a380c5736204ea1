import { CUSTOM_ID_PATTERN, ErrorDetail, isDateTimeWithOffset, isPlainObject, ValidateDetails } from '@suite/api-kit';
import { DISCOUNT_TYPES, DiscountType } from '../coupon.types';

/**
 * The predicates behind the write-time rules of coupon §4, shared by the field rules and by the
 * cross-field rules, which judge only values that passed their own field rules (so one bad value
 * is reported once, as a field problem, not again as a conflict).
 */

export const CURRENCY = /^[A-Z]{3}$/;
export const CURRENCY_MESSAGE = 'Must match ^[A-Z]{3}$';

/** The type the cross-field rules go by: the sent one when valid, else the default `ABSOLUTE`. */
export function effectiveDiscountType(o: Record<string, unknown>): DiscountType {
  const sent = o.discountType;
  return (DISCOUNT_TYPES as readonly unknown[]).includes(sent) ? (sent as DiscountType) : 'ABSOLUTE';
}

/** §4.1: an integer, either -1 (unlimited) or at least 1; 0 is rejected. */
export function isRedemptionLimit(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && (v === -1 || v >= 1);
}

/**
 * A list of ids (§3.2): absent, or non-empty strings, at most `max` once duplicates are removed;
 * with `pattern`, each matching it (`invalid_format`).
 */
export function idListDetails(max: number, dedupe: boolean, pattern?: RegExp): (value: unknown, field: string) => ErrorDetail[] {
  return (value, field) => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return [{ field, type: 'invalid_value', message: `${field} must be an array of strings` }];
    const details: ErrorDetail[] = [];
    value.forEach((item, i) => {
      if (typeof item !== 'string' || item.length === 0)
        details.push({ field: `${field}[${i}]`, type: 'invalid_value', message: 'must be a non-empty string' });
      else if (pattern && !pattern.test(item))
        details.push({ field: `${field}[${i}]`, type: 'invalid_format', message: 'must be 1 to 128 URL-safe characters' });
    });
    if ((dedupe ? new Set(value).size : value.length) > max)
      details.push({ field, type: 'invalid_value', message: `${field} may have at most ${max} entries` });
    return details;
  };
}

/** An id list property of `restrictions`; absent and `null` are the empty list. */
export function IdList(name: string, max: number, dedupe: boolean, pattern?: RegExp): PropertyDecorator {
  return ValidateDetails(name, idListDetails(max, dedupe, pattern));
}

interface IdListLimits {
  max: number;
  dedupe: boolean;
  pattern?: RegExp;
}

export const ID_LISTS: Readonly<
  Record<'validFor' | 'includedCategories' | 'excludedCategories' | 'segments' | 'excludedSegments', IdListLimits>
> = {
  validFor: { max: 1000, dedupe: true },
  includedCategories: { max: 1000, dedupe: false },
  excludedCategories: { max: 1000, dedupe: false },
  // ID-3: segment ids are sent to the segment service (R12, R13), which refuses anything else; a
  // stored one would turn every validation of the coupon into a 503.
  segments: { max: 50, dedupe: true, pattern: CUSTOM_ID_PATTERN },
  excludedSegments: { max: 50, dedupe: true, pattern: CUSTOM_ID_PATTERN },
};

/** currency-amount of a coupon (§1.3): an object, `amount` a number >= 0, `currency` absent or valid. */
export function isCouponMoney(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const { amount, currency } = v;
  const amountOk = typeof amount === 'number' && Number.isFinite(amount) && amount >= 0;
  return amountOk && (currency === undefined || currency === null || (typeof currency === 'string' && CURRENCY.test(currency)));
}

/**
 * Whether `restrictions` passed every field rule (an absent one is empty and passes): the rules
 * between restrictions and the coupon's flags (X5–X14) are judged only then.
 */
export function restrictionsValid(r: unknown): boolean {
  if (!isPlainObject(r)) return false;
  for (const [key, { max, dedupe, pattern }] of Object.entries(ID_LISTS))
    if (idListDetails(max, dedupe, pattern)(r[key], key).length) return false;
  const dateOk = (v: unknown) => v === undefined || v === null || isDateTimeWithOffset(v);
  if (!dateOk(r.validFrom) || !dateOk(r.validUntil)) return false;
  return r.minOrderValue === undefined || r.minOrderValue === null || isCouponMoney(r.minOrderValue);
}

/** A list that holds at least one id (an invalid list never reaches a cross-field rule). */
export function hasIds(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0;
}
