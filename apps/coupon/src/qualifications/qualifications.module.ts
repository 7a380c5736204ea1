import { Module } from '@nestjs/common';
import { CouponDataModule } from '../coupons/coupon-data.module';
import { CouponsModule } from '../coupons/coupons.module';
import { RedemptionsModule } from '../redemptions/redemptions.module';
import { QualificationsController } from './qualifications.controller';
import { QualificationsService } from './qualifications.service';

/**
 * Qualifications (README): the coupons that apply to a cart, judged by the redemption rules
 * (CouponEligibility); named codes go through the guessing throttle of CouponsModule.
 */
@Module({
  imports: [CouponDataModule, CouponsModule, RedemptionsModule],
  controllers: [QualificationsController],
  providers: [QualificationsService],
})
export class QualificationsModule {}
