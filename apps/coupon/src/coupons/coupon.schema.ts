import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Coupon, Hold } from './coupon.types';

/**
 * `<tenant>_coupons` (coupon §3.7). `_id` is the stored code, so the primary key also keeps codes
 * of soft-deleted coupons reserved. Internal fields support atomic bookkeeping: `remaining` is
 * always `maxRedemptions − redemptionCount` (negative and meaningless when unlimited), so the
 * common guard needs no `$expr`; `holds` lists the reservations that count against the limit
 * until their instant (README "Reservations"); `leCounts` maps hex-encoded legal-entity ids to
 * counts (hex, because an id may hold `.` or `$`, which cannot be part of an update path).
 */
export interface CouponDocument extends Omit<Coupon, 'code' | 'legalEntityCounts' | 'holds'> {
  _id: string;
  remaining: number;
  leCounts?: Record<string, number>;
  holds?: Hold[];
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
    automatic: Boolean,
    restrictions: Schema.Types.Mixed,
    issuedTo: String,
    mixins: Schema.Types.Mixed,
    metadata: Schema.Types.Mixed,
    redemptionCount: Number,
    remaining: Number,
    leCounts: Schema.Types.Mixed,
    holds: Schema.Types.Mixed,
    referralCoupon: Boolean,
    deleted: Boolean,
    deletedAt: Date,
    campaignId: String,
  },
  { versionKey: false, minimize: false },
);
// §12.2: one active referral coupon per customer, even under concurrent POSTs.
couponSchema.index(
  { issuedTo: 1 },
  { unique: true, partialFilterExpression: { referralCoupon: true, deleted: false }, name: 'active_referral_per_customer' },
);

// Code campaigns: a campaign's coupons are counted, exported and deleted by this key (not sparse or
// partial: the embedded server's planner uses neither for queries).
couponSchema.index({ campaignId: 1 }, { name: 'campaign' });

// Qualifications (README): a customer's candidates are read with one `$or` whose every branch has
// an index (automatic coupons, coupons issued to the customer, coupons listing it in `validFor`;
// named codes use `_id`). Not partial: the embedded server's planner does not use partial indexes.
// `deleted` is filtered after the index, not part of it, so a soft delete (of a whole campaign)
// rewrites none of these entries.
couponSchema.index({ automatic: 1 }, { name: 'automatic_coupons' });
couponSchema.index({ issuedTo: 1, _id: 1 }, { name: 'issued_to' });
couponSchema.index({ 'restrictions.validFor': 1 }, { name: 'valid_for' });

export const COUPON_ENTITY = defineEntity<CouponDocument>('coupons', couponSchema);
