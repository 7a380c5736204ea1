import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { EventSubscription } from './subscription.types';

/** A stored subscription, keyed by its (lower-case) event type: one per type and tenant. */
export interface SubscriptionDocument extends Omit<EventSubscription, 'eventType'> {
  _id: string;
}

const subscriptionSchema = new Schema<SubscriptionDocument>(
  {
    _id: String,
    subscription: String,
    excludedFields: [String],
    metadata: { version: Number, createdAt: Date, modifiedAt: Date },
  },
  { versionKey: false },
);

/** `<tenant>_webhook_subscriptions` (README "Subscriptions"). */
export const WEBHOOK_SUBSCRIPTION_ENTITY = defineEntity<SubscriptionDocument>('webhook_subscriptions', subscriptionSchema);
