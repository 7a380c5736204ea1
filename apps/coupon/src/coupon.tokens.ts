/** Injection token of the validated CouponConfig. */
export const COUPON_CONFIG = Symbol.for('coupon.config');
