import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { location, Operation, page, TOTAL_COUNT } from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CustomerQueryDto } from '../common/dto/customer-query.dto';
import { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
import { TOTAL_COUNT_HEADERS } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponsService } from './coupons.service';
import { CouponParamsDto } from './dto/coupon-params.dto';
import { ListCouponsQueryDto, ReplaceCouponQueryDto } from './dto/coupon-query.dto';
import { CouponResponseDto } from './dto/coupon.response.dto';
import { CreateCouponDto } from './dto/create-coupon.dto';
import { PatchCouponDto } from './dto/patch-coupon.dto';
import { ReplaceCouponDto } from './dto/replace-coupon.dto';

const UPDATED = { type: CouponResponseDto, description: 'The updated coupon in the manager view.' };

/** Operations 1–6 (coupon §6). */
@ApiTags('Coupons')
@Controller('coupon/:tenant/coupons')
export class CouponsController {
  constructor(private readonly coupons: CouponsService) {}

  @Get()
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.read)
  @Operation({
    id: 'listCoupons',
    summary: 'List coupons',
    headers: [TOTAL_COUNT],
    ok: page(CouponResponseDto, 'Coupons in the manager view.', TOTAL_COUNT_HEADERS),
    errors: [400],
  })
  list(@Ctx() ctx: RequestContext, @Query() query: ListCouponsQueryDto) {
    return this.coupons.list(ctx, query);
  }

  @Post()
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation({
    id: 'createCoupon',
    summary: 'Create a coupon',
    created: {
      type: ResourceLocationDto,
      description: 'Created; `id` is the stored code.',
      headers: location('The URL of the new resource.'),
    },
    errors: [400, 409],
  })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateCouponDto) {
    return this.coupons.create(ctx, body);
  }

  @Get(':code')
  @Authenticated()
  @Operation({
    id: 'getCoupon',
    summary: 'Read a coupon',
    ok: { type: CouponResponseDto, description: 'The manager view, or the customer view (§3.4).' },
    errors: [404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Query() query: CustomerQueryDto) {
    return this.coupons.get(ctx, params.code, query.customerNumber);
  }

  // `?partial=true` turns the body into a merge patch, so it arrives as one and the service judges
  // it as a full replacement (ReplaceCouponDto) or merges it (§6.4).
  @Put(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation({
    id: 'replaceCoupon',
    summary: 'Replace a coupon',
    body: { type: ReplaceCouponDto, description: 'A full coupon; with `partial=true` a merge patch as for PATCH.' },
    ok: UPDATED,
    errors: [400, 404, 409],
  })
  replace(
    @Ctx() ctx: RequestContext,
    @Param() params: CouponParamsDto,
    @Query() query: ReplaceCouponQueryDto,
    @Body() body: PatchCouponDto,
  ) {
    return this.coupons.replace(ctx, params.code, body, query.partial === true);
  }

  @Patch(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation({
    id: 'patchCoupon',
    summary: 'Update a coupon (JSON merge patch)',
    consumes: ['application/json', 'application/merge-patch+json'],
    ok: UPDATED,
    errors: [400, 404, 409],
  })
  patch(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: PatchCouponDto) {
    return this.coupons.patch(ctx, params.code, body);
  }

  @Delete(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation.deleted('deleteCoupon', 'Delete a coupon (soft, or permanent by tenant setting)')
  remove(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto) {
    return this.coupons.remove(ctx, params.code);
  }
}
