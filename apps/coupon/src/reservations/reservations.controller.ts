import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { location, Operation, page, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { Idempotent } from '@suite/persistence';
import { CustomerQueryDto } from '../common/dto/customer-query.dto';
import { TOTAL_COUNT_HEADERS } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponParamsDto } from '../coupons/dto/coupon-params.dto';
import { CreateReservationDto } from './dto/create-reservation.dto';
import { ReservationParamsDto } from './dto/reservation-params.dto';
import { ListReservationsQueryDto } from './dto/reservation-query.dto';
import { ReservationResponseDto } from './dto/reservation.response.dto';
import { ReservationsService } from './reservations.service';

const { manage, read, redeem, redeemOnBehalf } = COUPON_SCOPES;

/** Reservations (suite extension, README "Reservations"): hold one use for a checkout, then redeem, release or let expire. */
@ApiTags('Reservations')
@Controller('coupon/:tenant/coupons/:code/reservations')
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  @Post()
  @RequireScopes(redeem, redeemOnBehalf)
  @Idempotent()
  @Operation({
    id: 'createReservation',
    summary: 'Hold one use of a coupon for a customer until it is redeemed, released or expires',
    created: {
      type: ReservationResponseDto,
      description: 'Held: the use counts against the limits until `expiresAt`.',
      headers: location('The URL of the reservation.'),
    },
    errors: [400, 404, 409, 503],
  })
  create(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Body() body: CreateReservationDto) {
    return this.reservations.create(ctx, params.code, body);
  }

  @Get()
  @RequireScopes(manage, read, redeem, redeemOnBehalf)
  @Operation({
    id: 'listReservations',
    summary: 'List the reservations of a coupon (managers: all; customers: their own)',
    headers: [TOTAL_COUNT],
    ok: page(ReservationResponseDto, 'The reservations, newest first by default.', TOTAL_COUNT_HEADERS),
    errors: [400, 404],
  })
  list(@Ctx() ctx: RequestContext, @Param() params: CouponParamsDto, @Query() query: ListReservationsQueryDto) {
    return this.reservations.list(ctx, params.code, query);
  }

  @Get(':reservationId')
  @RequireScopes(manage, read, redeem, redeemOnBehalf)
  @Operation({
    id: 'getReservation',
    summary: 'Read a reservation',
    ok: { type: ReservationResponseDto, description: 'The reservation and its status now.' },
    errors: [404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: ReservationParamsDto, @Query() query: CustomerQueryDto) {
    return this.reservations.get(ctx, params.code, params.reservationId, query.customerNumber);
  }

  @Delete(':reservationId')
  @RequireScopes(manage, redeem, redeemOnBehalf)
  @Operation.deleted('releaseReservation', 'Release a reservation and give its use back', {
    noContent: 'Released (or already released or expired); the held use counts no more.',
    errors: [404, 409],
  })
  release(@Ctx() ctx: RequestContext, @Param() params: ReservationParamsDto, @Query() query: CustomerQueryDto) {
    return this.reservations.release(ctx, params.code, params.reservationId, query.customerNumber);
  }
}
