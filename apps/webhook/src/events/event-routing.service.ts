import { Injectable } from '@nestjs/common';
import { WebhookConfigReader } from '../configs/webhook-config.types';
import { DeliveryQueue } from '../delivery/delivery.types';
import { SubscriptionReader } from '../subscriptions/subscription.types';
import type { IngestedEnvelope } from './feed-event.types';
import { buildRouter } from './routing';

/** Routes an ingestion request's events to their targets and hands the deliveries to the queue. */
@Injectable()
export class EventRoutingService {
  constructor(
    private readonly configs: WebhookConfigReader,
    private readonly subscriptions: SubscriptionReader,
    private readonly queue: DeliveryQueue,
  ) {}

  /**
   * Reads the tenant's config and subscriptions once, routes every event (README "Routing") and
   * enqueues all deliveries in one call; resolves how many there were. Rejects when any of it
   * failed: the caller answers 503 and the publisher re-sends the batch, which the queue's
   * deduplication (eventId + entryId) makes safe.
   */
  async route(tenant: string, events: readonly IngestedEnvelope[]): Promise<number> {
    if (!events.length) return 0;
    const [config, subscriptions] = await Promise.all([this.configs.httpConfig(tenant), this.subscriptions.subscriptions(tenant)]);
    const router = buildRouter(config, subscriptions);
    const deliveries = events.flatMap((e) => router(e));
    if (deliveries.length) await this.queue.enqueue(tenant, deliveries);
    return deliveries.length;
  }
}
