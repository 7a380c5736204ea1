import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
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
  @ApiOperation({ summary: "Read a customer's referral coupon", operationId: 'getReferralCoupon' })
  @ApiOkResponse({ type: CouponResponseDto, description: 'The active referral coupon in the referral view.' })
  @ApiNoContentResponse({ description: 'The customer has no active referral coupon.' })
  get(@Ctx() ctx: RequestContext, @Param() params: ReferralParamsDto) {
    return this.referrals.get(ctx, params.customerNumber);
  }

  @Post(':customerNumber')
  @HttpCode(200)
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeemOnBehalf, COUPON_SCOPES.redeem)
  @ApiOperation({ summary: "Get or create a customer's referral coupon", operationId: 'getOrCreateReferralCoupon' })
  @ApiOkResponse({ type: CouponResponseDto, description: 'The active referral coupon (created if there was none) in the referral view.' })
  getOrCreate(@Ctx() ctx: RequestContext, @Param() params: ReferralParamsDto) {
    return this.referrals.getOrCreate(ctx, params.customerNumber);
  }
}
