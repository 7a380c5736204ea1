import { Module } from '@nestjs/common';
import { RedemptionStoreModule } from '../redemptions/redemption-store.module';
import { CouponLookup } from './coupon-lookup.service';
import { CouponRepository } from './coupon.repository';
import { CouponsController } from './coupons.controller';
import { CouponsService } from './coupons.service';

@Module({
  imports: [RedemptionStoreModule],
  controllers: [CouponsController],
  providers: [CouponRepository, CouponLookup, CouponsService],
  exports: [CouponRepository, CouponLookup],
})
export class CouponsModule {}
