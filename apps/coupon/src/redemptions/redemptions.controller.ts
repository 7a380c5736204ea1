import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { location, Operation, page, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { Idempotent } from '@suite/persistence';
import { CustomerQueryDto } from '../common/dto/customer-query.dto';
import { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
import { TOTAL_COUNT_HEADERS } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponParamsDto } from '../coupons/dto/coupon-params.dto';
import { DiscountQuoteDto } from './dto/discount-quote.response.dto';
import { RedeemDto } from './dto/redeem.dto';
import { RollbackDto } from './dto/rollback.dto';
import { RedemptionParamsDto } from './dto/redemption-params.dto';
import { ListRedemptionsQueryDto } from './dto/redemption-query.dto';
import { RedemptionResponseDto } from './dto/redemption.response.dto';
import { ValidateRedemptionDto, validationRequestRule, ValidationQueryDto } from './dto/validate-redemption.dto';
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
    description:
      'Suite extensions (README): `quote=true` answers what the coupon is worth on this order; `explain=true` lists every failing rule.',
    ok: { type: DiscountQuoteDto, description: 'The coupon can be redeemed so; the body is empty unless `quote=true`.' },
    errors: [400, 404, 503],
    httpCode: 200,
    validate: { rules: [validationRequestRule] },
  })
  validate(
    @Ctx() ctx: RequestContext,
    @Param() params: CouponParamsDto,
    @Query() query: ValidationQueryDto,
    @Body() body: ValidateRedemptionDto,
  ) {
    return this.redemptions.validate(ctx, params.code, body, query);
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
  @Idempotent()
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
  redeem(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: RedeemDto) {
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

  @Post('redemptions/:id/rollback')
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.redeemOnBehalf)
  @Operation({
    id: 'rollbackRedemption',
    summary: 'Roll a redemption back: give its use back exactly once and keep the record for audit',
    description:
      'Suite extension (README "Rollback"). Repeated or concurrent calls give the use back once; ' +
      'every call answers the rolled-back redemption.',
    ok: { type: RedemptionResponseDto, description: 'The redemption, rolled back.' },
    errors: [400, 404],
    httpCode: 200,
    validate: { optionalBody: true },
  })
  rollBack(@Ctx() ctx: RequestContext, @Param() params: RedemptionParamsDto, @Body() body: RollbackDto) {
    return this.redemptions.rollBack(ctx, params.code, params.id, body);
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
