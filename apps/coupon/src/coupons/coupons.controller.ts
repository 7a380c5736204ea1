import { Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, Body } from '@nestjs/common';
import { Auth, AuthContext, Authenticated, RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { JsonObjectBodyPipe } from '../common/body.pipe';
import { booleanParam } from '../common/query-params';
import { ReqMeta, RequestMeta } from '../common/request-meta';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponView } from './coupon.mapper';
import { CouponsService } from './coupons.service';
import { sendCreated, sendList } from '../common/responses';

type QueryParams = Record<string, string | undefined>;

/** Operations 1–6 (coupon §6). */
@Controller('coupon/:tenant/coupons')
export class CouponsController {
  constructor(private readonly coupons: CouponsService) {}

  @Get()
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.read)
  async list(@Auth() auth: AuthContext, @Query() query: QueryParams, @Headers('x-total-count') total: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<CouponView[]> {
    return sendList(reply, await this.coupons.list(auth, query, total));
  }

  @Post()
  @RequireScopes(COUPON_SCOPES.manage)
  async create(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Body(JsonObjectBodyPipe) body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ id: string; yrn: string }> {
    return sendCreated(reply, await this.coupons.create(auth, meta, body as Record<string, unknown>));
  }

  @Get(':code')
  @Authenticated()
  get(@Auth() auth: AuthContext, @Param('code') code: string, @Query() query: QueryParams): Promise<CouponView> {
    return this.coupons.get(auth, code, query);
  }

  @Put(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  replace(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('code') code: string, @Query() query: QueryParams, @Body(JsonObjectBodyPipe) body: unknown): Promise<CouponView> {
    return this.coupons.replace(auth, meta, code, body as Record<string, unknown>, booleanParam(query, 'partial'));
  }

  @Patch(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  patch(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('code') code: string, @Body(JsonObjectBodyPipe) body: unknown): Promise<CouponView> {
    return this.coupons.patch(auth, meta, code, body as Record<string, unknown>);
  }

  @Delete(':code')
  @HttpCode(204)
  @RequireScopes(COUPON_SCOPES.manage)
  remove(@Auth() auth: AuthContext, @ReqMeta() meta: RequestMeta, @Param('code') code: string): Promise<void> {
    return this.coupons.remove(auth, meta, code);
  }
}
