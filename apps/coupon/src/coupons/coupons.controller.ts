import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CustomerQueryDto } from '../common/dto/customer-query.dto';
import { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponsService } from './coupons.service';
import { CouponParamsDto } from './dto/coupon-params.dto';
import { ListCouponsQueryDto, ReplaceCouponQueryDto } from './dto/coupon-query.dto';
import { CouponResponseDto } from './dto/coupon.response.dto';
import { CreateCouponDto } from './dto/create-coupon.dto';
import { PatchCouponDto } from './dto/patch-coupon.dto';
import { ReplaceCouponDto } from './dto/replace-coupon.dto';

const TOTAL_COUNT_REQUEST = {
  name: 'X-Total-Count',
  required: false,
  description: '`true` (any letter case) asks for the count, like `totalCount=true` (PAG-6).',
};
const TOTAL_COUNT_RESPONSE = {
  'X-Total-Count': { description: 'The number of matches, when it was asked for.', schema: { type: 'integer' } },
  'Items-Count': { description: 'The same number (coupon §1.6).', schema: { type: 'integer' } },
};
const LOCATION = { Location: { description: 'The URL of the new resource.', schema: { type: 'string' } } };

/** Operations 1–6 (coupon §6). */
@ApiTags('Coupons')
@Controller('coupon/:tenant/coupons')
export class CouponsController {
  constructor(private readonly coupons: CouponsService) {}

  @Get()
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.read)
  @ApiOperation({ summary: 'List coupons', operationId: 'listCoupons' })
  @ApiHeader(TOTAL_COUNT_REQUEST)
  @ApiOkResponse({ type: CouponResponseDto, isArray: true, description: 'Coupons in the manager view.', headers: TOTAL_COUNT_RESPONSE })
  @ApiErrors(400)
  list(@Ctx() ctx: RequestContext, @Query() query: ListCouponsQueryDto) {
    return this.coupons.list(ctx, query);
  }

  @Post()
  @RequireScopes(COUPON_SCOPES.manage)
  @ApiOperation({ summary: 'Create a coupon', operationId: 'createCoupon' })
  @ApiCreatedResponse({ type: ResourceLocationDto, description: 'Created; `id` is the stored code.', headers: LOCATION })
  @ApiErrors(400, 409)
  create(@Ctx() ctx: RequestContext, @Body() body: CreateCouponDto) {
    return this.coupons.create(ctx, body);
  }

  @Get(':code')
  @Authenticated()
  @ApiOperation({ summary: 'Read a coupon', operationId: 'getCoupon' })
  @ApiOkResponse({ type: CouponResponseDto, description: 'The manager view, or the customer view (§3.4).' })
  @ApiErrors(404)
  get(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Query() query: CustomerQueryDto) {
    return this.coupons.get(ctx, params.code, query.customerNumber);
  }

  // `?partial=true` turns the body into a merge patch, so it arrives as one and the service judges
  // it as a full replacement (ReplaceCouponDto) or merges it (§6.4).
  @Put(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  @ApiOperation({ summary: 'Replace a coupon', operationId: 'replaceCoupon' })
  @ApiBody({ type: ReplaceCouponDto, description: 'A full coupon; with `partial=true` a merge patch as for PATCH.' })
  @ApiOkResponse({ type: CouponResponseDto, description: 'The updated coupon in the manager view.' })
  @ApiErrors(400, 404, 409)
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
  @ApiOperation({ summary: 'Update a coupon (JSON merge patch)', operationId: 'patchCoupon' })
  @ApiConsumes('application/json', 'application/merge-patch+json')
  @ApiOkResponse({ type: CouponResponseDto, description: 'The updated coupon in the manager view.' })
  @ApiErrors(400, 404, 409)
  patch(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: PatchCouponDto) {
    return this.coupons.patch(ctx, params.code, body);
  }

  @Delete(':code')
  @RequireScopes(COUPON_SCOPES.manage)
  @ApiOperation({ summary: 'Delete a coupon (soft, or permanent by tenant setting)', operationId: 'deleteCoupon' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  remove(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto) {
    return this.coupons.remove(ctx, params.code);
  }
}
