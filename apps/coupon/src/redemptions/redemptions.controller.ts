import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CustomerQueryDto } from '../common/dto/customer-query.dto';
import { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
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
  @HttpCode(200)
  @RequireScopes(COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @ApiOperation({ summary: 'Validate a redemption (dry run, nothing is written)', operationId: 'validateRedemption' })
  @ApiOkResponse({ description: 'The coupon can be redeemed so; the body is empty.' })
  @ApiErrors(400, 404, 503)
  validate(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: CreateRedemptionDto) {
    return this.redemptions.validate(ctx, params.code, body);
  }

  @Get('redemptions')
  @RequireScopes(COUPON_SCOPES.manage)
  @ApiOperation({ summary: 'List the redemptions of a coupon', operationId: 'listRedemptions' })
  @ApiHeader({
    name: 'X-Total-Count',
    required: false,
    description: '`true` (any letter case) asks for the count, like `totalCount=true` (PAG-6).',
  })
  @ApiOkResponse({
    type: RedemptionResponseDto,
    isArray: true,
    description: 'The redemptions, newest first by default.',
    headers: {
      'X-Total-Count': { description: 'The number of matches, when it was asked for.', schema: { type: 'integer' } },
      'Items-Count': { description: 'The same number (coupon §1.6).', schema: { type: 'integer' } },
    },
  })
  @ApiErrors(400, 404)
  list(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Query() query: ListRedemptionsQueryDto) {
    return this.redemptions.list(ctx, params.code, query);
  }

  @Post('redemptions')
  @RequireScopes(COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @ApiOperation({ summary: 'Redeem a coupon', operationId: 'createRedemption' })
  @ApiCreatedResponse({
    type: ResourceLocationDto,
    description: 'Redeemed; `id` is the redemption id.',
    headers: { Location: { description: 'The URL of the new redemption.', schema: { type: 'string' } } },
  })
  @ApiErrors(400, 404, 409, 503)
  redeem(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: CreateRedemptionDto) {
    return this.redemptions.redeem(ctx, params.code, body);
  }

  @Get('redemptions/:id')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @ApiOperation({ summary: 'Read a redemption', operationId: 'getRedemption' })
  @ApiOkResponse({ type: RedemptionResponseDto, description: 'The redemption.' })
  @ApiErrors(404)
  get(@Ctx() ctx: RequestContext, @Param() params: RedemptionParamsDto, @Query() query: CustomerQueryDto) {
    return this.redemptions.get(ctx, params.code, params.id, query.customerNumber);
  }

  @Delete('redemptions/:id')
  @RequireScopes(COUPON_SCOPES.manage)
  @ApiOperation({ summary: 'Delete a redemption and give the use back', operationId: 'deleteRedemption' })
  @ApiNoContentResponse({ description: 'Deleted; the use and the per-customer allowance are given back.' })
  @ApiErrors(404)
  remove(@Ctx() ctx: RequestContext, @Param() params: RedemptionParamsDto) {
    return this.redemptions.remove(ctx, params.code, params.id);
  }
}
