import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Coupon } from './coupon.types';

/**
 * `<tenant>_coupons` (coupon §3.7). `_id` is the stored code, so the primary key also keeps codes
 * of soft-deleted coupons reserved. Two internal fields support atomic bookkeeping without
 * `$expr`: `remaining` is always `maxRedemptions − redemptionCount` (negative and meaningless when
 * unlimited), and `leCounts` maps hex-encoded legal-entity ids to counts (hex, because an id may
 * hold `.` or `$`, which cannot be part of an update path).
 */
export interface CouponDocument extends Omit<Coupon, 'code' | 'legalEntityCounts'> {
  _id: string;
  remaining: number;
  leCounts?: Record<string, number>;
}

const couponSchema = new Schema<CouponDocument>(
  {
    _id: String,
    name: String,
    description: String,
    discountType: String,
    discountPercentage: Number,
    discountAbsolute: Schema.Types.Mixed,
    discountCalculationType: String,
    allowAnonymous: Boolean,
    maxRedemptions: Number,
    maxRedemptionsPerCustomer: Number,
    categoryRestricted: Boolean,
    segmentRestricted: Boolean,
    restrictions: Schema.Types.Mixed,
    issuedTo: String,
    mixins: Schema.Types.Mixed,
    metadata: Schema.Types.Mixed,
    redemptionCount: Number,
    remaining: Number,
    leCounts: Schema.Types.Mixed,
    referralCoupon: Boolean,
    deleted: Boolean,
    deletedAt: Date,
  },
  { versionKey: false, minimize: false },
);
// §12.2: one active referral coupon per customer, even under concurrent POSTs.
couponSchema.index(
  { issuedTo: 1 },
  { unique: true, partialFilterExpression: { referralCoupon: true, deleted: false }, name: 'active_referral_per_customer' },
);

export const COUPON_ENTITY = defineEntity<CouponDocument>('coupons', couponSchema);
