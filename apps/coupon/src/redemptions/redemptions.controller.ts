import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { Auth, AuthContext, RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { DtoBodyPipe } from '../common/body.pipe';
import { ReqMeta, RequestMeta } from '../common/request-meta';
import { sendCreated, sendList } from '../common/responses';
import { COUPON_SCOPES } from '../coupon.scopes';
import { RedemptionBodyDto, redemptionCrossChecks } from './dto/redemption-body.dto';
import { RedemptionView } from './redemption.mapper';
import { RedemptionsService } from './redemptions.service';

type QueryParams = Record<string, string | undefined>;
const redemptionBody = new DtoBodyPipe(RedemptionBodyDto, redemptionCrossChecks);

/** Operations 7–11 (coupon §7). */
@Controller('coupon/:tenant/coupons/:code')
export class RedemptionsController {
  constructor(private readonly redemptions: RedemptionsService) {}

  @Post('validation')
  @HttpCode(200)
  @RequireScopes(COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  validate(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('code') code: string, @Body(redemptionBody) body: unknown): Promise<void> {
    return this.redemptions.validate(auth, meta, code, body as RedemptionBodyDto);
  }

  @Get('redemptions')
  @RequireScopes(COUPON_SCOPES.manage)
  async list(@Auth() auth: AuthContext, @Param('code') code: string, @Query() query: QueryParams, @Headers('x-total-count') total: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<RedemptionView[]> {
    return sendList(reply, await this.redemptions.list(auth, code, query, total));
  }

  @Post('redemptions')
  @RequireScopes(COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  async redeem(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('code') code: string, @Body(redemptionBody) body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ id: string; yrn: string }> {
    return sendCreated(reply, await this.redemptions.redeem(auth, meta, code, body as RedemptionBodyDto));
  }

  @Get('redemptions/:id')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  get(@Auth() auth: AuthContext, @Param('code') code: string, @Param('id') id: string, @Query() query: QueryParams): Promise<RedemptionView> {
    return this.redemptions.get(auth, code, id, query);
  }

  @Delete('redemptions/:id')
  @HttpCode(204)
  @RequireScopes(COUPON_SCOPES.manage)
  remove(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('code') code: string, @Param('id') id: string): Promise<void> {
    return this.redemptions.remove(auth, meta, code, id);
  }
}
