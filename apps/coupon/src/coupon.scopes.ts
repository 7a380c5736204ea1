/** The four coupon scopes (coupon §2.1). No others exist. */
export const COUPON_SCOPES = {
  read: 'coupon.coupon_read',
  manage: 'coupon.coupon_manage',
  redeem: 'coupon.coupon_redeem',
  redeemOnBehalf: 'coupon.coupon_redeem_on_behalf',
} as const;

/**
 * Whether the caller reads as a coupon administrator (§3.4 manager view): `coupon_manage` or
 * `coupon_read`. One rule for views, reservation and qualification visibility and the guessing throttle.
 */
export function readsAsManager(auth: { hasAnyScope(...scopes: string[]): boolean }): boolean {
  return auth.hasAnyScope(COUPON_SCOPES.manage, COUPON_SCOPES.read);
}

/** The scope of the coupon service's own token for the R12 segment call (coupon §10.2). */
export const SEGMENT_READ_SCOPE = 'customersegment.segment_read';
