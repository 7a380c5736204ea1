import { DynamicModule, Global, Module } from '@nestjs/common';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { SettingsRepository } from './settings.repository';
import { CouponSettingsService } from './settings.service';

/** App-wide providers: the validated config (STYLE habit 8) and the tenant settings every feature reads. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: CouponConfig): DynamicModule {
    return {
      module: CommonModule,
      providers: [{ provide: COUPON_CONFIG, useValue: config }, SettingsRepository, CouponSettingsService],
      exports: [COUPON_CONFIG, CouponSettingsService],
    };
  }
}
