import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@suite/auth';
import { CouponSettingsService } from '../common/settings.service';
import { couponNotFound } from '../common/coupon-errors';
import { CodeGuessThrottle } from './code-guess-throttle';
import { CODE_PATTERN } from './coupon-code';
import { CouponRepository } from './coupon.repository';
import type { Coupon } from './coupon.types';

/**
 * Finds the coupon a path `{code}` names (§4.2): upper-cased first unless the tenant is case
 * sensitive, then the exact value, for codes created while the setting was on. A value outside
 * the code format cannot exist (404 without a database call). Every lookup goes through the
 * guessing throttle: a code that does not exist counts against the caller, and a caller that has
 * used up its failures gets 429 instead of an answer ({@link CodeGuessThrottle}).
 */
@Injectable()
export class CouponLookup {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly settings: CouponSettingsService,
    private readonly guesses: CodeGuessThrottle,
  ) {}

  /**
   * The coupon, soft-deleted ones included, or null. `named` is the customer number the request
   * names (a body or query `customerNumber`), which keys the throttle for on-behalf callers.
   */
  find(ctx: RequestContext, pathCode: string, named?: string): Promise<Coupon | null> {
    return this.guesses.lookup(ctx, named, async () => {
      const coupon = await this.byCode(ctx.tenant, pathCode);
      return { value: coupon, unknown: coupon ? 0 : 1 };
    });
  }

  /** The coupon unless missing or soft-deleted (both 404, §6.6). */
  async findActive(ctx: RequestContext, pathCode: string, named?: string): Promise<Coupon> {
    const coupon = await this.find(ctx, pathCode, named);
    if (!coupon || coupon.deleted) throw couponNotFound(pathCode);
    return coupon;
  }

  private async byCode(tenant: string, pathCode: string): Promise<Coupon | null> {
    if (!CODE_PATTERN.test(pathCode)) return null;
    const { caseSensitiveCodes } = await this.settings.get(tenant);
    if (caseSensitiveCodes) return this.coupons.findByCode(tenant, pathCode);
    const upper = pathCode.toUpperCase();
    const found = await this.coupons.findByCode(tenant, upper);
    if (found || upper === pathCode) return found;
    return this.coupons.findByCode(tenant, pathCode);
  }
}
