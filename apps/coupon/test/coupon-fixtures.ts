import { newMetadata } from '@suite/api-kit';
import type { CouponFields } from '../src/coupons/coupon.types';

/** A plain absolute-discount coupon for repository specs: `maxRedemptions` uses, no per-customer limit. */
export const sampleCouponFields = (maxRedemptions: number): CouponFields => ({
  name: 'n',
  discountType: 'ABSOLUTE',
  discountAbsolute: { amount: 1, currency: 'EUR' },
  discountCalculationType: 'SUBTOTAL',
  allowAnonymous: false,
  maxRedemptions,
  maxRedemptionsPerCustomer: -1,
  categoryRestricted: false,
  segmentRestricted: false,
  restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [] },
});

/** The stored extras of a new, non-referral coupon. */
export const sampleCouponMeta = () => ({ referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) });
