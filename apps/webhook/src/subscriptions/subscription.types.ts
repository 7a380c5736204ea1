/** A tenant's subscription to one event type (README "Subscriptions"), as stored. */
export interface EventSubscription {
  /** The catalog's type, lower case (`category.created`). */
  eventType: string;
  subscription: 'SUBSCRIBED' | 'UNSUBSCRIBED';
  /** Top-level `data` fields left out of deliveries of this type (unless an entry overrides them). */
  excludedFields: string[];
  metadata: { version: number; createdAt: Date; modifiedAt: Date };
}

/** How routing reads a tenant's subscriptions; provided and exported by SubscriptionsModule. */
export abstract class SubscriptionReader {
  /** Every stored subscription of the tenant (SUBSCRIBED and UNSUBSCRIBED). */
  abstract subscriptions(tenant: string): Promise<EventSubscription[]>;
}
