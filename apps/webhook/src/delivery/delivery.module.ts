import { Module } from '@nestjs/common';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import { ConfigsModule } from '../configs/configs.module';
import { StatisticsModule } from '../statistics/statistics.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { DeliveryAttempts } from './delivery-attempts';
import { DeliveryMaintenance } from './delivery-maintenance';
import { DeliveryQueueService } from './delivery-queue.service';
import { DeliveryScheduler } from './delivery-scheduler';
import { DeliverySender } from './delivery-sender';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryQueue } from './delivery.types';
import { DestinationRepository } from './destination.repository';

/**
 * The delivery engine (README "Delivery"): the queue routing hands deliveries to, the per-instance
 * scheduler and its destination workers, the delivery log with dead letters and replay.
 */
@Module({
  imports: [ConfigsModule, StatisticsModule],
  controllers: [DeliveriesController],
  providers: [
    DeliveryRepository,
    DestinationRepository,
    {
      provide: DeliverySender,
      useFactory: (config: WebhookServiceConfig) => new DeliverySender(config.delivery.timeoutMs, config.destinations),
      inject: [WEBHOOK_CONFIG],
    },
    DeliveryAttempts,
    DeliveryScheduler,
    DeliveryMaintenance,
    DeliveryQueueService,
    { provide: DeliveryQueue, useExisting: DeliveryQueueService },
    DeliveriesService,
  ],
  exports: [DeliveryQueue],
})
export class DeliveryModule {}
