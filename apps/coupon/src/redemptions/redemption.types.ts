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
}
