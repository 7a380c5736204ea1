import { Module } from '@nestjs/common';
import { ConfigsModule } from '../configs/configs.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { EventRoutingService } from './event-routing.service';
import { EventsController } from './events.controller';
import { FeedCounterRepository } from './feed-counter.repository';
import { FeedEventRepository } from './feed-event.repository';
import { FeedRetention } from './feed-retention';
import { FeedWriter } from './feed-writer';
import { FeedService } from './feed.service';
import { IngestionService } from './ingestion.service';

/**
 * Ingestion of the suite services' events, their routing to delivery targets, and the pull feed
 * (README "Ingestion", "Routing", "Event feed"). Reads configs and subscriptions through their
 * readers and hands deliveries to the delivery queue.
 */
@Module({
  imports: [ConfigsModule, SubscriptionsModule, DeliveryModule],
  controllers: [EventsController],
  providers: [FeedEventRepository, FeedCounterRepository, FeedWriter, FeedRetention, EventRoutingService, IngestionService, FeedService],
})
export class EventsModule {}
