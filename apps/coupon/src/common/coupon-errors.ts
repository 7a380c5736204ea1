import { ApiError, ErrorDetail } from '@suite/api-kit';

/**
 * The coupon-specific errors (coupon §1.4), built on the shared ApiError so the one filter renders
 * them. Where the shared coupon mapping has no word for a case, the coupon `type` or detail type
 * is set here explicitly.
 */

/** 400 `coupon_not_redeemable` with exactly one detail whose type is the reason code (§8). */
export function notRedeemable(
  code: string,
  reason: RefusalReason | ReservationReason,
  field: string,
  why: string,
  detail: string,
): ApiError {
  return ApiError.businessRule(
    `Coupon ${code} cannot be redeemed: ${why}.`,
    [{ field, type: reason, message: detail }],
    'coupon_not_redeemable',
  );
}

/**
 * Reason codes of §8, one per check R1–R12, and of the suite extensions (README): R13 segment
 * exclusion, and the category check that only qualifications can make (they carry the cart items).
 */
export type RefusalReason =
  | 'coupon_not_yet_valid'
  | 'coupon_expired'
  | 'max_redemptions_reached'
  | 'anonymous_not_allowed'
  | 'customer_not_eligible'
  | 'referral_self_redemption'
  | 'max_redemptions_per_customer_reached'
  | 'currency_mismatch'
  | 'min_order_value_not_reached'
  | 'no_qualifying_items'
  | 'discount_exceeds_coupon_value'
  | 'customer_not_in_segment'
  | 'customer_in_excluded_segment';

/** One failing rule: its reason code and field (the `details` entry), and the clause of the message. */
export interface Refusal {
  reason: RefusalReason;
  field: string;
  /** "it expired at …": completes "Coupon X cannot be redeemed: …". */
  why: string;
  /** The detail message. */
  message: string;
}

/** The single-reason refusal of §8 (the first failing rule). */
export function refusal(code: string, r: Refusal): ApiError {
  return notRedeemable(code, r.reason, r.field, r.why, r.message);
}

/**
 * The refusal of the explain option (README): every failing rule, one detail each, in rule order
 * (R1…R13). `ApiError` sorts details by field, as ERR-6 asks of validation errors; here the order
 * is the answer's meaning, so the details are set back in rule order.
 */
export function refusalOfAll(code: string, refusals: readonly Refusal[]): ApiError {
  if (refusals.length === 1) return refusal(code, refusals[0]);
  const details = refusals.map((r) => ({ field: r.field, type: r.reason, message: r.message }));
  const error = ApiError.businessRule(
    `Coupon ${code} cannot be redeemed: ${refusals.map((r) => r.why).join('; ')}.`,
    details,
    'coupon_not_redeemable',
  );
  (error as { details: typeof details }).details = details;
  return error;
}

/** Reasons of a redemption that names a reservation it cannot use (README "Reservations"). */
export type ReservationReason = 'reservation_not_found' | 'reservation_expired' | 'reservation_released';

/** §10.3: the exact 503 body when segment membership could not be decided. */
export function segmentServiceUnavailable(retryAfter?: string): ApiError {
  return new ApiError('upstream_unavailable', 'Customer segment membership could not be verified; please retry later.', {
    details: [
      { field: 'restrictions.segments', type: 'segment_service_unavailable', message: 'The customer segment service did not answer.' },
    ],
    headers: retryAfter ? { 'Retry-After': retryAfter } : undefined,
  });
}

export function couponNotFound(code: string): ApiError {
  return ApiError.notFound(code, `Coupon with code ${code} not found.`);
}

export function redemptionNotFound(id: string): ApiError {
  return ApiError.notFound(id, `Redemption with id ${id} not found.`);
}

export function duplicateCoupon(code: string, tenant: string): ApiError {
  return ApiError.duplicate(code, `Duplicate coupon '${code}' on tenant '${tenant}'`);
}

/** A write-time rule broken by the request (§4); all details are listed (ERR-6). */
export function invalidCoupon(details: ErrorDetail[]): ApiError {
  // One entry per (field, rule): a rule found by two checks (the patch and the merged result) is reported once.
  const seen = new Set<string>();
  const unique = details.filter((d) => {
    const key = `${d.field ?? ''}\u0000${d.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return ApiError.validation(unique, 'The request violates validation constraints.');
}

/** 403 for a caller acting for someone it may not act for (§2.3, AUTH-12). */
export function notAllowedFor(message: string): ApiError {
  return ApiError.forbidden(message);
}

/** §1.4: query-parameter problems carry detail type `invalid_query_parameter`. */
export function asQueryParameterError(e: unknown): unknown {
  if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') return e;
  return ApiError.validation(
    e.details.map((d) => ({ ...d, type: 'invalid_query_parameter' })),
    e.message,
  );
}
