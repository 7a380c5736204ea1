import { couponNotFound } from '../common/coupon-errors';
import type { CouponRepository } from '../coupons/coupon.repository';
import { Coupon, liveHolds } from '../coupons/coupon.types';
import { maxRedemptionsReached } from './redeemability';

/**
 * §9.4 steps 1 and 5 for a write that takes a use of the global limit (a redemption's `reserve`, a
 * reservation's `hold`): a guard miss is classified by re-reading the coupon (`404` for a deleted
 * one, `max_redemptions_reached` when uses and live holds fill the limit); a miss that the re-read
 * cannot explain (the limit moved meanwhile: a concurrent update or release) is tried again.
 */
export async function takeGlobalUse(
  coupons: CouponRepository,
  tenant: string,
  coupon: Coupon,
  now: Date,
  write: () => Promise<boolean>,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await write()) return;
    const latest = await coupons.findByCode(tenant, coupon.code);
    if (!latest || latest.deleted) throw couponNotFound(coupon.code);
    if (latest.maxRedemptions !== -1 && latest.redemptionCount + liveHolds(latest.holds, now) >= latest.maxRedemptions) {
      throw maxRedemptionsReached(latest);
    }
  }
  throw maxRedemptionsReached(coupon);
}
