import type { FieldRegistry } from '@suite/api-kit';
import { couponFields } from '../coupons/coupon.fields';

/**
 * Fields only the manager view shows (§3.4, README "Segment exclusion"): a caller without
 * `coupon_manage`/`coupon_read` may not narrow its candidates by them either, or `q` would read
 * them out one filter at a time.
 */
const MANAGER_ONLY = ['maxRedemptions', 'redemptionCount', 'issuedTo', 'deleted', 'restrictions.validFor', 'restrictions.excludedSegments'];

/** The `q` fields of qualifications at `now`: the coupon list's for managers, those of the customer view otherwise. */
export function qualificationFields(now: Date, manager: boolean): FieldRegistry {
  const fields = couponFields(now);
  if (manager) return fields;
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !MANAGER_ONLY.includes(name)));
}
