import { Inject, Injectable } from '@nestjs/common';
import { ensureDeclaredIndexes, IndexConflict, mapMongoErrors, MONGO_CONNECTION, translateMongoError } from '@suite/persistence';
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { DESTINATION_INDEXES, DESTINATIONS_COLLECTION, DestinationBreaker, DestinationDocument, IDLE, NEVER } from './destination.schema';
import { duplicateKeyIndexes } from './write-errors';

/** Work arriving for a destination: `count` deliveries due now. */
export interface DestinationWork {
  key: string;
  tenant: string;
  url: string;
  count: number;
}

/**
 * The shared `destinations` collection (README "Delivery", "Leases"). Every change is one atomic
 * single-document update; the lease and the `enqueued` counter make the conditions under which a
 * scheduler may work or release a destination. Times are the writers' wall clocks (no server
 * clock), so the instances' clock skew must stay well below the lease.
 */
@Injectable()
export class DestinationRepository {
  constructor(@Inject(MONGO_CONNECTION) private readonly connection: Connection) {}

  private get collection(): Collection<DestinationDocument> {
    return this.connection.collection<DestinationDocument>(DESTINATIONS_COLLECTION) as unknown as Collection<DestinationDocument>;
  }

  /** Creates the collection's indexes (boot); an index that differs is returned, not thrown. */
  async ensureIndexes(): Promise<IndexConflict[]> {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    return (await ensureDeclaredIndexes(db, DESTINATIONS_COLLECTION, DESTINATION_INDEXES)).conflicts;
  }

  /**
   * Announces work: per destination one upsert that creates it when new, lowers `dueAt` to `now`
   * and bumps `enqueued`. Two first enqueues racing on a new destination collide on the insert of
   * the upsert (11000); the loser's update then finds the document and is retried once.
   */
  async announce(work: readonly DestinationWork[], now: Date): Promise<void> {
    if (!work.length) return;
    const ops = (list: readonly DestinationWork[]): AnyBulkWriteOperation<DestinationDocument>[] =>
      list.map((w) => ({
        updateOne: {
          filter: { _id: w.key },
          update: {
            $setOnInsert: {
              tenant: w.tenant,
              url: w.url,
              lease: { holder: null, until: NEVER },
              breaker: { failures: 0, openUntil: NEVER },
            },
            $min: { dueAt: now },
            $inc: { enqueued: w.count },
            $set: { touchedAt: now },
          },
          upsert: true,
        },
      }));
    try {
      await this.collection.bulkWrite(ops(work), { ordered: false });
    } catch (e) {
      const failed = duplicateKeyIndexes(e);
      if (!failed) throw translateMongoError(e) ?? e;
      await mapMongoErrors(() => this.collection.bulkWrite(ops(failed.map((i) => work[i])), { ordered: false }));
    }
  }

  /** Destinations due now whose lease is free (or this holder's) and whose breaker is not open, earliest first. */
  async due(holder: string, now: Date, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const docs = await this.collection
      .find(claimable(holder, now), { projection: { _id: 1 } })
      .sort({ dueAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  /**
   * Takes the lease of a due destination for `leaseMs` in one conditional update; null when it is
   * not due, leased by another holder, or its breaker is open.
   */
  claim(key: string, holder: string, now: Date, leaseMs: number): Promise<DestinationDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: key, ...claimable(holder, now) },
      { $set: { lease: { holder, until: new Date(now.getTime() + leaseMs) } } },
      { returnDocument: 'after' },
    );
  }

  /** The heartbeat: extends this holder's lease; false when it is no longer this holder's. */
  async renew(key: string, holder: string, now: Date, leaseMs: number): Promise<boolean> {
    const r = await this.collection.updateOne(
      { _id: key, 'lease.holder': holder, 'lease.until': { $gt: now } },
      { $set: { 'lease.until': new Date(now.getTime() + leaseMs) } },
    );
    return r.matchedCount > 0;
  }

  /** Stores the breaker's state (only while this holder has the lease). */
  async saveBreaker(key: string, holder: string, breaker: DestinationBreaker): Promise<void> {
    await this.collection.updateOne({ _id: key, 'lease.holder': holder }, { $set: { breaker } });
  }

  /** The `enqueued` counter, when this holder still has the lease (undefined otherwise). */
  async enqueuedCount(key: string, holder: string): Promise<number | undefined> {
    const doc = await this.collection.findOne({ _id: key, 'lease.holder': holder }, { projection: { enqueued: 1 } });
    return doc?.enqueued;
  }

  /**
   * Releases the lease and leaves `dueAt` (the earliest next attempt, or {@link IDLE}) — only if no
   * enqueue bumped the counter since the holder read `seenEnqueued`. False when one did (the holder
   * looks again: no wake-up is lost) or the lease is no longer this holder's.
   */
  async release(key: string, holder: string, seenEnqueued: number, dueAt: Date | null): Promise<boolean> {
    const r = await this.collection.updateOne(
      { _id: key, 'lease.holder': holder, enqueued: seenEnqueued },
      { $set: { dueAt: dueAt ?? IDLE, lease: { holder: null, until: NEVER } } },
    );
    return r.matchedCount > 0;
  }

  /**
   * Gives the lease up without the release's checks (shutdown, or a worker that ran into trouble),
   * leaving the destination due at `dueAt` so that another scheduler takes it over then.
   */
  async abandon(key: string, holder: string, dueAt: Date): Promise<void> {
    await this.collection.updateOne({ _id: key, 'lease.holder': holder }, { $set: { dueAt, lease: { holder: null, until: NEVER } } });
  }

  /** The tenants that have destinations (maintenance). */
  async tenants(): Promise<string[]> {
    return (await this.collection.distinct('tenant')) as string[];
  }

  /** Removes idle destinations untouched since `before` (an enqueue re-creates one). */
  async purgeIdle(before: Date, now: Date): Promise<number> {
    const r = await this.collection.deleteMany({ dueAt: IDLE, 'lease.until': { $lte: now }, touchedAt: { $lt: before } });
    return r.deletedCount;
  }

  /** One destination (diagnostics and tests). */
  find(key: string): Promise<DestinationDocument | null> {
    return this.collection.findOne({ _id: key });
  }
}

function claimable(holder: string, now: Date): Record<string, unknown> {
  return {
    dueAt: { $lte: now },
    'breaker.openUntil': { $lte: now },
    $or: [{ 'lease.until': { $lte: now } }, { 'lease.holder': holder }],
  };
}
