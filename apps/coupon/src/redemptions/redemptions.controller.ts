import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { location, Operation, page, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CustomerQueryDto } from '../common/dto/customer-query.dto';
import { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
import { TOTAL_COUNT_HEADERS } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponParamsDto } from '../coupons/dto/coupon-params.dto';
import { CreateRedemptionDto } from './dto/create-redemption.dto';
import { RedemptionParamsDto } from './dto/redemption-params.dto';
import { ListRedemptionsQueryDto } from './dto/redemption-query.dto';
import { RedemptionResponseDto } from './dto/redemption.response.dto';
import { RedemptionsService } from './redemptions.service';

/** Operations 7–11 (coupon §7). */
@ApiTags('Redemptions')
@Controller('coupon/:tenant/coupons/:code')
export class RedemptionsController {
  constructor(private readonly redemptions: RedemptionsService) {}

  @Post('validation')
  @RequireScopes(COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @Operation({
    id: 'validateRedemption',
    summary: 'Validate a redemption (dry run, nothing is written)',
    ok: 'The coupon can be redeemed so; the body is empty.',
    errors: [400, 404, 503],
    httpCode: 200,
  })
  validate(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: CreateRedemptionDto) {
    return this.redemptions.validate(ctx, params.code, body);
  }

  @Get('redemptions')
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation({
    id: 'listRedemptions',
    summary: 'List the redemptions of a coupon',
    headers: [TOTAL_COUNT],
    ok: page(RedemptionResponseDto, 'The redemptions, newest first by default.', TOTAL_COUNT_HEADERS),
    errors: [400, 404],
  })
  list(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Query() query: ListRedemptionsQueryDto) {
    return this.redemptions.list(ctx, params.code, query);
  }

  @Post('redemptions')
  @RequireScopes(COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @Operation({
    id: 'createRedemption',
    summary: 'Redeem a coupon',
    created: {
      type: ResourceLocationDto,
      description: 'Redeemed; `id` is the redemption id.',
      headers: location('The URL of the new redemption.'),
    },
    errors: [400, 404, 409, 503],
  })
  redeem(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: CreateRedemptionDto) {
    return this.redemptions.redeem(ctx, params.code, body);
  }

  @Get('redemptions/:id')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @Operation({
    id: 'getRedemption',
    summary: 'Read a redemption',
    ok: { type: RedemptionResponseDto, description: 'The redemption.' },
    errors: [404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: RedemptionParamsDto, @Query() query: CustomerQueryDto) {
    return this.redemptions.get(ctx, params.code, params.id, query.customerNumber);
  }

  @Delete('redemptions/:id')
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation.deleted('deleteRedemption', 'Delete a redemption and give the use back', {
    noContent: 'Deleted; the use and the per-customer allowance are given back.',
  })
  remove(@Ctx() ctx: RequestContext, @Param() params: RedemptionParamsDto) {
    return this.redemptions.remove(ctx, params.code, params.id);
  }
}
