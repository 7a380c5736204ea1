import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Reservation } from './reservation.types';

export interface ReservationDocument extends Omit<Reservation, 'id'> {
  _id: string;
}

const reservationSchema = new Schema<ReservationDocument>(
  {
    _id: String,
    code: String,
    orderCode: String,
    customerNumber: String,
    legalEntityId: String,
    visitId: String,
    orderTotal: Schema.Types.Mixed,
    discount: Schema.Types.Mixed,
    createdAt: Date,
    expiresAt: Date,
    state: String,
    globalHold: Boolean,
    customerHold: Boolean,
    redemptionId: String,
    closedAt: Date,
  },
  { versionKey: false },
);
// Listing a coupon's reservations newest first, and a customer's own.
reservationSchema.index({ code: 1, createdAt: -1 });
reservationSchema.index({ code: 1, customerNumber: 1, createdAt: -1 });

/** `<tenant>_coupon_reservations`: the records; the counting holds live on the coupon and the usage counter. */
export const RESERVATION_ENTITY = defineEntity<ReservationDocument>('coupon_reservations', reservationSchema);
