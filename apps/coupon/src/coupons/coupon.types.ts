import type { StoredMetadata } from '@suite/api-kit';

export const DISCOUNT_TYPES = ['ABSOLUTE', 'PERCENT', 'FREE_SHIPPING'] as const;
export type DiscountType = (typeof DISCOUNT_TYPES)[number];
export const CALCULATION_TYPES = ['SUBTOTAL', 'TOTAL'] as const;
export type CalculationType = (typeof CALCULATION_TYPES)[number];
export const COUPON_STATUSES = ['VALID', 'INACTIVE', 'EXPIRED', 'USED'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

/** currency-amount (coupon §1.3). */
export interface Money {
  amount: number;
  currency: string;
}

export interface Restrictions {
  validFor: string[];
  validFrom?: Date;
  validUntil?: Date;
  minOrderValue?: Money;
  includedCategories: string[];
  excludedCategories: string[];
  segments: string[];
  /** Segments whose members are refused (README "Segment exclusion", R13); absent on coupons stored before it existed. */
  excludedSegments?: string[];
}

/** The writable part of a coupon after write-time validation and defaults (coupon §3.1, §4). */
export interface CouponFields {
  name: string;
  description?: string;
  discountType: DiscountType;
  discountPercentage?: number;
  discountAbsolute?: Money;
  discountCalculationType: CalculationType;
  allowAnonymous: boolean;
  maxRedemptions: number;
  maxRedemptionsPerCustomer: number;
  categoryRestricted: boolean;
  segmentRestricted: boolean;
  /** Applies without a code (README "Automatic coupons"); absent on coupons stored before it existed. */
  automatic?: boolean;
  restrictions: Restrictions;
  issuedTo?: string;
  mixins?: Record<string, unknown>;
  /** `metadata.mixins`: mixin name → schema URL. */
  mixinSchemas?: Record<string, string>;
}

/**
 * A reservation's claim on a limit (README "Reservations"): it counts like a use while `until` is
 * in the future and stops counting at that instant, so expiry needs no sweeper to be correct.
 */
export interface Hold {
  id: string;
  until: Date;
}

/** The holds among `holds` that still count at `now`. */
export function liveHolds(holds: readonly Hold[] | undefined, now: Date): number {
  if (!holds?.length) return 0;
  const t = now.getTime();
  let n = 0;
  for (const h of holds) if (new Date(h.until).getTime() > t) n++;
  return n;
}

/** A stored coupon as the repository returns it: plain data, no Mongo internals. */
export interface Coupon extends Omit<CouponFields, 'mixinSchemas'> {
  code: string;
  metadata: StoredMetadata;
  redemptionCount: number;
  /** Redemptions per legal entity; entries may be 0 (rendered without them). */
  legalEntityCounts: Record<string, number>;
  referralCoupon: boolean;
  deleted: boolean;
  deletedAt?: Date;
  /** Internal: the code campaign that generated the coupon (not rendered in any view). */
  campaignId?: string;
  /** Reservations counting against `maxRedemptions` (only kept while the coupon has a global limit). */
  holds: Hold[];
}
