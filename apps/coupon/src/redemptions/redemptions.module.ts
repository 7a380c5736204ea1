import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { RedemptionStoreModule } from './redemption-store.module';
import { RedemptionsController } from './redemptions.controller';
import { RedemptionsService } from './redemptions.service';

@Module({ imports: [CouponsModule, RedemptionStoreModule], controllers: [RedemptionsController], providers: [RedemptionsService] })
export class RedemptionsModule {}
