import type { Money } from '../coupons/coupon.types';

/** A stored redemption (coupon §3.5), plain data. */
export interface Redemption {
  id: string;
  code: string;
  orderCode?: string;
  customerNumber?: string;
  legalEntityId?: string;
  orderTotal: Money;
  discount: Money;
  redeemedAt: Date;
  /** The reservation it consumed (README "Reservations"). */
  reservationId?: string;
  /** Set by a rollback (README "Rollback"); the order then lives in `rolledBackOrderCode`, so it can redeem again. */
  rolledBackAt?: Date;
  rollbackReason?: string;
  rolledBackOrderCode?: string;
}

type References = Pick<Redemption, 'orderCode' | 'customerNumber' | 'legalEntityId'>;

/** The optional references of a redemption that are set, in §3.5 order: unset ones are left out, never null. */
export function setReferences(r: References): References {
  return {
    ...(r.orderCode !== undefined ? { orderCode: r.orderCode } : {}),
    ...(r.customerNumber !== undefined ? { customerNumber: r.customerNumber } : {}),
    ...(r.legalEntityId !== undefined ? { legalEntityId: r.legalEntityId } : {}),
  };
}
