import { EVENT_SOURCES, EventSourceName } from '@suite/api-kit';

/** The scopes of the webhook service, as exact API strings (README "Scopes"). */
export const WEBHOOK_SCOPES = {
  /** Emporix: create, change and delete configs, subscribe, replay deliveries, read the event feed. */
  manage: 'webhook.subscription_manage',
  /** Emporix: read configs, subscriptions, statistics; suite: the delivery log. */
  read: 'webhook.subscription_read',
  /**
   * Suite: hand events to the service (`POST /webhook/{tenant}/events`). Only service principals of
   * the three event-writing services may use it, each for its own `source` (README "Ingestion").
   */
  publish: 'webhook.event_publish',
} as const;

/**
 * The services whose events the webhook service accepts, by the `client_id` of their service
 * tokens, with the one `source` (EVT-1) each may publish.
 */
export const PUBLISHERS: Readonly<Record<string, EventSourceName>> = {
  'customer-segment': EVENT_SOURCES.customerSegment,
  coupon: EVENT_SOURCES.coupon,
  category: EVENT_SOURCES.category,
};
