import { Injectable } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { CustomerSegmentClient } from '../clients/customer-segment.client';
import { Refusal, refusal, refusalOfAll } from '../common/coupon-errors';
import type { EffectiveCustomer } from '../common/effective-customer';
import type { Coupon, Money } from '../coupons/coupon.types';
import { CustomerUsageRepository } from './customer-usage.repository';
import type { CartLine } from './quote';
import { localRefusals, segmentIdsToAsk, segmentRefusals } from './redeemability';

/** What a redeem-type request (validation, redemption, reservation) asks of a coupon (§8). */
export interface RedeemRequest {
  /** One `now` for every check of the request (§8). */
  now: Date;
  customer: EffectiveCustomer;
  orderTotal: Money;
  /** The claimed discount (R11); absent only for a validation that asked for the quote instead. */
  discount?: Money;
  /** The request consumes a live reservation: its hold stands for the use, so R3 and R7 are skipped. */
  limitsHeld?: boolean;
  /** The customer's uses plus live holds when the caller already read them (see {@link CouponEligibility.customerUses}). */
  customerUses?: number;
  /**
   * A redemption: R7 is left to the guarded counting of §9.4 step 2, which refuses a full counter
   * itself, so the uses are not read before it. Only when a later rule refuses are they read, and
   * R7 is reported instead when it fails too (rule order, §8). Not for a coupon that needs the
   * segment question, which is asked only after every local check passed (§10.2).
   */
  deferCustomerUses?: boolean;
  /**
   * The explain option (README): refuse with every failing rule, R1–R13 in order, instead of the
   * first; the segment question is then asked even when a local rule already failed.
   */
  explain?: boolean;
}

/** What qualifications ask of every candidate: one customer, one cart, one `now`. */
export interface CartSituation {
  now: Date;
  customer: EffectiveCustomer;
  orderTotal: Money;
  items: readonly CartLine[];
}

/**
 * The redeemability decision of coupon §8, shared by validation, redemption, reservations and
 * qualifications: R1–R11 locally (the limits counting live reservation holds), then R12 and R13
 * with one question to the segment service that serves both lists, asked only when every local
 * check passed (unless every reason is wanted). A segment service that cannot answer is the
 * §10.3 `503`: nothing is ever treated as redeemable because it failed.
 */
@Injectable()
export class CouponEligibility {
  constructor(
    private readonly segments: CustomerSegmentClient,
    private readonly usage: CustomerUsageRepository,
  ) {}

  /** Throws the refusal (400: the first failing rule, or all of them with `explain`) or the 503 of §10.3. */
  async assertRedeemable(ctx: RequestContext, coupon: Coupon, request: RedeemRequest): Promise<void> {
    const { now, customer } = request;
    const deferred =
      request.deferCustomerUses &&
      !request.limitsHeld &&
      !request.explain &&
      request.customerUses === undefined &&
      segmentIdsToAsk(coupon, customer).length === 0;
    if (deferred) {
      try {
        await this.assertRedeemable(ctx, coupon, { ...request, deferCustomerUses: false, customerUses: 0 });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // The rule that failed comes before R7 or after it: with the uses read, the first failing rule is the answer.
        const customerUses = await this.customerUses(ctx.tenant, coupon, customer, now).catch(() => undefined);
        const [first] = customerUses === undefined ? [] : localRefusals(coupon, { ...request, customerUses }, 'first');
        throw first ? refusal(coupon.code, first) : e;
      }
      return;
    }
    const customerUses = request.limitsHeld ? 0 : (request.customerUses ?? (await this.customerUses(ctx.tenant, coupon, customer, now)));
    const local = localRefusals(coupon, { ...request, customerUses }, request.explain ? 'all' : 'first');
    if (local.length && !request.explain) throw refusal(coupon.code, local[0]);
    const memberships = await this.memberships(ctx, [coupon], customer, now, decidedFor(coupon));
    const segment = segmentRefusals(coupon, customer, memberships);
    const refusals = request.explain ? [...local, ...segment] : segment.slice(0, 1);
    if (refusals.length) throw refusalOfAll(coupon.code, refusals);
  }

  /**
   * Every failing rule of each coupon for one customer and cart (qualifications), by code: one
   * read of the customer's usage counters and one segment question for all of them. Throws only
   * the §10.3 `503`, when a coupon needs segment membership and the segment service cannot answer.
   */
  async refusalsOf(ctx: RequestContext, coupons: readonly Coupon[], s: CartSituation): Promise<Map<string, Refusal[]>> {
    const { customer, now } = s;
    const limited = coupons.filter((c) => c.maxRedemptionsPerCustomer !== -1).map((c) => c.code);
    const uses =
      customer.customerNumber === undefined
        ? new Map<string, number>()
        : await this.usage.countsFor(
            ctx.tenant,
            { customerNumber: customer.customerNumber, legalEntityId: customer.legalEntityId },
            limited,
            now,
          );
    const memberships = await this.memberships(ctx, coupons, customer, now);
    const out = new Map<string, Refusal[]>();
    for (const coupon of coupons) {
      const local = localRefusals(coupon, { ...s, customerUses: uses.get(coupon.code) ?? 0 }, 'all');
      out.set(coupon.code, [...local, ...segmentRefusals(coupon, customer, memberships)]);
    }
    return out;
  }

  /** The customer's uses plus live holds in the current legal-entity bucket, read only when R7 needs them. */
  customerUses(tenant: string, coupon: Coupon, customer: EffectiveCustomer, now: Date): Promise<number> {
    if (customer.customerNumber === undefined || coupon.maxRedemptionsPerCustomer === -1) return Promise.resolve(0);
    return this.usage.count(
      tenant,
      { code: coupon.code, customerNumber: customer.customerNumber, legalEntityId: customer.legalEntityId },
      now,
    );
  }

  /** The customer's effectively active segments among those the coupons' R12/R13 need: one question, or none. */
  private async memberships(
    ctx: RequestContext,
    coupons: readonly Coupon[],
    customer: EffectiveCustomer,
    now: Date,
    decided?: (found: ReadonlySet<string>) => boolean,
  ): Promise<Set<string>> {
    const asking = coupons.filter((c) => segmentIdsToAsk(c, customer).length > 0);
    if (customer.customerNumber === undefined || asking.length === 0) return new Set();
    const segmentIds = [...new Set(asking.flatMap((c) => segmentIdsToAsk(c, customer)))];
    return this.segments.activeMemberships(
      ctx,
      {
        couponCodes: asking.map((c) => c.code),
        customerNumber: customer.customerNumber,
        legalEntityId: customer.legalEntityId,
        segmentIds,
        now,
      },
      decided,
    );
  }
}

/**
 * When one coupon's R12 and R13 are settled by the memberships found so far, so the segment
 * service need not be paged further: a member of a required segment (or none required), and a
 * member of an excluded one (or none excluded). Otherwise only the complete answer decides.
 */
function decidedFor(coupon: Coupon): (found: ReadonlySet<string>) => boolean {
  const required = coupon.segmentRestricted ? coupon.restrictions.segments : [];
  const excluded = coupon.restrictions.excludedSegments ?? [];
  return (found) =>
    (required.length === 0 || required.some((id) => found.has(id))) && (excluded.length === 0 || excluded.some((id) => found.has(id)));
}
