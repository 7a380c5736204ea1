import { DynamicModule, Module } from '@nestjs/common';
import { ApiKitModule } from '@suite/api-kit';
import { AuthModule } from '@suite/auth';
import { PersistenceModule, translateMongoError } from '@suite/persistence';
import type { Logger } from 'pino';
import { CommonModule } from './common/common.module';
import { CouponConfig, DATABASE_NAME, SERVICE_NAME } from './config/coupon.config';
import { CouponsModule } from './coupons/coupons.module';
import { RedemptionsModule } from './redemptions/redemptions.module';
import { ReferralCouponsModule } from './referral-coupons/referral-coupons.module';

@Module({})
export class AppModule {
  static forRoot(config: CouponConfig, logger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ApiKitModule.forRoot({
          service: SERVICE_NAME,
          errorProfile: 'coupon',
          errorTranslators: [translateMongoError],
          logger,
          // PAG-6 / coupon §1.6: a requested total goes into both headers.
          totalCountHeaders: ['X-Total-Count', 'Items-Count'],
        }),
        PersistenceModule.forRoot({
          uri: config.mongodbUri,
          dbName: DATABASE_NAME,
          serverSelectionTimeoutMS: config.serverSelectionTimeoutMS,
        }),
        AuthModule.forRoot(config.auth),
        CommonModule.forRoot(config),
        CouponsModule,
        RedemptionsModule,
        ReferralCouponsModule,
      ],
    };
  }
}
