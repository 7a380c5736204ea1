import { Inject, Injectable } from '@nestjs/common';
import { ApiError, EVENT_TYPES, newHexId, Outcome } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { CustomerSegmentClient } from '../clients/customer-segment.client';
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
import type { ListRedemptionsQueryDto } from './dto/redemption-query.dto';
import type { RedemptionResponseDto } from './dto/redemption.response.dto';
import { firstLocalRefusal, maxPerCustomerReached, maxRedemptionsReached, notInSegment } from './redeemability';
import { REDEMPTION_FIELDS } from './redemption.fields';
import { redemptionYrn, toRedemptionView } from './redemption.mapper';
import { RedemptionRepository } from './redemption.repository';

/** Validation, redemption and redemption records (operations 7–11, coupon §7–§10). */
@Injectable()
export class RedemptionsService {
  constructor(
    private readonly lookup: CouponLookup,
    private readonly coupons: CouponRepository,
    private readonly redemptions: RedemptionRepository,
    private readonly usage: CustomerUsageRepository,
    private readonly segments: CustomerSegmentClient,
    private readonly events: ChangeEvents,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  /** Operation 7 (§7.1): every check a redemption would run, nothing written. */
  async validate(ctx: RequestContext, pathCode: string, body: CreateRedemptionDto): Promise<void> {
    const customer = this.admit(ctx, body);
    const coupon = await this.lookup.findActive(ctx.tenant, pathCode);
    const customerUses = await this.customerUses(ctx.tenant, coupon, customer);
    await this.checkRedeemable(ctx, coupon, customer, body, new Date(), customerUses);
  }

  /**
   * Operation 9 (§7.2, §9.4): checks R1–R12, then, without a transaction, (1) takes a use on the
   * coupon with a guarded `$inc`, (2) counts it on the customer's counter with a guarded `$inc`,
   * (3) inserts the record under the unique (code, orderCode) index, undoing earlier steps in
   * reverse order when a later one fails. A crash between steps leaves counters too high, never
   * too low, so a coupon can never be over-redeemed.
   */
  async redeem(ctx: RequestContext, pathCode: string, body: CreateRedemptionDto): Promise<Outcome<ResourceLocationDto>> {
    const customer = this.admit(ctx, body);
    const coupon = await this.lookup.findActive(ctx.tenant, pathCode);
    const tenant = ctx.tenant;
    // Both reads at once: one round trip of latency on the hot path.
    const [recorded, customerUses] = await Promise.all([
      body.orderCode === undefined ? false : this.redemptions.existsForOrder(tenant, coupon.code, body.orderCode),
      this.customerUses(tenant, coupon, customer),
    ]);
    // §1.5 step 6: a checkout retry of a recorded order is a 409 whatever the coupon's state now.
    if (recorded) throw duplicateOrder(coupon.code, body.orderCode ?? '');
    await this.checkRedeemable(ctx, coupon, customer, body, new Date(), customerUses);

    await this.reserveUse(tenant, coupon, customer.legalEntityId);
    const key: UsageKey | undefined =
      customer.customerNumber === undefined
        ? undefined
        : { code: coupon.code, customerNumber: customer.customerNumber, legalEntityId: customer.legalEntityId };
    let counted = false;
    try {
      if (key) {
        counted = await this.usage.increment(tenant, key, coupon.maxRedemptionsPerCustomer);
        if (!counted) throw maxPerCustomerReached(coupon);
      }
      const id = newHexId();
      const redeemedAt = new Date();
      const record = {
        id,
        code: coupon.code,
        orderCode: body.orderCode,
        customerNumber: customer.customerNumber,
        legalEntityId: customer.legalEntityId,
        orderTotal: { amount: body.orderTotal.amount, currency: body.orderTotal.currency },
        discount: { amount: body.discount.amount, currency: body.discount.currency },
        redeemedAt,
      };
      if (!(await this.redemptions.insert(tenant, record))) throw duplicateOrder(coupon.code, body.orderCode ?? '');
      await this.events.emit(ctx, {
        type: EVENT_TYPES.coupon.redemptionCreated,
        subject: id,
        version: 0,
        time: redeemedAt,
        data: toRedemptionView(record),
      });
      return Outcome.created(`/coupon/${tenant}/coupons/${coupon.code}/redemptions/${id}`, { id, yrn: redemptionYrn(tenant, id) });
    } catch (e) {
      // Compensation in reverse order; each step is one atomic single-document update.
      if (counted && key) await this.usage.decrement(tenant, key).catch(() => undefined);
      await this.coupons.release(tenant, coupon.code, customer.legalEntityId).catch(() => undefined);
      throw e;
    }
  }

  /** §9.4 step 1 and step 5: a guard miss is classified by re-reading the coupon. */
  private async reserveUse(tenant: string, coupon: Coupon, legalEntityId: string | undefined): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.coupons.reserve(tenant, coupon.code, legalEntityId)) return;
      const latest = await this.coupons.findByCode(tenant, coupon.code);
      if (!latest || latest.deleted) throw couponNotFound(coupon.code);
      if (latest.maxRedemptions !== -1 && latest.redemptionCount >= latest.maxRedemptions) throw maxRedemptionsReached(latest);
      // The limit moved between the guard and the read (a concurrent update or release): try again.
    }
    throw maxRedemptionsReached(coupon);
  }

  /** R1–R11 locally, then R12 through the segment service, only when everything else passed (§8). */
  private async checkRedeemable(
    ctx: RequestContext,
    coupon: Coupon,
    customer: EffectiveCustomer,
    body: CreateRedemptionDto,
    now: Date,
    customerUses: number,
  ): Promise<void> {
    const refusal = firstLocalRefusal(coupon, { now, customer, orderTotal: body.orderTotal, discount: body.discount, customerUses });
    if (refusal) throw refusal;
    if (coupon.segmentRestricted) {
      if (customer.customerNumber === undefined) throw notInSegment(coupon.code);
      const member = await this.segments.isMemberOfAny(ctx, {
        couponCode: coupon.code,
        customerNumber: customer.customerNumber,
        legalEntityId: customer.legalEntityId,
        segmentIds: coupon.restrictions.segments,
        now,
      });
      if (!member) throw notInSegment(coupon.code);
    }
  }

  /** The customer's uses in the current legal-entity bucket, read only when R7 needs them. */
  private customerUses(tenant: string, coupon: Coupon, customer: EffectiveCustomer): Promise<number> {
    if (customer.customerNumber === undefined || coupon.maxRedemptionsPerCustomer === -1) return Promise.resolve(0);
    return this.usage.count(tenant, { code: coupon.code, customerNumber: customer.customerNumber, legalEntityId: customer.legalEntityId });
  }

  /** The §2.3 identity rules (403); the body rules (§3.5) were checked with the body (CreateRedemptionDto). */
  private admit(ctx: RequestContext, body: CreateRedemptionDto): EffectiveCustomer {
    return resolveEffectiveCustomer(ctx.auth, { customerNumber: body.customerNumber, legalEntityId: body.legalEntityId });
  }

  /** Operation 8 (§7.3): soft-deleted coupons' history stays readable for managers. */
  async list(ctx: RequestContext, pathCode: string, query: ListRedemptionsQueryDto): Promise<Outcome<RedemptionResponseDto[]>> {
    const fields = { q: REDEMPTION_FIELDS, sort: REDEMPTION_FIELDS, defaultSort: 'redeemedAt:desc' };
    const list = readListRequest(ctx, query, fields, this.config.queryMaxTimeMS);
    const coupon = await this.lookup.find(ctx.tenant, pathCode);
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
    const coupon = await this.lookup.find(ctx.tenant, pathCode);
    if (!coupon || (coupon.deleted && !manager)) throw couponNotFound(pathCode);
    const redemption = await this.redemptions.find(ctx.tenant, coupon.code, id);
    if (!redemption) throw redemptionNotFound(id);
    if (!manager && redemption.customerNumber !== reader) throw notAllowedFor('Only the customer a redemption belongs to may read it.');
    return toRedemptionView(redemption);
  }

  /** Operation 11 (§7.5, §9.5): record first; only the request that removed it gives the use back. */
  async remove(ctx: RequestContext, pathCode: string, id: string): Promise<Outcome<never>> {
    const tenant = ctx.tenant;
    const coupon = await this.lookup.findActive(tenant, pathCode);
    const taken = await this.redemptions.take(tenant, coupon.code, id);
    if (!taken) throw redemptionNotFound(id);
    await this.coupons.release(tenant, coupon.code, taken.legalEntityId);
    if (taken.customerNumber !== undefined) {
      await this.usage.decrement(tenant, { code: coupon.code, customerNumber: taken.customerNumber, legalEntityId: taken.legalEntityId });
    }
    await this.events.emit(ctx, {
      type: EVENT_TYPES.coupon.redemptionDeleted,
      subject: id,
      version: 1,
      time: new Date(),
      data: toRedemptionView(taken),
    });
    return Outcome.noContent();
  }
}

function duplicateOrder(code: string, orderCode: string): ApiError {
  return ApiError.duplicate(orderCode, `Coupon ${code} has already been redeemed for order ${orderCode}.`);
}
