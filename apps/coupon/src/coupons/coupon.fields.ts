import { FieldCondition, FieldRegistry, MongoFilter, queryError } from '@suite/api-kit';
import { COUPON_STATUSES, CouponStatus } from './coupon.types';

/**
 * §3.3 as a filter at `now`, using only the operators the q compiler may emit: the
 * stored `remaining` (= maxRedemptions − redemptionCount) replaces the field-to-field comparison.
 */
export function statusFilter(status: CouponStatus, now: Date): MongoFilter {
  const expired = { 'restrictions.validUntil': { $lt: now } };
  const notExpired = { $or: [{ 'restrictions.validUntil': null }, { 'restrictions.validUntil': { $gte: now } }] };
  const used = { $and: [{ maxRedemptions: { $ne: -1 } }, { remaining: { $lte: 0 } }] };
  const notUsed = { $or: [{ maxRedemptions: -1 }, { remaining: { $gt: 0 } }] };
  const notStarted = { 'restrictions.validFrom': { $gt: now } };
  const started = { $or: [{ 'restrictions.validFrom': null }, { 'restrictions.validFrom': { $lte: now } }] };
  switch (status) {
    case 'EXPIRED':
      return expired;
    case 'USED':
      return { $and: [notExpired, used] };
    case 'INACTIVE':
      return { $and: [notExpired, notUsed, notStarted] };
    case 'VALID':
      return { $and: [notExpired, notUsed, started] };
  }
}

function statusValue(v: unknown): CouponStatus {
  if (typeof v === 'string' && (COUPON_STATUSES as readonly string[]).includes(v)) return v as CouponStatus;
  throw queryError('invalid_value', `status must be one of ${COUPON_STATUSES.join(', ')}`);
}

/** §1.6: only `status:X` and `status:(X,Y)`; evaluated at the request's timestamp. */
function compileStatus(now: Date) {
  return (condition: FieldCondition): MongoFilter => {
    if (condition.kind === 'eq') return statusFilter(statusValue(condition.value), now);
    if (condition.kind === 'in') {
      const parts = [...new Set(condition.values.map(statusValue))].map((s) => statusFilter(s, now));
      return parts.length === 1 ? parts[0] : { $or: parts };
    }
    throw queryError('invalid_value', 'status supports only status:X and status:(X,Y)');
  };
}

/** A currency-amount (§1.3) at `path`: its amount and its currency, both sortable. */
export function moneyFields(path: string): FieldRegistry {
  return { [`${path}.amount`]: { type: 'number', sortable: true }, [`${path}.currency`]: { type: 'string', sortable: true } };
}

const STATIC_FIELDS: FieldRegistry = {
  code: { db: '_id', type: 'string', sortable: true },
  name: { type: 'string', sortable: true },
  description: { type: 'string', sortable: true },
  discountType: { type: 'string', sortable: true },
  discountPercentage: { type: 'number', sortable: true },
  ...moneyFields('discountAbsolute'),
  discountCalculationType: { type: 'string', sortable: true },
  allowAnonymous: { type: 'boolean', sortable: true },
  maxRedemptions: { type: 'number', sortable: true },
  maxRedemptionsPerCustomer: { type: 'number', sortable: true },
  redemptionCount: { type: 'number', sortable: true },
  categoryRestricted: { type: 'boolean', sortable: true },
  segmentRestricted: { type: 'boolean', sortable: true },
  automatic: { type: 'boolean', sortable: true },
  referralCoupon: { type: 'boolean', sortable: true },
  issuedTo: { type: 'string', sortable: true },
  deleted: { type: 'boolean', sortable: true },
  'restrictions.validFor': { type: 'string' },
  'restrictions.validFrom': { type: 'date', sortable: true },
  'restrictions.validUntil': { type: 'date', sortable: true },
  ...moneyFields('restrictions.minOrderValue'),
  'restrictions.includedCategories': { type: 'string' },
  'restrictions.excludedCategories': { type: 'string' },
  'restrictions.segments': { type: 'string' },
  'restrictions.excludedSegments': { type: 'string' },
  'metadata.version': { type: 'number', sortable: true },
  mixins: { type: 'mixins' },
};

/** The coupon field registry at `now` (the derived `status` depends on the request time). */
export function couponFields(now: Date): FieldRegistry {
  return { ...STATIC_FIELDS, status: { type: 'string', compile: compileStatus(now) } };
}

/** Sorting never involves `status`, so the static registry serves `sort` (and is indexed once). */
export const COUPON_SORT_FIELDS = STATIC_FIELDS;
