import { Inject, Injectable } from '@nestjs/common';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { SettingsRepository } from './settings.repository';

/** A tenant's effective settings (coupon §3.7, §4.2, §6.6, §12.3), defaults applied. */
export interface CouponSettings {
  caseSensitiveCodes: boolean;
  permanentDelete: boolean;
  referral: { codePrefix: string; amount: number; currency: string };
}

/**
 * Reads `<tenant>_coupon_settings` with a short per-tenant cache: every coupon path lookup needs
 * the case rule, and settings change only by deployment tooling, so a few seconds of staleness is
 * the price of not adding a database round trip to every request. The cache key is the tenant.
 */
@Injectable()
export class CouponSettingsService {
  private readonly cache = new Map<string, { at: number; value: Promise<CouponSettings> }>();

  constructor(
    private readonly repository: SettingsRepository,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  get(tenant: string): Promise<CouponSettings> {
    const now = Date.now();
    const hit = this.cache.get(tenant);
    if (hit && now - hit.at < this.config.settingsCacheMs) return hit.value;
    const value = this.load(tenant);
    this.cache.set(tenant, { at: now, value });
    // A failed read must not be cached.
    value.catch(() => this.cache.delete(tenant));
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return value;
  }

  private async load(tenant: string): Promise<CouponSettings> {
    const doc = await this.repository.find(tenant);
    const d = this.config.referralDefaults;
    const r = doc?.referral ?? {};
    return {
      caseSensitiveCodes: doc?.enableCouponCodeCaseSensitivity === true,
      permanentDelete: doc?.couponPermanentDelete === true,
      referral: {
        codePrefix: typeof r.codePrefix === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(r.codePrefix) ? r.codePrefix : d.codePrefix,
        amount: typeof r.amount === 'number' && Number.isFinite(r.amount) && r.amount >= 0 ? r.amount : d.amount,
        currency: typeof r.currency === 'string' && /^[A-Z]{3}$/.test(r.currency) ? r.currency : d.currency,
      },
    };
  }
}
