import { Module } from '@nestjs/common';
import { CouponDataModule } from '../coupons/coupon-data.module';
import { RedemptionDataModule } from '../redemptions/redemption-data.module';
import { ReservationHolds } from './reservation-holds';
import { ReservationRepository } from './reservation.repository';

/** The reservation records and their holds, shared by reservations and by redemptions that consume one. */
@Module({
  imports: [CouponDataModule, RedemptionDataModule],
  providers: [ReservationRepository, ReservationHolds],
  exports: [ReservationRepository, ReservationHolds],
})
export class ReservationDataModule {}
