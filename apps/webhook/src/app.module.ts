import { DynamicModule, Module } from '@nestjs/common';
import { ServiceDefinition, serviceModule } from '@suite/foundation';
import type { Logger } from 'pino';
import { WEBHOOK_CONFIG, WEBHOOK_SERVICE, WebhookServiceConfig, loadWebhookConfig } from './config/webhook.config';
import { ConfigsModule } from './configs/configs.module';
import { DeliveryModule } from './delivery/delivery.module';
import { EventsModule } from './events/events.module';
import { StatisticsModule } from './statistics/statistics.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { WEBHOOK_SCOPES } from './webhook.scopes';

const DESCRIPTION =
  "Emporix-compatible Webhook Service (`http` strategy) delivering the suite's events to tenants' endpoints, " +
  'with the suite extensions of its contract `apps/webhook/README.md`: delivery log, replay and a pull feed.';

@Module({})
export class AppModule {
  static forRoot(config: WebhookServiceConfig, logger?: Logger): DynamicModule {
    return serviceModule(AppModule, WEBHOOK_SERVICE, config, logger, {
      openapi: {
        title: 'Webhook API',
        description: DESCRIPTION,
        scopes: {
          [WEBHOOK_SCOPES.manage]: 'Configs, subscriptions, replays and the event feed.',
          [WEBHOOK_SCOPES.read]: 'Reading configs, subscriptions, statistics and the delivery log.',
          [WEBHOOK_SCOPES.publish]: "Suite services only: handing their outbox's events to this service.",
        },
        tags: {
          Config: 'The webhook configuration of the tenant (Emporix "Config").',
          Events: 'The event catalog and the subscriptions (Emporix "Events").',
          Statistics: 'Successfully sent webhooks per month.',
          Deliveries: 'Suite extension: the delivery log, dead letters and replay.',
          'Event feed': 'Suite extension: ingestion from the suite services and the pull feed.',
        },
      },
      global: [{ provide: WEBHOOK_CONFIG, useValue: config }],
      imports: [ConfigsModule, SubscriptionsModule, EventsModule, DeliveryModule, StatisticsModule],
    });
  }
}

/** What runs the webhook app, in its own process (main.ts) or beside the others (`npm start`, tools/app-host.ts). */
export const SERVICE_DEFINITION: ServiceDefinition<WebhookServiceConfig> = {
  name: WEBHOOK_SERVICE.name,
  root: AppModule,
  loadConfig: loadWebhookConfig,
};
