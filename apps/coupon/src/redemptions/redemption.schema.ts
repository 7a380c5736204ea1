import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Redemption } from './redemption.types';

export interface RedemptionDocument extends Omit<Redemption, 'id'> {
  _id: string;
}

const redemptionSchema = new Schema<RedemptionDocument>(
  {
    _id: String,
    code: String,
    orderCode: String,
    customerNumber: String,
    legalEntityId: String,
    orderTotal: Schema.Types.Mixed,
    discount: Schema.Types.Mixed,
    redeemedAt: Date,
    reservationId: String,
    rolledBackAt: Date,
    rollbackReason: String,
    rolledBackOrderCode: String,
  },
  { versionKey: false },
);
// §3.7: listing a coupon's redemptions newest first, and one redemption per (coupon, order).
redemptionSchema.index({ code: 1, redeemedAt: 1 });
redemptionSchema.index(
  { code: 1, orderCode: 1 },
  { unique: true, partialFilterExpression: { orderCode: { $exists: true } }, name: 'one_redemption_per_order' },
);

/** `<tenant>_coupon_redemptions`. */
export const REDEMPTION_ENTITY = defineEntity<RedemptionDocument>('coupon_redemptions', redemptionSchema);
