import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { Auth, AuthContext, RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { ReqMeta, RequestMeta } from '../common/request-meta';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponView } from '../coupons/coupon.mapper';
import { ReferralCouponsService } from './referral-coupons.service';

/** Operations 12 and 13 (coupon §12). Customers reach them through `coupon_redeem` for themselves. */
@Controller('coupon/:tenant/referral-coupons')
export class ReferralCouponsController {
  constructor(private readonly referrals: ReferralCouponsService) {}

  @Get(':customerNumber')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.read, COUPON_SCOPES.redeemOnBehalf, COUPON_SCOPES.redeem)
  async get(@Auth() auth: AuthContext, @Param('customerNumber') customerNumber: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Partial<CouponView> | undefined> {
    const view = await this.referrals.get(auth, customerNumber);
    if (!view) reply.status(204);
    return view;
  }

  @Post(':customerNumber')
  @HttpCode(200)
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeemOnBehalf, COUPON_SCOPES.redeem)
  getOrCreate(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('customerNumber') customerNumber: string): Promise<Partial<CouponView>> {
    return this.referrals.getOrCreate(auth, meta, customerNumber);
  }
}
