import type { Money } from '../coupons/coupon.types';

/** The stored state of a reservation; `EXPIRED` is derived from `expiresAt` (README "Reservations"). */
export type ReservationState = 'HELD' | 'CONSUMED' | 'RELEASED';
export type ReservationStatus = ReservationState | 'EXPIRED';

/** A reservation (a hold on one use of a coupon), plain data. */
export interface Reservation {
  id: string;
  code: string;
  orderCode?: string;
  customerNumber?: string;
  legalEntityId?: string;
  /** The anonymous session (the token's visit id) of a guest's reservation: only that session may read or release it. */
  visitId?: string;
  orderTotal: Money;
  discount: Money;
  createdAt: Date;
  expiresAt: Date;
  state: ReservationState;
  /** Whether a hold was placed on the coupon's global limit, and on the customer's counter. */
  globalHold: boolean;
  customerHold: boolean;
  /** The redemption that consumed it. */
  redemptionId?: string;
  /** When it was consumed or released. */
  closedAt?: Date;
}

/** The status a reader sees at `now`: a held reservation past its expiry is `EXPIRED`. */
export function reservationStatus(r: Pick<Reservation, 'state' | 'expiresAt'>, now: Date): ReservationStatus {
  return r.state === 'HELD' && new Date(r.expiresAt).getTime() <= now.getTime() ? 'EXPIRED' : r.state;
}
