import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Delivery } from './delivery.types';

export interface DeliveryDocument extends Omit<Delivery, 'id'> {
  _id: string;
}

const deliverySchema = new Schema<DeliveryDocument>(
  {
    _id: String,
    eventId: String,
    eventType: String,
    entryId: { type: String, default: null },
    url: String,
    destinationKey: String,
    body: String,
    eventTime: String,
    state: String,
    attemptCount: Number,
    nextAttemptAt: Date,
    attempts: Schema.Types.Mixed,
    createdAt: Date,
    completedAt: Date,
    reason: String,
    replayOf: String,
    replayedBy: String,
    replayedAt: Date,
  },
  { versionKey: false },
);
// The worker's query: a destination's due PENDING deliveries, oldest due first; also the earliest
// next attempt a worker leaves behind in the destination's `dueAt`.
deliverySchema.index({ destinationKey: 1, state: 1, nextAttemptAt: 1 }, { name: 'worker' });
// The delivery log: newest first, alone or by state, event or entry.
deliverySchema.index({ createdAt: -1, _id: -1 }, { name: 'log' });
deliverySchema.index({ state: 1, createdAt: -1, _id: -1 }, { name: 'log_state' });
deliverySchema.index({ eventId: 1, createdAt: -1 }, { name: 'log_event' });
deliverySchema.index({ entryId: 1, createdAt: -1 }, { name: 'log_entry' });
// Retention: completed deliveries are removed 7 days after `completedAt`.
deliverySchema.index({ completedAt: 1 }, { name: 'retention' });

/** `<tenant>_webhook_deliveries`: one record per event and target, with its attempts (README "Delivery"). */
export const DELIVERY_ENTITY = defineEntity<DeliveryDocument>('webhook_deliveries', deliverySchema);
