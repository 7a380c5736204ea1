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
  restrictions: Restrictions;
  issuedTo?: string;
  mixins?: Record<string, unknown>;
  /** `metadata.mixins`: mixin name → schema URL. */
  mixinSchemas?: Record<string, string>;
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
}
