import { Injectable } from '@nestjs/common';
import { CouponSettingsService } from '../common/settings.service';
import { couponNotFound } from '../common/coupon-errors';
import { CODE_PATTERN } from './coupon-code';
import { CouponRepository } from './coupon.repository';
import type { Coupon } from './coupon.types';

/**
 * Finds the coupon a path `{code}` names (§4.2): upper-cased first unless the tenant is case
 * sensitive, then the exact value, for codes created while the setting was on. A value outside
 * the code format cannot exist (404 without a database call).
 */
@Injectable()
export class CouponLookup {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly settings: CouponSettingsService,
  ) {}

  /** The coupon, soft-deleted ones included, or null. */
  async find(tenant: string, pathCode: string): Promise<Coupon | null> {
    if (!CODE_PATTERN.test(pathCode)) return null;
    const { caseSensitiveCodes } = await this.settings.get(tenant);
    if (caseSensitiveCodes) return this.coupons.findByCode(tenant, pathCode);
    const upper = pathCode.toUpperCase();
    const found = await this.coupons.findByCode(tenant, upper);
    if (found || upper === pathCode) return found;
    return this.coupons.findByCode(tenant, pathCode);
  }

  /** The coupon unless missing or soft-deleted (both 404, §6.6). */
  async findActive(tenant: string, pathCode: string): Promise<Coupon> {
    const coupon = await this.find(tenant, pathCode);
    if (!coupon || coupon.deleted) throw couponNotFound(pathCode);
    return coupon;
  }
}
