import { Module } from '@nestjs/common';
import { StoredSubscriptionReader } from './stored-subscription.reader';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionReader } from './subscription.types';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

/** Subscriptions and the event catalog (README "Subscriptions"); exports the {@link SubscriptionReader} routing reads them with. */
@Module({
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService, SubscriptionRepository, { provide: SubscriptionReader, useClass: StoredSubscriptionReader }],
  exports: [SubscriptionReader],
})
export class SubscriptionsModule {}
