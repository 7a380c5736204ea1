import { Injectable } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { notRedeemable } from '../common/coupon-errors';
import type { EffectiveCustomer } from '../common/effective-customer';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CouponRepository } from '../coupons/coupon.repository';
import type { Coupon, Hold } from '../coupons/coupon.types';
import { CustomerUsageRepository } from '../redemptions/customer-usage.repository';
import type { UsageKey } from '../redemptions/customer-usage.types';
import { takeGlobalUse } from '../redemptions/global-use';
import { maxPerCustomerReached, maxRedemptionsReached } from '../redemptions/redeemability';
import { ReservationRepository } from './reservation.repository';
import { Reservation, reservationStatus } from './reservation.types';

/** Where a reservation's holds were placed. */
export interface PlacedHolds {
  globalHold: boolean;
  customerHold: boolean;
}

/** What taking a reservation's use did, so a later failure can be undone in reverse order. */
export interface ConsumedReservation {
  reservation: Reservation;
  /** Undoes the counting and gives the reservation back (HELD when nothing was consumed yet, RELEASED otherwise). */
  undo(): Promise<void>;
}

/**
 * The bookkeeping of reservations (README "Reservations"), without a transaction like §9.4: a
 * hold is an entry `{id, until}` in the coupon document (global limit) and in the customer's usage
 * counter (per-customer limit), placed by guarded single-document updates that count live holds
 * like uses. A hold stops counting at `until`, so expiry needs no sweeper, and a crash between
 * steps leaves holds that count too much only until they expire, never too little.
 */
@Injectable()
export class ReservationHolds {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly usage: CustomerUsageRepository,
    private readonly records: ReservationRepository,
  ) {}

  /** Places the holds a coupon's limits need: global first, then per customer, undoing the first when the second is full. */
  async place(tenant: string, coupon: Coupon, customer: EffectiveCustomer, hold: Hold, now: Date): Promise<PlacedHolds> {
    const globalHold = coupon.maxRedemptions !== -1;
    if (globalHold) await takeGlobalUse(this.coupons, tenant, coupon, now, () => this.coupons.hold(tenant, coupon.code, hold, now));
    const key = usageKey(coupon, customer);
    const customerHold = key !== undefined && coupon.maxRedemptionsPerCustomer !== -1;
    if (customerHold && !(await this.usage.hold(tenant, key, coupon.maxRedemptionsPerCustomer, hold, now))) {
      if (globalHold) await this.coupons.dropHold(tenant, coupon.code, hold.id);
      throw maxPerCustomerReached(coupon);
    }
    return { globalHold, customerHold };
  }

  /** Drops the holds of a reservation (release, or compensation of {@link place}); idempotent. */
  async drop(tenant: string, coupon: Pick<Coupon, 'code'>, r: Pick<Reservation, 'id' | 'customerNumber' | 'legalEntityId'> & PlacedHolds) {
    if (r.customerHold && r.customerNumber !== undefined) {
      await this.usage.dropHold(tenant, { code: coupon.code, customerNumber: r.customerNumber, legalEntityId: r.legalEntityId }, r.id);
    }
    if (r.globalHold) await this.coupons.dropHold(tenant, coupon.code, r.id);
  }

  /**
   * The reservation a redemption names, as far as it can be known before the checks: it must exist
   * for this coupon, belong to the redemption's effective customer (a guest's to the same visit or
   * an on-behalf caller) and still be held. Refusals are `400 coupon_not_redeemable`; a
   * reservation already consumed is `409`, like a repeated order.
   */
  async findUsable(tenant: string, auth: AuthContext, coupon: Coupon, customer: EffectiveCustomer, id: string, now: Date) {
    const r = await this.records.find(tenant, coupon.code, id);
    if (!r || !belongsTo(r, auth, customer)) throw reservationRefusal(coupon.code, 'reservation_not_found', id);
    throwUnlessHeld(coupon.code, r, now);
    return r;
  }

  /**
   * Turns a live reservation into the use of a redemption: claims the record (exactly one
   * redemption wins it), then moves the customer's hold and the coupon's hold into their counters,
   * each in one atomic update, so the redemption never fails for a limit. Without a hold (no limit
   * on that level) the use is counted as a plain redemption would count it.
   */
  async consume(tenant: string, coupon: Coupon, customer: EffectiveCustomer, id: string, redemptionId: string, now: Date) {
    const claimed = await this.records.claim(tenant, coupon.code, id, redemptionId, now);
    if (!claimed) {
      const latest = await this.records.find(tenant, coupon.code, id);
      if (latest) throwUnlessHeld(coupon.code, latest, now);
      throw reservationRefusal(coupon.code, 'reservation_not_found', id);
    }
    const key = usageKey(coupon, customer);
    let counted = false;
    let taken = false;
    const undo = async () => {
      if (taken) await this.coupons.release(tenant, coupon.code, customer.legalEntityId).catch(() => undefined);
      if (counted && key) await this.usage.decrement(tenant, key).catch(() => undefined);
      // Once a hold has turned into a count it is gone: the reservation cannot be held again.
      if (counted || taken) await this.records.release(tenant, coupon.code, id, now).catch(() => undefined);
      else await this.records.unclaim(tenant, coupon.code, id, redemptionId).catch(() => undefined);
    };
    try {
      if (key) {
        counted = claimed.customerHold
          ? await this.usage.consumeHold(tenant, key, id, now)
          : await this.usage.increment(tenant, key, -1, now);
        if (!counted) throw reservationRefusal(coupon.code, 'reservation_expired', id);
      }
      taken = claimed.globalHold
        ? await this.coupons.consumeHold(tenant, coupon.code, id, customer.legalEntityId, now)
        : await this.coupons.reserve(tenant, coupon.code, customer.legalEntityId, now);
      if (!taken) throw claimed.globalHold ? reservationRefusal(coupon.code, 'reservation_expired', id) : maxRedemptionsReached(coupon);
    } catch (e) {
      await undo();
      throw e;
    }
    return { reservation: claimed, undo } satisfies ConsumedReservation;
  }
}

function usageKey(coupon: Pick<Coupon, 'code'>, customer: EffectiveCustomer): UsageKey | undefined {
  return customer.customerNumber === undefined
    ? undefined
    : { code: coupon.code, customerNumber: customer.customerNumber, legalEntityId: customer.legalEntityId };
}

/**
 * Whether a reservation belongs to the request's effective customer: the same customer and legal
 * entity; a guest's reservation to the same visit, or to an on-behalf caller (the checkout).
 */
export function belongsTo(r: Reservation, auth: AuthContext, customer: EffectiveCustomer): boolean {
  if (r.customerNumber !== customer.customerNumber || r.legalEntityId !== customer.legalEntityId) return false;
  if (r.customerNumber !== undefined) return true;
  return auth.hasScope(COUPON_SCOPES.redeemOnBehalf) || (r.visitId !== undefined && r.visitId === auth.visitId);
}

function throwUnlessHeld(code: string, r: Reservation, now: Date): void {
  const status = reservationStatus(r, now);
  if (status === 'EXPIRED') throw reservationRefusal(code, 'reservation_expired', r.id);
  if (status === 'RELEASED') throw reservationRefusal(code, 'reservation_released', r.id);
  if (status === 'CONSUMED') {
    throw ApiError.duplicate(r.id, `Reservation ${r.id} of coupon ${code} was already consumed by redemption ${r.redemptionId ?? ''}.`);
  }
}

const REFUSALS = {
  reservation_not_found: ['no such reservation of this customer exists', 'No reservation with this id exists for this customer'],
  reservation_expired: ['the reservation has expired', 'The reservation expired before it was redeemed'],
  reservation_released: ['the reservation was released', 'The reservation was released'],
} as const;

/** A redemption naming a reservation it cannot use: `400 coupon_not_redeemable` on `reservationId`. */
export function reservationRefusal(code: string, reason: keyof typeof REFUSALS, id: string): ApiError {
  const [why, detail] = REFUSALS[reason];
  return notRedeemable(code, reason, 'reservationId', why, `${detail}: ${id}.`);
}
