import { Module } from '@nestjs/common';
import { CouponDataModule } from '../coupons/coupon-data.module';
import { RedemptionsModule } from '../redemptions/redemptions.module';
import { QualificationsController } from './qualifications.controller';
import { QualificationsService } from './qualifications.service';

/** Qualifications (README): the coupons that apply to a cart, judged by the redemption rules (CouponEligibility). */
@Module({
  imports: [CouponDataModule, RedemptionsModule],
  controllers: [QualificationsController],
  providers: [QualificationsService],
})
export class QualificationsModule {}
