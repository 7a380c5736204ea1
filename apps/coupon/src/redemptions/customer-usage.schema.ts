import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Hold } from '../coupons/coupon.types';

/**
 * `<tenant>_coupon_customer_usage` (§3.7): one counter per (code, customer, legal entity or null),
 * so the per-customer limit can be enforced with one guarded single-document update (§9.4 step 2).
 */
export interface UsageDocument {
  _id?: unknown;
  code: string;
  customerNumber: string;
  legalEntityId: string | null;
  count: number;
  /** Reservations holding a use of this customer (README "Reservations"); only while the coupon has a per-customer limit. */
  holds?: Hold[];
}

const usageSchema = new Schema<UsageDocument>(
  { code: String, customerNumber: String, legalEntityId: { type: String, default: null }, count: Number, holds: Schema.Types.Mixed },
  { versionKey: false },
);
usageSchema.index({ code: 1, customerNumber: 1, legalEntityId: 1 }, { unique: true, name: 'one_counter_per_customer_key' });

export const USAGE_ENTITY = defineEntity<UsageDocument>('coupon_customer_usage', usageSchema);
