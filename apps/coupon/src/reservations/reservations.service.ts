import { Inject, Injectable } from '@nestjs/common';
import { ApiError, newHexId, Outcome } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { couponNotFound, notAllowedFor } from '../common/coupon-errors';
import { resolveEffectiveCustomer } from '../common/effective-customer';
import { pageQuery, readListRequest } from '../common/list-request';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { COUPON_SCOPES, readsAsManager } from '../coupon.scopes';
import { CouponLookup } from '../coupons/coupon-lookup.service';
import type { Coupon } from '../coupons/coupon.types';
import { CouponEligibility } from '../redemptions/eligibility.service';
import { CreateReservationDto, RESERVATION_TTL } from './dto/create-reservation.dto';
import type { ListReservationsQueryDto } from './dto/reservation-query.dto';
import type { ReservationResponseDto } from './dto/reservation.response.dto';
import { belongsTo, ReservationHolds } from './reservation-holds';
import { RESERVATION_FIELDS } from './reservation.fields';
import { toReservationView } from './reservation.mapper';
import { ReservationRepository } from './reservation.repository';
import type { Reservation } from './reservation.types';

/** Reservations of a coupon (README "Reservations"): hold a use, then redeem it, release it, or let it expire. */
@Injectable()
export class ReservationsService {
  constructor(
    private readonly lookup: CouponLookup,
    private readonly eligibility: CouponEligibility,
    private readonly holds: ReservationHolds,
    private readonly records: ReservationRepository,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  /**
   * Runs every check a redemption runs (R1–R12, the limits counting live holds), then holds one
   * use on the global and the per-customer limit and stores the record. Nothing is held when a
   * check fails or the segment service cannot answer.
   */
  async create(ctx: RequestContext, pathCode: string, body: CreateReservationDto): Promise<Outcome<ReservationResponseDto>> {
    const customer = resolveEffectiveCustomer(ctx.auth, { customerNumber: body.customerNumber, legalEntityId: body.legalEntityId });
    const { tenant } = ctx;
    const coupon = await this.lookup.findActive(ctx, pathCode, body.customerNumber);
    const now = new Date();
    await this.eligibility.assertRedeemable(ctx, coupon, { now, customer, orderTotal: body.orderTotal, discount: body.discount });
    const id = newHexId();
    const expiresAt = new Date(now.getTime() + (body.ttlSeconds ?? RESERVATION_TTL.defaultSeconds) * 1000);
    const placed = await this.holds.place(tenant, coupon, customer, { id, until: expiresAt }, now);
    const reservation: Reservation = {
      id,
      code: coupon.code,
      orderCode: body.orderCode,
      customerNumber: customer.customerNumber,
      legalEntityId: customer.legalEntityId,
      visitId: customer.customerNumber === undefined ? ctx.auth.visitId : undefined,
      orderTotal: { amount: body.orderTotal.amount, currency: body.orderTotal.currency },
      discount: { amount: body.discount.amount, currency: body.discount.currency },
      createdAt: now,
      expiresAt,
      state: 'HELD',
      ...placed,
    };
    try {
      await this.records.insert(tenant, reservation);
    } catch (e) {
      await this.holds.drop(tenant, coupon, reservation).catch(() => undefined);
      throw e;
    }
    return Outcome.created(`/coupon/${tenant}/coupons/${coupon.code}/reservations/${id}`, toReservationView(reservation, now));
  }

  /** Managers list every reservation of the coupon; others their own (or the named customer's, on behalf). */
  async list(ctx: RequestContext, pathCode: string, query: ListReservationsQueryDto): Promise<Outcome<ReservationResponseDto[]>> {
    const owner = this.readerScope(ctx, query.customerNumber);
    const fields = { q: RESERVATION_FIELDS, sort: RESERVATION_FIELDS, defaultSort: 'createdAt:desc' };
    const list = readListRequest(ctx, query, fields, this.config.queryMaxTimeMS);
    const coupon = await this.visibleCoupon(ctx, pathCode, query.customerNumber);
    const scope = { code: coupon.code, ...owner };
    const page = await this.records.page(ctx.tenant, pageQuery(list, scope));
    const now = new Date();
    return Outcome.page({ items: page.items.map((r) => toReservationView(r, now)), total: page.total });
  }

  async get(ctx: RequestContext, pathCode: string, id: string, named: string | undefined): Promise<ReservationResponseDto> {
    const coupon = await this.visibleCoupon(ctx, pathCode, named);
    const r = await this.ownReservation(ctx, coupon, id, named);
    return toReservationView(r, new Date());
  }

  /**
   * Releases a held reservation: the record turns RELEASED in one guarded update and only that
   * request drops the holds. Releasing one already released or expired changes nothing (204); a
   * consumed one is 409 (roll the redemption back instead).
   */
  async release(ctx: RequestContext, pathCode: string, id: string, named: string | undefined): Promise<Outcome<never>> {
    const { tenant } = ctx;
    const coupon = await this.lookup.findActive(ctx, pathCode, named);
    const r = await this.ownReservation(ctx, coupon, id, named);
    if (r.state === 'CONSUMED') {
      throw ApiError.duplicate(
        id,
        `Reservation ${id} was consumed by redemption ${r.redemptionId ?? ''}; roll the redemption back instead.`,
      );
    }
    const released = await this.records.release(tenant, coupon.code, id, new Date());
    if (released) await this.holds.drop(tenant, coupon, released);
    return Outcome.noContent();
  }

  /** The filter a non-manager's list is limited to; 403 for a caller that is nobody (§2.3 rules). */
  private readerScope(ctx: RequestContext, named: string | undefined): Record<string, unknown> {
    const { auth } = ctx;
    if (readsAsManager(auth)) {
      return named === undefined ? {} : { customerNumber: named };
    }
    const reader = resolveEffectiveCustomer(auth, { customerNumber: named }).customerNumber;
    if (reader !== undefined) return { customerNumber: reader };
    if (auth.visitId !== undefined && !auth.hasScope(COUPON_SCOPES.redeemOnBehalf)) return { customerNumber: null, visitId: auth.visitId };
    throw notAllowedFor('Only the customer a reservation belongs to may read it.');
  }

  /** A reservation the caller may see: managers any; others only their own (guests: their visit's). */
  private async ownReservation(ctx: RequestContext, coupon: Coupon, id: string, named: string | undefined): Promise<Reservation> {
    const { auth } = ctx;
    const manager = readsAsManager(auth);
    // §1.5 step 2 style: who the caller may act for is decided before anything is read.
    const customer = manager ? undefined : resolveEffectiveCustomer(auth, { customerNumber: named });
    const r = await this.records.find(ctx.tenant, coupon.code, id);
    if (!r) throw reservationNotFound(id);
    const mine = !customer || (r.customerNumber !== undefined ? r.customerNumber === customer.customerNumber : belongsTo(r, auth, {}));
    if (!mine) {
      throw notAllowedFor('Only the customer a reservation belongs to may read or release it.');
    }
    return r;
  }

  /** The coupon of a read: soft-deleted ones stay readable for managers (like redemptions, §6.6). */
  private async visibleCoupon(ctx: RequestContext, pathCode: string, named: string | undefined): Promise<Coupon> {
    const coupon = await this.lookup.find(ctx, pathCode, named);
    const manager = readsAsManager(ctx.auth);
    if (!coupon || (coupon.deleted && !manager)) throw couponNotFound(pathCode);
    return coupon;
  }
}

function reservationNotFound(id: string): ApiError {
  return ApiError.notFound(id, `Reservation with id ${id} not found.`);
}
