import { Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { Idempotent } from '@suite/persistence';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponResponseDto } from '../coupons/dto/coupon.response.dto';
import { ReferralParamsDto } from './dto/referral-params.dto';
import { ReferralCouponsService } from './referral-coupons.service';

/**
 * Operations 12 and 13 (coupon §12). Customers reach them through `coupon_redeem` for themselves
 * (checked in the service). The POST takes no body; one that is sent is ignored (§12.2).
 */
@ApiTags('Referral coupons')
@Controller('coupon/:tenant/referral-coupons')
export class ReferralCouponsController {
  constructor(private readonly referrals: ReferralCouponsService) {}

  @Get(':customerNumber')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.read, COUPON_SCOPES.redeemOnBehalf, COUPON_SCOPES.redeem)
  @Operation({
    id: 'getReferralCoupon',
    summary: "Read a customer's referral coupon",
    ok: { type: CouponResponseDto, description: 'The active referral coupon in the referral view.' },
    noContent: 'The customer has no active referral coupon.',
  })
  get(@Ctx() ctx: RequestContext, @Param() params: ReferralParamsDto) {
    return this.referrals.get(ctx, params.customerNumber);
  }

  @Post(':customerNumber')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeemOnBehalf, COUPON_SCOPES.redeem)
  @Idempotent()
  @Operation({
    id: 'getOrCreateReferralCoupon',
    summary: "Get or create a customer's referral coupon",
    ok: { type: CouponResponseDto, description: 'The active referral coupon (created if there was none) in the referral view.' },
    httpCode: 200,
  })
  getOrCreate(@Ctx() ctx: RequestContext, @Param() params: ReferralParamsDto) {
    return this.referrals.getOrCreate(ctx, params.customerNumber);
  }
}
