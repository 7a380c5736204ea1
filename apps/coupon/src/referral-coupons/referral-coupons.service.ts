import { Injectable } from '@nestjs/common';
import { ApiError, EVENT_TYPES, newMetadata, Outcome } from '@suite/api-kit';
import type { AuthContext, RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { notAllowedFor } from '../common/coupon-errors';
import { CouponSettingsService } from '../common/settings.service';
import { COUPON_SCOPES } from '../coupon.scopes';
import { normalizeCode, randomCode } from '../coupons/coupon-code';
import { toManagerView, toReferralView } from '../coupons/coupon.mapper';
import { CouponRepository } from '../coupons/coupon.repository';
import type { CouponFields } from '../coupons/coupon.types';
import type { CouponResponseDto } from '../coupons/dto/coupon.response.dto';

/** Referral coupons (operations 12 and 13, coupon §12). */
@Injectable()
export class ReferralCouponsService {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly settings: CouponSettingsService,
    private readonly events: ChangeEvents,
  ) {}

  /** Operation 12: the active referral coupon, or `204` without one. */
  async get(ctx: RequestContext, customerNumber: string): Promise<CouponResponseDto | Outcome<never>> {
    this.authorise(ctx.auth, customerNumber, [COUPON_SCOPES.manage, COUPON_SCOPES.read, COUPON_SCOPES.redeemOnBehalf]);
    const coupon = await this.coupons.findActiveReferral(ctx.tenant, customerNumber);
    return coupon ? toReferralView(coupon, new Date()) : Outcome.noContent();
  }

  /**
   * Operation 13: get-or-create. The partial unique index on `issuedTo` (active referral coupons)
   * makes "one per customer" hold under concurrent POSTs: the loser of the insert race reads and
   * returns the winner's coupon. A clash on the random code itself is retried with a new code.
   */
  async getOrCreate(ctx: RequestContext, customerNumber: string): Promise<CouponResponseDto> {
    this.authorise(ctx.auth, customerNumber, [COUPON_SCOPES.manage, COUPON_SCOPES.redeemOnBehalf]);
    const tenant = ctx.tenant;
    const existing = await this.coupons.findActiveReferral(tenant, customerNumber);
    if (existing) return toReferralView(existing, new Date());
    const settings = await this.settings.get(tenant);
    const { codePrefix, amount, currency } = settings.referral;
    const fields: CouponFields = {
      name: `Referral coupon ${customerNumber}`,
      description: `Referral coupon of customer ${customerNumber}`,
      discountType: 'ABSOLUTE',
      discountAbsolute: { amount, currency },
      discountCalculationType: 'SUBTOTAL',
      allowAnonymous: true,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      categoryRestricted: false,
      segmentRestricted: false,
      restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [] },
      issuedTo: customerNumber,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date();
      const code = normalizeCode(`${codePrefix}_${randomCode(6)}`, settings.caseSensitiveCodes);
      const outcome = await this.coupons.insert(tenant, code, fields, { referralCoupon: true, metadata: newMetadata(now, undefined, 0) });
      if (outcome === 'duplicate_code') continue;
      const coupon = await this.coupons.findActiveReferral(tenant, customerNumber);
      // A winner that was soft-deleted in between is vanishingly rare; the client may simply retry.
      if (!coupon) throw ApiError.internal(new Error('referral coupon vanished after insert'));
      if (outcome === 'inserted') {
        await this.events.emit(ctx, {
          type: EVENT_TYPES.coupon.created,
          subject: coupon.code,
          version: 0,
          time: now,
          data: toManagerView(coupon, now),
        });
      }
      return toReferralView(coupon, now);
    }
    throw ApiError.internal(new Error('no free referral code after 5 attempts'));
  }

  /**
   * §12.1/§12.2: the customer themself, or a privileged caller for anyone. Anonymous tokens and
   * other customers get 403.
   */
  private authorise(auth: AuthContext, customerNumber: string, privileged: string[]): void {
    if (auth.hasAnyScope(...privileged)) return;
    if (auth.principalType === 'customer' && auth.customerId === customerNumber) return;
    throw notAllowedFor(`The caller may not access the referral coupon of customer ${customerNumber}.`);
  }
}
