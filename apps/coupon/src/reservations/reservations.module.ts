import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { RedemptionsModule } from '../redemptions/redemptions.module';
import { ReservationDataModule } from './reservation-data.module';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';

/** Reservations (README "Reservations"). */
@Module({
  imports: [CouponsModule, RedemptionsModule, ReservationDataModule],
  controllers: [ReservationsController],
  providers: [ReservationsService],
})
export class ReservationsModule {}
