import { Injectable } from '@nestjs/common';
import { SubscriptionRepository } from './subscription.repository';
import { EventSubscription, SubscriptionReader } from './subscription.types';

/** The {@link SubscriptionReader} routing reads a tenant's subscriptions with: always the stored state. */
@Injectable()
export class StoredSubscriptionReader extends SubscriptionReader {
  constructor(private readonly repository: SubscriptionRepository) {
    super();
  }

  subscriptions(tenant: string): Promise<EventSubscription[]> {
    return this.repository.all(tenant);
  }
}
