import { Module } from '@nestjs/common';
import { RedemptionDataModule } from '../redemptions/redemption-data.module';
import { ReservationDataModule } from '../reservations/reservation-data.module';
import { CouponDataModule } from './coupon-data.module';
import { CouponLookup } from './coupon-lookup.service';
import { CouponsController } from './coupons.controller';
import { CouponsService } from './coupons.service';

/** Operations 1–6. A permanent delete also removes the coupon's redemption records and counters. */
@Module({
  imports: [CouponDataModule, RedemptionDataModule, ReservationDataModule],
  controllers: [CouponsController],
  providers: [CouponLookup, CouponsService],
  exports: [CouponLookup],
})
export class CouponsModule {}
