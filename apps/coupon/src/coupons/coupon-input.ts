import { ErrorDetail, isDateTimeWithOffset, validateMixins, validateMixinSchemas } from '@suite/api-kit';
import { CALCULATION_TYPES, CalculationType, Coupon, CouponFields, DISCOUNT_TYPES, DiscountType, Money, Restrictions } from './coupon.types';

/**
 * Write-time validation of coupon bodies (coupon §4). A pure function over the JSON body rather
 * than a class-validator DTO because §4 must be applied to the *merged* document of a PATCH
 * (§6.5) with exactly the same rules and detail vocabulary as a POST or PUT body, and because
 * `null` has meaning in a merge patch. Every problem is reported (ERR-6); unknown and read-only
 * properties are ignored (ERR-7, §4.4).
 *
 * `mode: 'replace'` is a full PUT, where `discountType` is required as well as `name`.
 */
export function validateCouponInput(body: Record<string, unknown>, mode: 'create' | 'replace'): { fields?: CouponFields; details: ErrorDetail[] } {
  const details: ErrorDetail[] = [];
  const bad = (field: string, message: string, type = 'invalid_value') => details.push({ field, type, message });

  // name
  let name: string | undefined;
  const rawName = body.name;
  if (rawName === undefined || rawName === null) bad('name', 'name is required', 'missing_value');
  else if (typeof rawName !== 'string') bad('name', 'name must be a string');
  else if (rawName.trim().length === 0) bad('name', 'name must not be empty', 'missing_value');
  else if (rawName.trim().length > 150) bad('name', 'name must have at most 150 characters');
  else name = rawName.trim();

  const description = optionalString(body.description, 'description', 2000, bad);

  let discountType: DiscountType = 'ABSOLUTE';
  if (body.discountType === undefined || body.discountType === null) {
    if (mode === 'replace') bad('discountType', 'discountType is required for a full replacement', 'missing_value');
  } else if (!(DISCOUNT_TYPES as readonly unknown[]).includes(body.discountType)) bad('discountType', `discountType must be one of ${DISCOUNT_TYPES.join(', ')}`);
  else discountType = body.discountType as DiscountType;

  let discountPercentage: number | undefined;
  if (body.discountPercentage !== undefined && body.discountPercentage !== null) {
    const p = body.discountPercentage;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) bad('discountPercentage', 'discountPercentage must be a number from 0 to 100');
    else discountPercentage = p;
  }

  const discountAbsolute = optionalMoney(body.discountAbsolute, 'discountAbsolute', bad);

  let discountCalculationType: CalculationType = 'SUBTOTAL';
  if (body.discountCalculationType !== undefined && body.discountCalculationType !== null) {
    if (!(CALCULATION_TYPES as readonly unknown[]).includes(body.discountCalculationType)) bad('discountCalculationType', 'discountCalculationType must be SUBTOTAL or TOTAL');
    else discountCalculationType = body.discountCalculationType as CalculationType;
  }

  const allowAnonymous = optionalBoolean(body.allowAnonymous, 'allowAnonymous', bad);
  const categoryRestricted = optionalBoolean(body.categoryRestricted, 'categoryRestricted', bad);
  const segmentRestricted = optionalBoolean(body.segmentRestricted, 'segmentRestricted', bad);
  const maxRedemptions = redemptionLimit(body.maxRedemptions, 'maxRedemptions', bad);
  const maxRedemptionsPerCustomer = redemptionLimit(body.maxRedemptionsPerCustomer, 'maxRedemptionsPerCustomer', bad);

  const restrictions = readRestrictions(body.restrictions, bad);

  let issuedTo: string | undefined;
  if (body.issuedTo !== undefined && body.issuedTo !== null) {
    if (typeof body.issuedTo !== 'string') bad('issuedTo', 'issuedTo must be a string');
    else if (body.issuedTo.length > 0) issuedTo = body.issuedTo; // an empty string is stored as absent (§3.1)
  }

  let mixins: Record<string, unknown> | undefined;
  if (body.mixins !== undefined && body.mixins !== null) {
    const problems = validateMixins(body.mixins);
    details.push(...problems);
    if (!problems.length && Object.keys(body.mixins as object).length) mixins = body.mixins as Record<string, unknown>;
  }
  let mixinSchemas: Record<string, string> | undefined;
  const metadata = body.metadata;
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const links = (metadata as Record<string, unknown>).mixins;
    const problems = validateMixinSchemas(links);
    details.push(...problems);
    if (!problems.length && links && Object.keys(links as object).length) mixinSchemas = links as Record<string, string>;
  }

  // Cross-field rules X1–X14 (§4.3), checked on the values that passed their own checks.
  if (discountType === 'PERCENT' && (body.discountPercentage === undefined || body.discountPercentage === null)) {
    bad('discountPercentage', 'discountPercentage is required when discountType is PERCENT', 'missing_value');
  }
  if (discountType === 'ABSOLUTE' && (body.discountAbsolute === undefined || body.discountAbsolute === null)) {
    bad('discountAbsolute', 'discountAbsolute is required when discountType is ABSOLUTE', 'missing_value');
  }
  if (discountType === 'FREE_SHIPPING' && categoryRestricted) bad('categoryRestricted', 'a FREE_SHIPPING coupon cannot be category-restricted', 'conflicting_values');
  // X4 judges only a valid limit; an invalid one is already reported as invalid_value.
  if (allowAnonymous && maxRedemptionsPerCustomer !== undefined && maxRedemptionsPerCustomer !== -1) {
    bad('maxRedemptionsPerCustomer', 'maxRedemptionsPerCustomer must be -1 when allowAnonymous is true', 'conflicting_values');
  }
  if (restrictions) {
    if (allowAnonymous && restrictions.validFor.length) bad('restrictions.validFor', 'validFor must be empty when allowAnonymous is true', 'conflicting_values');
    if (segmentRestricted) {
      if (!restrictions.segments.length) bad('restrictions.segments', 'segments are required when segmentRestricted is true', 'missing_value');
      if (categoryRestricted) bad('segmentRestricted', 'a segment-restricted coupon cannot be category-restricted', 'conflicting_values');
      if (restrictions.validFor.length) bad('restrictions.validFor', 'validFor must be empty when segmentRestricted is true', 'conflicting_values');
      if (allowAnonymous) bad('allowAnonymous', 'a segment-restricted coupon cannot allow anonymous redemption', 'conflicting_values');
    } else if (restrictions.segments.length) {
      bad('restrictions.segments', 'segments require segmentRestricted to be true', 'conflicting_values');
    }
    if (categoryRestricted) {
      if (!restrictions.includedCategories.length) {
        bad('restrictions.includedCategories', 'includedCategories are required when categoryRestricted is true', 'missing_value');
      }
      const included = new Set(restrictions.includedCategories);
      if (restrictions.excludedCategories.some((c) => included.has(c))) {
        bad('restrictions.excludedCategories', 'a category cannot be both included and excluded', 'conflicting_values');
      }
    } else {
      if (restrictions.includedCategories.length) bad('restrictions.includedCategories', 'includedCategories require categoryRestricted to be true', 'conflicting_values');
      if (restrictions.excludedCategories.length) bad('restrictions.excludedCategories', 'excludedCategories require categoryRestricted to be true', 'conflicting_values');
    }
    if (restrictions.validFrom && restrictions.validUntil && restrictions.validFrom.getTime() >= restrictions.validUntil.getTime()) {
      bad('restrictions.validUntil', 'validUntil must be later than validFrom', 'conflicting_values');
    }
  }

  if (details.length || name === undefined || !restrictions) return { details };
  const fields: CouponFields = {
    name,
    discountType,
    discountCalculationType,
    allowAnonymous,
    maxRedemptions: maxRedemptions ?? -1,
    maxRedemptionsPerCustomer: maxRedemptionsPerCustomer ?? -1,
    categoryRestricted,
    segmentRestricted,
    restrictions,
  };
  if (description !== undefined) fields.description = description;
  if (discountPercentage !== undefined) fields.discountPercentage = discountPercentage;
  if (discountAbsolute !== undefined) fields.discountAbsolute = discountAbsolute;
  if (issuedTo !== undefined) fields.issuedTo = issuedTo;
  if (mixins !== undefined) fields.mixins = mixins;
  if (mixinSchemas !== undefined) fields.mixinSchemas = mixinSchemas;
  return { fields, details };
}

/**
 * The writable part of a stored coupon in request-body shape (dates as strings), the base a
 * PATCH merge is applied to (§6.5).
 */
export function toWritableBody(coupon: Coupon): Record<string, unknown> {
  const r = coupon.restrictions;
  const restrictions: Record<string, unknown> = {
    validFor: [...r.validFor],
    includedCategories: [...(r.includedCategories ?? [])],
    excludedCategories: [...(r.excludedCategories ?? [])],
    segments: [...(r.segments ?? [])],
  };
  if (r.validFrom) restrictions.validFrom = new Date(r.validFrom).toISOString();
  if (r.validUntil) restrictions.validUntil = new Date(r.validUntil).toISOString();
  if (r.minOrderValue) restrictions.minOrderValue = { ...r.minOrderValue };
  const out: Record<string, unknown> = {
    name: coupon.name,
    description: coupon.description,
    discountType: coupon.discountType,
    discountPercentage: coupon.discountPercentage,
    discountAbsolute: coupon.discountAbsolute ? { ...coupon.discountAbsolute } : undefined,
    discountCalculationType: coupon.discountCalculationType,
    allowAnonymous: coupon.allowAnonymous,
    maxRedemptions: coupon.maxRedemptions,
    maxRedemptionsPerCustomer: coupon.maxRedemptionsPerCustomer,
    categoryRestricted: coupon.categoryRestricted,
    segmentRestricted: coupon.segmentRestricted,
    restrictions,
    issuedTo: coupon.issuedTo,
    mixins: coupon.mixins ? structuredClone(coupon.mixins) : undefined,
    metadata: coupon.metadata.mixins ? { mixins: { ...coupon.metadata.mixins } } : undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

type Report = (field: string, message: string, type?: string) => void;

function optionalString(v: unknown, field: string, max: number, bad: Report): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    bad(field, `${field} must be a string`);
    return undefined;
  }
  if (v.length > max) {
    bad(field, `${field} must have at most ${max} characters`);
    return undefined;
  }
  return v;
}

function optionalBoolean(v: unknown, field: string, bad: Report): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') {
    bad(field, `${field} must be true or false`);
    return false;
  }
  return v;
}

/** §4.1: an integer, either -1 (unlimited) or at least 1; 0 is rejected. */
function redemptionLimit(v: unknown, field: string, bad: Report): number | undefined {
  if (v === undefined || v === null) return -1;
  if (typeof v !== 'number' || !Number.isInteger(v) || (v !== -1 && v < 1)) {
    bad(field, `${field} must be -1 (unlimited) or an integer of at least 1`);
    return undefined;
  }
  return v;
}

const CURRENCY = /^[A-Z]{3}$/;

/** currency-amount with the coupon default currency USD (§1.3). */
function optionalMoney(v: unknown, field: string, bad: Report): Money | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    bad(field, `${field} must be an object with amount and currency`);
    return undefined;
  }
  const { amount, currency } = v as Record<string, unknown>;
  let ok = true;
  if (amount === undefined || amount === null) {
    bad(`${field}.amount`, `${field}.amount is required`, 'missing_value');
    ok = false;
  } else if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    bad(`${field}.amount`, `${field}.amount must be a number >= 0`);
    ok = false;
  }
  if (currency !== undefined && currency !== null && (typeof currency !== 'string' || !CURRENCY.test(currency))) {
    bad(`${field}.currency`, 'Must match ^[A-Z]{3}$');
    ok = false;
  }
  return ok ? { amount: amount as number, currency: typeof currency === 'string' ? currency : 'USD' } : undefined;
}

function stringList(v: unknown, field: string, max: number, dedupe: boolean, bad: Report): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    bad(field, `${field} must be an array of strings`);
    return undefined;
  }
  let ok = true;
  v.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0) {
      bad(`${field}[${i}]`, 'must be a non-empty string');
      ok = false;
    }
  });
  const list = dedupe ? [...new Set(v as string[])] : (v as string[]);
  if (list.length > max) {
    bad(field, `${field} may have at most ${max} entries`);
    ok = false;
  }
  return ok ? list : undefined;
}

function optionalDate(v: unknown, field: string, bad: Report): Date | undefined | null {
  if (v === undefined || v === null) return undefined;
  if (!isDateTimeWithOffset(v)) {
    bad(field, `${field} must be an ISO 8601 date-time with offset`);
    return null;
  }
  return new Date(v);
}

function readRestrictions(v: unknown, bad: Report): Restrictions | undefined {
  if (v === undefined || v === null) return { validFor: [], includedCategories: [], excludedCategories: [], segments: [] };
  if (typeof v !== 'object' || Array.isArray(v)) {
    bad('restrictions', 'restrictions must be an object');
    return undefined;
  }
  const r = v as Record<string, unknown>;
  const validFor = stringList(r.validFor, 'restrictions.validFor', 1000, true, bad);
  const includedCategories = stringList(r.includedCategories, 'restrictions.includedCategories', 1000, false, bad);
  const excludedCategories = stringList(r.excludedCategories, 'restrictions.excludedCategories', 1000, false, bad);
  const segments = stringList(r.segments, 'restrictions.segments', 50, true, bad);
  const validFrom = optionalDate(r.validFrom, 'restrictions.validFrom', bad);
  const validUntil = optionalDate(r.validUntil, 'restrictions.validUntil', bad);
  const minOrderValue = optionalMoney(r.minOrderValue, 'restrictions.minOrderValue', bad);
  if (!validFor || !includedCategories || !excludedCategories || !segments || validFrom === null || validUntil === null) return undefined;
  if (r.minOrderValue !== undefined && r.minOrderValue !== null && !minOrderValue) return undefined;
  const out: Restrictions = { validFor, includedCategories, excludedCategories, segments };
  if (validFrom) out.validFrom = validFrom;
  if (validUntil) out.validUntil = validUntil;
  if (minOrderValue) out.minOrderValue = minOrderValue;
  return out;
}
