import { Module } from '@nestjs/common';
import { windowCountersProvider } from '@suite/persistence';
import { RedemptionDataModule } from '../redemptions/redemption-data.module';
import { ReservationDataModule } from '../reservations/reservation-data.module';
import { CODE_GUESS_COLLECTION, CODE_GUESS_COUNTERS, CodeGuessThrottle } from './code-guess-throttle';
import { CouponDataModule } from './coupon-data.module';
import { CouponLookup } from './coupon-lookup.service';
import { CouponsController } from './coupons.controller';
import { CouponsService } from './coupons.service';

/**
 * Operations 1–6. A permanent delete also removes the coupon's redemption records and counters.
 * Exports the code lookup every `{code}` route uses, with its guessing throttle.
 */
@Module({
  imports: [CouponDataModule, RedemptionDataModule, ReservationDataModule],
  controllers: [CouponsController],
  providers: [windowCountersProvider(CODE_GUESS_COUNTERS, CODE_GUESS_COLLECTION), CodeGuessThrottle, CouponLookup, CouponsService],
  exports: [CouponLookup, CodeGuessThrottle],
})
export class CouponsModule {}
