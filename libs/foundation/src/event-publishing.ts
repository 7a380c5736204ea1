import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { CloudEventEnvelope, LOGGER } from '@suite/api-kit';
import { PeerClients } from '@suite/auth';
import { OutboxDispatcher } from '@suite/persistence';
import type { Logger } from 'pino';

/** The scope a service token needs to hand events to the webhook service (apps/webhook/README.md "Ingestion"). */
export const EVENT_PUBLISH_SCOPE = 'webhook.event_publish';
/** Events per ingestion request (the webhook service takes up to 500). */
export const EVENT_PUBLISH_BATCH = 100;
/** Bytes of events per ingestion request: well under the webhook service's 10 MiB body limit. */
export const EVENT_PUBLISH_MAX_BYTES = 4 * 1024 * 1024;

const WEBHOOK_URL = Symbol.for('suite.webhookUrl');

/** What the webhook service answers an ingestion with; only the refusals matter here. */
interface IngestionAnswer {
  rejected?: Array<{ id?: string; index?: number; message?: string }>;
}

/**
 * Makes the outbox dispatcher hand its entries to the webhook service (`POST
 * /webhook/{tenant}/events`) with this service's own token, one tenant's consecutive entries per
 * request: the entries stay in the outbox until the webhook service accepted the batch, which it
 * stores once per event id, so a batch sent again after a failure or a crash is delivered once.
 * While the webhook service is down the dispatcher backs off (up to 30 s between tries). An event
 * the webhook service refuses for good (malformed; never expected) is logged in full at error
 * level, like a failed outbox insert (EVT-4), and not sent again. Without WEBHOOK_URL the events
 * go to the log at debug level, as before the webhook service existed.
 */
@Injectable()
class WebhookEventPublishing implements OnModuleInit {
  constructor(
    private readonly dispatcher: OutboxDispatcher,
    private readonly peers: PeerClients,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(WEBHOOK_URL) private readonly webhookUrl: string | undefined,
  ) {}

  onModuleInit(): void {
    // The connection pool and breaker of this client are closed with the application (PeerClients).
    const client = this.peers.create({
      service: 'webhook',
      baseUrl: this.webhookUrl,
      // One try per call: the dispatcher's own backoff paces the retries, the breaker fails fast meanwhile.
      retry: { maxRetries: 0 },
      timeouts: { attemptMs: 10_000, deadlineMs: 12_000 },
    });
    if (!client) return;
    this.dispatcher.usePublisher({
      maxBatch: EVENT_PUBLISH_BATCH,
      maxBatchBytes: EVENT_PUBLISH_MAX_BYTES,
      publishBatch: async (tenant, events) => {
        const answer = await client.request<IngestionAnswer>({
          tenant,
          method: 'POST',
          path: `/webhook/${tenant}/events`,
          pathTemplate: '/webhook/{tenant}/events',
          body: events,
          scopes: [EVENT_PUBLISH_SCOPE],
          idempotent: true,
        });
        for (const refusal of answer.body?.rejected ?? []) this.logRefusal(events, refusal);
        // The same debug record as the log-only publisher: which instance handed over which event.
        if (this.logger.isLevelEnabled('debug')) for (const event of events) this.logger.debug({ event }, 'event published');
      },
    });
  }

  private logRefusal(events: readonly CloudEventEnvelope<object>[], refusal: NonNullable<IngestionAnswer['rejected']>[number]): void {
    const event = events.find((e) => e.id === refusal.id) ?? (refusal.index !== undefined ? events[refusal.index] : undefined);
    this.logger.error(
      { event, tenant: event?.tenant, reason: refusal.message },
      'the webhook service refused an event; it will not be delivered (replay it by hand once fixed)',
    );
  }
}

/** Wires {@link WebhookEventPublishing} for a service (serviceModule); `webhookUrl` undefined keeps the log publisher. */
@Module({})
export class EventPublishingModule {
  static forRoot(webhookUrl: string | undefined): DynamicModule {
    return {
      module: EventPublishingModule,
      providers: [{ provide: WEBHOOK_URL, useValue: webhookUrl }, WebhookEventPublishing],
    };
  }
}
