import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { FEED_COUNTER_ENTITY, FEED_SEQUENCE_ID, FeedCounterDocument } from './feed-counter.schema';

/** `<tenant>_webhook_feed_counters`; tenant first (TEN-5). */
@Injectable()
export class FeedCounterRepository extends TenantRepository<FeedCounterDocument, number> {
  constructor(registry: TenantModelRegistry) {
    super(registry, FEED_COUNTER_ENTITY);
  }

  protected toDomain(doc: FeedCounterDocument): number {
    return doc.seq;
  }

  /**
   * Reserves `count` consecutive feed positions with one atomic `$inc` and resolves the first of
   * them: concurrent requests, on any instance, always get disjoint blocks.
   */
  async allocate(tenant: string, count: number): Promise<number> {
    await this.modelForWrite(tenant);
    const inc = () =>
      this.collection(tenant).findOneAndUpdate(
        this.driverFilter({ _id: FEED_SEQUENCE_ID }),
        { $inc: { seq: count } },
        { upsert: true, returnDocument: 'after' },
      );
    const doc = await this.run(async () => {
      try {
        return await inc();
      } catch (e) {
        // Two first-ever allocations upserting at once: one insert loses on `_id`; the document
        // exists now, so the retry is a plain increment.
        if (isDuplicateKeyError(e)) return inc();
        throw e;
      }
    });
    if (!doc) throw new Error('the feed counter returned no document');
    return this.toDomain(doc as FeedCounterDocument) - count + 1;
  }

  /** Moves the counter up to at least `seq` (never down): the repair when it fell behind the stored positions. */
  async raiseTo(tenant: string, seq: number): Promise<void> {
    await this.modelForWrite(tenant);
    await this.run(async () => {
      const raise = () =>
        this.collection(tenant).updateOne(this.driverFilter({ _id: FEED_SEQUENCE_ID }), { $max: { seq } }, { upsert: true });
      try {
        await raise();
      } catch (e) {
        if (isDuplicateKeyError(e)) await raise();
        else throw e;
      }
    });
  }
}
