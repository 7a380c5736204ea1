import { renderMetadata } from '@suite/api-kit';
import type { Coupon, CouponStatus } from './coupon.types';
import type { CouponResponseDto, RestrictionsResponseDto } from './dto/coupon.response.dto';

/** §3.3: derived on every read; the first matching rule wins (EXPIRED, USED, INACTIVE, VALID). */
export function couponStatus(coupon: Pick<Coupon, 'restrictions' | 'maxRedemptions' | 'redemptionCount'>, now: Date): CouponStatus {
  const { validFrom, validUntil } = coupon.restrictions;
  if (validUntil && now.getTime() > new Date(validUntil).getTime()) return 'EXPIRED';
  if (coupon.maxRedemptions !== -1 && coupon.redemptionCount >= coupon.maxRedemptions) return 'USED';
  if (validFrom && now.getTime() < new Date(validFrom).getTime()) return 'INACTIVE';
  return 'VALID';
}

function restrictionsView(coupon: Coupon, withValidFor: boolean, withLists: boolean): RestrictionsResponseDto {
  const r = coupon.restrictions;
  const out: RestrictionsResponseDto = {};
  if (withValidFor) out.validFor = [...r.validFor];
  if (r.validFrom) out.validFrom = new Date(r.validFrom).toISOString();
  if (r.validUntil) out.validUntil = new Date(r.validUntil).toISOString();
  if (r.minOrderValue) out.minOrderValue = { ...r.minOrderValue };
  // Empty category and segment arrays are left out (§3.2).
  if (withLists) {
    if (r.includedCategories?.length) out.includedCategories = [...r.includedCategories];
    if (r.excludedCategories?.length) out.excludedCategories = [...r.excludedCategories];
    if (r.segments?.length) out.segments = [...r.segments];
    if (r.excludedSegments?.length) out.excludedSegments = [...r.excludedSegments];
  }
  return out;
}

function legalEntityRedemptions(coupon: Coupon): Array<{ legalEntityId: string; count: number }> {
  return Object.entries(coupon.legalEntityCounts)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([legalEntityId, count]) => ({ legalEntityId, count }));
}

/** The discount and its limits, in the order of every view and of the writable body (§3.2). */
function offerFields(coupon: Coupon) {
  return {
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
    automatic: coupon.automatic === true,
  };
}

/** Manager view (§3.4): every field, for `coupon_manage`/`coupon_read`, lists and events. */
export function toManagerView(coupon: Coupon, now: Date): CouponResponseDto {
  const view: CouponResponseDto = {
    code: coupon.code,
    ...offerFields(coupon),
    restrictions: restrictionsView(coupon, true, true),
    issuedTo: coupon.issuedTo,
    redemptionCount: coupon.redemptionCount,
    legalEntityRedemptions: legalEntityRedemptions(coupon),
    referralCoupon: coupon.referralCoupon,
    deleted: coupon.deleted,
    status: couponStatus(coupon, now),
    mixins: coupon.mixins,
    metadata: renderMetadata(coupon.metadata),
  };
  return clean(view);
}

/**
 * Customer view (§3.4): without the seller-only fields, and without `validFor` and
 * `legalEntityRedemptions`, which would reveal other customers' and companies' ids.
 */
export function toCustomerView(coupon: Coupon, now: Date): CouponResponseDto {
  const view = toManagerView(coupon, now);
  delete view.maxRedemptions;
  delete view.redemptionCount;
  delete view.issuedTo;
  delete view.deleted;
  delete view.legalEntityRedemptions;
  delete view.restrictions.validFor;
  // How the seller excludes customers is not the customer's to see (README "Segment exclusion").
  delete view.restrictions.excludedSegments;
  return view;
}

/** Referral view (§3.4) for operations 12 and 13: caller is the owner or privileged. */
export function toReferralView(coupon: Coupon, now: Date): CouponResponseDto {
  // Without the calculation type and the restriction flags: a referral coupon has none to choose.
  const {
    discountCalculationType: _type,
    categoryRestricted: _categories,
    segmentRestricted: _segments,
    automatic: _automatic,
    ...offer
  } = offerFields(coupon);
  return clean({
    code: coupon.code,
    ...offer,
    restrictions: restrictionsView(coupon, true, false),
    issuedTo: coupon.issuedTo,
    referralCoupon: coupon.referralCoupon,
    redemptionCount: coupon.redemptionCount,
    status: couponStatus(coupon, now),
    deleted: coupon.deleted,
    mixins: coupon.mixins,
    metadata: renderMetadata(coupon.metadata),
  });
}

/** HTTP-11: optional properties without a value are omitted, never null. */
function clean<T extends object>(view: T): T {
  for (const [k, v] of Object.entries(view)) if (v === undefined) delete (view as Record<string, unknown>)[k];
  return view;
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
    excludedSegments: [...(r.excludedSegments ?? [])],
  };
  if (r.validFrom) restrictions.validFrom = new Date(r.validFrom).toISOString();
  if (r.validUntil) restrictions.validUntil = new Date(r.validUntil).toISOString();
  if (r.minOrderValue) restrictions.minOrderValue = { ...r.minOrderValue };
  const out: Record<string, unknown> = {
    ...offerFields(coupon),
    restrictions,
    issuedTo: coupon.issuedTo,
    mixins: coupon.mixins ? structuredClone(coupon.mixins) : undefined,
    metadata: coupon.metadata.mixins ? { mixins: { ...coupon.metadata.mixins } } : undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
