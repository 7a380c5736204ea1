import { DynamicModule, Global, Module } from '@nestjs/common';
import type { CouponConfig } from './config/coupon.config';
import { COUPON_CONFIG } from './coupon.tokens';
import { CouponEvents } from './events/coupon-events';
import { CouponSettingsService } from './settings/coupon-settings.service';
import { SettingsRepository } from './settings/settings.repository';
import { CustomerSegmentClient, customerSegmentClientProvider } from './clients/customer-segment.client';

/** What every coupon feature shares: the config, tenant settings, events and the segment client. */
@Global()
@Module({})
export class CouponCoreModule {
  static forRoot(config: CouponConfig): DynamicModule {
    return {
      module: CouponCoreModule,
      providers: [{ provide: COUPON_CONFIG, useValue: config }, SettingsRepository, CouponSettingsService, CouponEvents, customerSegmentClientProvider],
      exports: [COUPON_CONFIG, CouponSettingsService, CouponEvents, CustomerSegmentClient],
    };
  }
}
