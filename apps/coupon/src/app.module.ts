import { DynamicModule, Module } from '@nestjs/common';
import { ServiceDefinition, serviceModule } from '@suite/foundation';
import type { Logger } from 'pino';
import { CampaignsModule } from './campaigns/campaigns.module';
import { SettingsRepository } from './common/settings.repository';
import { CouponSettingsService } from './common/settings.service';
import { COUPON_CONFIG, COUPON_SERVICE, CouponConfig, loadCouponConfig, TOTAL_COUNT_HEADERS } from './config/coupon.config';
import { CouponsModule } from './coupons/coupons.module';
import { QualificationsModule } from './qualifications/qualifications.module';
import { RedemptionsModule } from './redemptions/redemptions.module';
import { ReferralCouponsModule } from './referral-coupons/referral-coupons.module';
import { ReservationsModule } from './reservations/reservations.module';

@Module({})
export class AppModule {
  static forRoot(config: CouponConfig, logger?: Logger): DynamicModule {
    return serviceModule(AppModule, COUPON_SERVICE, config, logger, {
      totalCountHeaders: TOTAL_COUNT_HEADERS,
      // The validated config (STYLE habit 8) and the tenant settings every feature reads.
      global: [{ provide: COUPON_CONFIG, useValue: config }, SettingsRepository, CouponSettingsService],
      imports: [CouponsModule, RedemptionsModule, ReferralCouponsModule, ReservationsModule, CampaignsModule, QualificationsModule],
    });
  }
}

/** What runs the coupon app, in its own process (main.ts) or beside the others (`npm start`, tools/app-host.ts). */
export const SERVICE_DEFINITION: ServiceDefinition<CouponConfig> = {
  name: COUPON_SERVICE.name,
  root: AppModule,
  loadConfig: loadCouponConfig,
};
