import { Module } from '@nestjs/common';
import { CouponDataModule } from '../coupons/coupon-data.module';
import { ReferralCouponsController } from './referral-coupons.controller';
import { ReferralCouponsService } from './referral-coupons.service';

/** Operations 12 and 13: referral coupons are coupons, stored with the others. */
@Module({ imports: [CouponDataModule], controllers: [ReferralCouponsController], providers: [ReferralCouponsService] })
export class ReferralCouponsModule {}
