import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { ReferralCouponsController } from './referral-coupons.controller';
import { ReferralCouponsService } from './referral-coupons.service';

@Module({ imports: [CouponsModule], controllers: [ReferralCouponsController], providers: [ReferralCouponsService] })
export class ReferralCouponsModule {}
