import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { SubscriptionDocument, WEBHOOK_SUBSCRIPTION_ENTITY } from './subscription.schema';
import type { EventSubscription } from './subscription.types';

/** What a subscription change writes. */
export type SubscriptionState = Pick<EventSubscription, 'subscription' | 'excludedFields'>;

/**
 * `<tenant>_webhook_subscriptions`; tenant first (TEN-5). Each change is one single-document write:
 * an insert for a type never subscribed (the `_id` makes a concurrent twin a duplicate key), or an
 * update guarded by the version that was read.
 */
@Injectable()
export class SubscriptionRepository extends TenantRepository<SubscriptionDocument, EventSubscription> {
  constructor(registry: TenantModelRegistry) {
    super(registry, WEBHOOK_SUBSCRIPTION_ENTITY);
  }

  all(tenant: string): Promise<EventSubscription[]> {
    return this.findDocs(tenant, {}, [['_id', 1]]);
  }

  find(tenant: string, eventType: string): Promise<EventSubscription | null> {
    return this.findOneDoc(tenant, { _id: eventType });
  }

  /** The first subscription of a type (version 1); false when another request created it first. */
  async insert(tenant: string, eventType: string, state: SubscriptionState, now: Date): Promise<boolean> {
    await this.modelForWrite(tenant);
    const doc: SubscriptionDocument = { _id: eventType, ...copy(state), metadata: { version: 1, createdAt: now, modifiedAt: now } };
    try {
      await this.run(() => this.collection(tenant).insertOne(doc));
      return true;
    } catch (e) {
      if (isDuplicateKeyError(e) || (e as { errorCode?: string }).errorCode === 'duplicate_resource') return false;
      throw e;
    }
  }

  /** Changes a subscription whose stored version is still `expectedVersion` (and counts it up); false when it moved. */
  async update(tenant: string, eventType: string, state: SubscriptionState, expectedVersion: number, now: Date): Promise<boolean> {
    await this.modelForWrite(tenant);
    const result = await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: eventType, 'metadata.version': expectedVersion }), {
        $set: { ...copy(state), 'metadata.modifiedAt': now },
        $inc: { 'metadata.version': 1 },
      }),
    );
    return result.matchedCount === 1;
  }

  protected toDomain(doc: SubscriptionDocument): EventSubscription {
    return { eventType: doc._id, subscription: doc.subscription, excludedFields: doc.excludedFields ?? [], metadata: doc.metadata };
  }
}

function copy(state: SubscriptionState): SubscriptionState {
  return { subscription: state.subscription, excludedFields: [...state.excludedFields] };
}
