import { Inject, Injectable } from '@nestjs/common';
import { ApiError, EVENT_TYPES, newHexId, Outcome } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { couponNotFound, notAllowedFor, redemptionNotFound } from '../common/coupon-errors';
import type { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
import { EffectiveCustomer, resolveEffectiveCustomer } from '../common/effective-customer';
import { pageQuery, readListRequest } from '../common/list-request';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponLookup } from '../coupons/coupon-lookup.service';
import { CouponRepository } from '../coupons/coupon.repository';
import type { Coupon } from '../coupons/coupon.types';
import { CustomerUsageRepository } from './customer-usage.repository';
import type { UsageKey } from './customer-usage.types';
import type { CreateRedemptionDto } from './dto/create-redemption.dto';
import type { DiscountQuoteDto } from './dto/discount-quote.response.dto';
import type { RedeemDto } from './dto/redeem.dto';
import type { RollbackDto } from './dto/rollback.dto';
import type { ListRedemptionsQueryDto } from './dto/redemption-query.dto';
import type { ValidateRedemptionDto, ValidationQueryDto } from './dto/validate-redemption.dto';
import type { RedemptionResponseDto } from './dto/redemption.response.dto';
import { CouponEligibility } from './eligibility.service';
import { quoteOnOrder } from './quote';
import { takeGlobalUse } from './global-use';
import { maxPerCustomerReached } from './redeemability';
import { REDEMPTION_FIELDS } from './redemption.fields';
import { redemptionYrn, toRedemptionView } from './redemption.mapper';
import { RedemptionEvents } from './redemption-events';
import { RedemptionRepository } from './redemption.repository';
import type { Redemption } from './redemption.types';
import { ReservationHolds } from '../reservations/reservation-holds';

/** Validation, redemption and redemption records (operations 7–11, coupon §7–§10). */
@Injectable()
export class RedemptionsService {
  constructor(
    private readonly lookup: CouponLookup,
    private readonly coupons: CouponRepository,
    private readonly redemptions: RedemptionRepository,
    private readonly usage: CustomerUsageRepository,
    private readonly eligibility: CouponEligibility,
    private readonly holds: ReservationHolds,
    private readonly events: ChangeEvents,
    private readonly redemptionEvents: RedemptionEvents,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  /**
   * Operation 7 (§7.1): every check a redemption would run, nothing written; `200` with an empty
   * body. With `quote` the answer is what the coupon is worth on this order, and `discount` may be
   * left out (R11 then has no claim to judge); with `explain` a refusal lists every failing rule
   * (README "Discount quote", "Every reason").
   */
  async validate(
    ctx: RequestContext,
    pathCode: string,
    body: ValidateRedemptionDto,
    options: ValidationQueryDto = {},
  ): Promise<DiscountQuoteDto | undefined> {
    const customer = resolveEffectiveCustomer(ctx.auth, { customerNumber: body.customerNumber, legalEntityId: body.legalEntityId });
    const coupon = await this.lookup.findActive(ctx, pathCode, body.customerNumber);
    await this.eligibility.assertRedeemable(ctx, coupon, {
      now: new Date(),
      customer,
      orderTotal: body.orderTotal,
      discount: body.discount,
      explain: options.explain === true,
    });
    return options.quote === true ? { code: coupon.code, ...quoteOnOrder(coupon, body.orderTotal) } : undefined;
  }

  /**
   * Operation 9 (§7.2, §9.4): checks R1–R12, then, without a transaction, (1) takes a use on the
   * coupon with a guarded `$inc`, (2) counts it on the customer's counter with a guarded `$inc`,
   * (3) inserts the record under the unique (code, orderCode) index, undoing earlier steps in
   * reverse order when a later one fails. A crash between steps leaves counters too high, never
   * too low, so a coupon can never be over-redeemed. A redemption naming a reservation (README
   * "Reservations") turns the reservation's holds into the use instead of steps 1 and 2.
   *
   * Nothing is read before the writes that the writes decide themselves (README "Figures"): the
   * guarded counting of step 2 is R7, and the unique index of step 3 finds a repeated order. Only a
   * request that is refused before its record is stored asks whether its order was recorded
   * already, so that a checkout retry of a recorded order is `409` whatever the coupon's state now
   * (§1.5 step 6), exactly as if that had been asked first.
   */
  async redeem(ctx: RequestContext, pathCode: string, body: RedeemDto): Promise<Outcome<ResourceLocationDto>> {
    const customer = this.admit(ctx, body);
    const coupon = await this.lookup.findActive(ctx, pathCode, body.customerNumber);
    const { tenant } = ctx;
    const now = new Date();
    const reservationId = body.reservationId;
    const id = newHexId();
    let undo: () => Promise<void>;
    try {
      if (reservationId !== undefined) await this.holds.findUsable(tenant, ctx.auth, coupon, customer, reservationId, now);
      await this.eligibility.assertRedeemable(ctx, coupon, {
        now,
        customer,
        orderTotal: body.orderTotal,
        discount: body.discount,
        limitsHeld: reservationId !== undefined,
        deferCustomerUses: true,
      });
      undo =
        reservationId === undefined
          ? await this.countUse(tenant, coupon, customer, now)
          : (await this.holds.consume(tenant, coupon, customer, reservationId, id, now)).undo;
    } catch (e) {
      if (
        e instanceof ApiError &&
        body.orderCode !== undefined &&
        (await this.redemptions.existsForOrder(tenant, coupon.code, body.orderCode).catch(() => false))
      ) {
        throw duplicateOrder(coupon.code, body.orderCode);
      }
      throw e;
    }
    try {
      const redeemedAt = new Date();
      const record: Redemption = {
        id,
        code: coupon.code,
        orderCode: body.orderCode,
        customerNumber: customer.customerNumber,
        legalEntityId: customer.legalEntityId,
        orderTotal: { amount: body.orderTotal.amount, currency: body.orderTotal.currency },
        discount: { amount: body.discount.amount, currency: body.discount.currency },
        redeemedAt,
        reservationId,
      };
      if (!(await this.redemptions.insert(tenant, record))) throw duplicateOrder(coupon.code, body.orderCode ?? '');
      await this.redemptionEvents.emit(ctx, {
        type: EVENT_TYPES.coupon.redemptionCreated,
        subject: id,
        version: 0,
        time: redeemedAt,
        data: toRedemptionView(record),
      });
      return Outcome.created(`/coupon/${tenant}/coupons/${coupon.code}/redemptions/${id}`, { id, yrn: redemptionYrn(tenant, id) });
    } catch (e) {
      await undo();
      throw e;
    }
  }

  /**
   * §9.4 steps 1 and 2: the global use, then the customer's; a full customer counter undoes the
   * first. Returns the compensation of both, in reverse order, for a failure of step 3.
   */
  private async countUse(tenant: string, coupon: Coupon, customer: EffectiveCustomer, now: Date): Promise<() => Promise<void>> {
    await takeGlobalUse(this.coupons, tenant, coupon, now, () => this.coupons.reserve(tenant, coupon.code, customer.legalEntityId, now));
    const release = () => this.coupons.release(tenant, coupon.code, customer.legalEntityId).catch(() => undefined);
    if (customer.customerNumber === undefined) return release;
    const key: UsageKey = { code: coupon.code, customerNumber: customer.customerNumber, legalEntityId: customer.legalEntityId };
    let counted: boolean;
    try {
      counted = await this.usage.increment(tenant, key, coupon.maxRedemptionsPerCustomer, now);
    } catch (e) {
      await release();
      throw e;
    }
    if (!counted) {
      await release();
      throw maxPerCustomerReached(coupon);
    }
    return async () => {
      await this.usage.decrement(tenant, key).catch(() => undefined);
      await release();
    };
  }

  /** The §2.3 identity rules (403); the body rules (§3.5) were checked with the body (CreateRedemptionDto). */
  private admit(ctx: RequestContext, body: CreateRedemptionDto): EffectiveCustomer {
    return resolveEffectiveCustomer(ctx.auth, { customerNumber: body.customerNumber, legalEntityId: body.legalEntityId });
  }

  /** Operation 8 (§7.3): soft-deleted coupons' history stays readable for managers. */
  async list(ctx: RequestContext, pathCode: string, query: ListRedemptionsQueryDto): Promise<Outcome<RedemptionResponseDto[]>> {
    const fields = { q: REDEMPTION_FIELDS, sort: REDEMPTION_FIELDS, defaultSort: 'redeemedAt:desc' };
    const list = readListRequest(ctx, query, fields, this.config.queryMaxTimeMS);
    const coupon = await this.lookup.find(ctx, pathCode);
    if (!coupon) throw couponNotFound(pathCode);
    const page = await this.redemptions.page(ctx.tenant, pageQuery(list, { code: coupon.code }));
    return Outcome.page({ items: page.items.map(toRedemptionView), total: page.total });
  }

  /** Operation 10 (§7.4): managers read any record; others only their own (or the named customer's). */
  async get(ctx: RequestContext, pathCode: string, id: string, named: string | undefined): Promise<RedemptionResponseDto> {
    const { auth } = ctx;
    const manager = auth.hasScope(COUPON_SCOPES.manage);
    let reader: string | undefined;
    if (!manager) {
      // §1.5 step 2: decided from the token and the query before anything is read.
      reader = resolveEffectiveCustomer(auth, { customerNumber: named }).customerNumber;
      if (reader === undefined) throw notAllowedFor('Only the customer a redemption belongs to may read it.');
    }
    const coupon = await this.lookup.find(ctx, pathCode, named);
    if (!coupon || (coupon.deleted && !manager)) throw couponNotFound(pathCode);
    const redemption = await this.redemptions.find(ctx.tenant, coupon.code, id);
    if (!redemption) throw redemptionNotFound(id);
    if (!manager && redemption.customerNumber !== reader) throw notAllowedFor('Only the customer a redemption belongs to may read it.');
    return toRedemptionView(redemption);
  }

  /**
   * Operation 11 (§7.5, §9.5): record first; only the request that removed it gives the use back,
   * and only when a rollback had not given it back already.
   */
  async remove(ctx: RequestContext, pathCode: string, id: string): Promise<Outcome<never>> {
    const tenant = ctx.tenant;
    const coupon = await this.lookup.findActive(ctx, pathCode);
    const taken = await this.redemptions.take(tenant, coupon.code, id);
    if (!taken) throw redemptionNotFound(id);
    if (taken.rolledBackAt === undefined) await this.giveUseBack(tenant, coupon.code, taken);
    await this.events.emit(ctx, {
      type: EVENT_TYPES.coupon.redemptionDeleted,
      subject: id,
      version: 1,
      time: new Date(),
      data: toRedemptionView(taken),
    });
    return Outcome.noContent();
  }

  /**
   * Rollback (README "Rollback"): marks the record rolled back in one guarded update and frees its
   * order; only the request that made that change gives the use back to both counters and emits
   * the event, so any number of concurrent or repeated rollbacks give it back exactly once. Every
   * caller gets the rolled-back record.
   */
  async rollBack(ctx: RequestContext, pathCode: string, id: string, body: RollbackDto | undefined): Promise<RedemptionResponseDto> {
    const tenant = ctx.tenant;
    const coupon = await this.lookup.findActive(ctx, pathCode);
    const now = new Date();
    const rolled = await this.redemptions.rollBack(tenant, coupon.code, id, body?.reason, now);
    if (!rolled) {
      const existing = await this.redemptions.find(tenant, coupon.code, id);
      if (!existing) throw redemptionNotFound(id);
      return toRedemptionView(existing);
    }
    await this.giveUseBack(tenant, coupon.code, rolled);
    const view = toRedemptionView(rolled);
    await this.events.emit(ctx, { type: EVENT_TYPES.coupon.redemptionRolledBack, subject: id, version: 1, time: now, data: view });
    return view;
  }

  /** §9.5 steps 2 and 3: the coupon's counters, then the customer's. */
  private async giveUseBack(tenant: string, code: string, r: Redemption): Promise<void> {
    await this.coupons.release(tenant, code, r.legalEntityId);
    if (r.customerNumber !== undefined) {
      await this.usage.decrement(tenant, { code, customerNumber: r.customerNumber, legalEntityId: r.legalEntityId });
    }
  }
}

function duplicateOrder(code: string, orderCode: string): ApiError {
  return ApiError.duplicate(orderCode, `Coupon ${code} has already been redeemed for order ${orderCode}.`);
}
