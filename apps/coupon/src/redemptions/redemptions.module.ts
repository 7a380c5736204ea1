import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { CouponDataModule } from '../coupons/coupon-data.module';
import { CouponsModule } from '../coupons/coupons.module';
import { CouponEligibility } from './eligibility.service';
import { ReservationDataModule } from '../reservations/reservation-data.module';
import { RedemptionDataModule } from './redemption-data.module';
import { RedemptionEvents } from './redemption-events';
import { RedemptionsController } from './redemptions.controller';
import { RedemptionsService } from './redemptions.service';

/** Operations 7–11: validation, redemption and the redemption records. */
@Module({
  imports: [CouponsModule, CouponDataModule, RedemptionDataModule, ReservationDataModule, ClientsModule],
  controllers: [RedemptionsController],
  providers: [RedemptionsService, CouponEligibility, RedemptionEvents],
  exports: [CouponEligibility],
})
export class RedemptionsModule {}
