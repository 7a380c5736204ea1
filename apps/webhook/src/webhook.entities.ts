import type { StorageDeclaration } from '@suite/persistence';
import { DATABASE_NAME, SERVICE_NAME } from './config/webhook.config';
import { WEBHOOK_CONFIG_ENTITY } from './configs/webhook-config.schema';
import { DELIVERY_ENTITY } from './delivery/delivery.schema';
import { DESTINATION_INDEXES, DESTINATIONS_COLLECTION } from './delivery/destination.schema';
import { FEED_COUNTER_ENTITY } from './events/feed-counter.schema';
import { FEED_EVENT_ENTITY } from './events/feed-event.schema';
import { STATISTICS_ENTITY } from './statistics/statistics.schema';
import { WEBHOOK_SUBSCRIPTION_ENTITY } from './subscriptions/subscription.schema';

/**
 * Every entity type this service stores per tenant, with its database, and its one shared
 * collection besides the outbox's (`destinations`, the delivery schedule): what `npm run migrate`
 * creates the declared indexes of, without booting the app. A new `*.schema.ts` entity is added
 * here (a test in tools/migrate.spec.ts fails otherwise).
 */
export const WEBHOOK_STORAGE: StorageDeclaration = {
  service: SERVICE_NAME,
  database: DATABASE_NAME,
  entities: [
    WEBHOOK_CONFIG_ENTITY,
    WEBHOOK_SUBSCRIPTION_ENTITY,
    FEED_EVENT_ENTITY,
    FEED_COUNTER_ENTITY,
    DELIVERY_ENTITY,
    STATISTICS_ENTITY,
  ],
  collections: { [DESTINATIONS_COLLECTION]: DESTINATION_INDEXES },
};
