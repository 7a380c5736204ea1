import { Injectable } from '@nestjs/common';
import { IdKeyedRepository, PageQuery, TenantModelRegistry, translateMongoError } from '@suite/persistence';
import { DELIVERY_ENTITY, DeliveryDocument } from './delivery.schema';
import type { Delivery, DeliveryState } from './delivery.types';
import { duplicateKeyIndexes } from './write-errors';

/** What an outcome changes on a PENDING delivery (README "Delivery"). */
export type DeliveryChange = Partial<Pick<Delivery, 'state' | 'attemptCount' | 'nextAttemptAt' | 'attempts' | 'completedAt' | 'reason'>>;

/** A delivery's destination, as the maintenance sweep needs it. */
export interface PendingDestination {
  destinationKey: string;
  url: string;
}

/**
 * `<tenant>_webhook_deliveries`; tenant first (TEN-5). Every state change is one single-document
 * update guarded by what the writer saw (state, attempt count, destination), so a worker that lost
 * its lease, or a replay racing another, can never record twice.
 */
@Injectable()
export class DeliveryRepository extends IdKeyedRepository<DeliveryDocument> {
  constructor(registry: TenantModelRegistry) {
    super(registry, DELIVERY_ENTITY);
  }

  /** Inserts the deliveries, ignoring those whose id exists (a repeated enqueue); resolves how many were new. */
  async insertNew(tenant: string, deliveries: readonly Delivery[]): Promise<number> {
    if (!deliveries.length) return 0;
    await this.modelForWrite(tenant);
    try {
      await this.collection(tenant).insertMany(deliveries.map(toDocument), { ordered: false });
      return deliveries.length;
    } catch (e) {
      const duplicates = duplicateKeyIndexes(e);
      if (!duplicates) throw translateMongoError(e) ?? e;
      return deliveries.length - duplicates.length;
    }
  }

  /** A destination's PENDING deliveries due at `now`, oldest due first, without those in `exclude` (in flight). */
  due(tenant: string, destinationKey: string, now: Date, exclude: readonly string[], limit: number): Promise<Delivery[]> {
    const filter: Record<string, unknown> = { destinationKey, state: 'PENDING', nextAttemptAt: { $lte: now } };
    if (exclude.length) filter._id = { $nin: exclude };
    return this.run(async () => {
      const docs = await this.collection(tenant)
        .find(this.driverFilter(filter))
        .sort({ nextAttemptAt: 1, createdAt: 1, _id: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => this.toDomain(d as DeliveryDocument));
    });
  }

  /** When the destination's next PENDING delivery is due, or null when it has none. */
  async earliestPending(tenant: string, destinationKey: string): Promise<Date | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOne(this.driverFilter({ destinationKey, state: 'PENDING' }), {
        sort: { nextAttemptAt: 1 },
        projection: { nextAttemptAt: 1 },
      }),
    );
    return (doc?.nextAttemptAt as Date | null | undefined) ?? null;
  }

  /**
   * Applies an outcome to the delivery `seen` exactly as it was read: still PENDING, at the same
   * attempt count and destination. False when anything changed meanwhile (nothing is written).
   */
  async record(tenant: string, seen: Delivery, change: DeliveryChange): Promise<boolean> {
    const r = await this.run(() =>
      this.collection(tenant).updateOne(
        this.driverFilter({ _id: seen.id, state: 'PENDING', attemptCount: seen.attemptCount, destinationKey: seen.destinationKey }),
        { $set: change },
      ),
    );
    return r.matchedCount > 0;
  }

  /** Moves a PENDING delivery to another URL (its target's URL changed); guarded like {@link record}. */
  async move(tenant: string, seen: Delivery, url: string, destinationKey: string): Promise<boolean> {
    const r = await this.run(() =>
      this.collection(tenant).updateOne(
        this.driverFilter({ _id: seen.id, state: 'PENDING', attemptCount: seen.attemptCount, destinationKey: seen.destinationKey }),
        { $set: { url, destinationKey } },
      ),
    );
    return r.matchedCount > 0;
  }

  find(tenant: string, id: string): Promise<Delivery | null> {
    return this.findOneDoc(tenant, { _id: id });
  }

  page(tenant: string, query: PageQuery): Promise<{ items: Delivery[]; total?: number }> {
    return this.findPageOf(tenant, query);
  }

  /** Inserts a replay record; false when it exists already (the replay was made before). */
  async insertReplay(tenant: string, replay: Delivery): Promise<boolean> {
    const inserted = await this.insertNew(tenant, [replay]);
    return inserted === 1;
  }

  /**
   * Marks a delivery REPLAYED by `replayId` when it is still in one of `from`, in one atomic
   * update: of two concurrent replays exactly one succeeds. Null when it was not in `from`.
   */
  async markReplayed(tenant: string, id: string, from: readonly DeliveryState[], replayId: string, now: Date): Promise<Delivery | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndUpdate(
        this.driverFilter({ _id: id, state: { $in: [...from] } }),
        { $set: { state: 'REPLAYED', replayedBy: replayId, replayedAt: now, completedAt: now, nextAttemptAt: null } },
        { returnDocument: 'after' },
      ),
    );
    return doc ? this.toDomain(doc as DeliveryDocument) : null;
  }

  /** Dead letters matching a replay filter, newest first, after the cursor `after` (the last one of the previous batch). */
  async deadLetters(
    tenant: string,
    filter: { entryId?: string; eventType?: string; since?: Date },
    after: Pick<Delivery, 'createdAt' | 'id'> | undefined,
    limit: number,
  ): Promise<Delivery[]> {
    const where: Record<string, unknown> = { state: 'FAILED' };
    if (filter.entryId !== undefined) where.entryId = filter.entryId;
    if (filter.eventType !== undefined) where.eventType = filter.eventType;
    if (filter.since !== undefined) where.createdAt = { $gte: filter.since };
    if (after) where.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }];
    return this.run(async () => {
      const docs = await this.collection(tenant).find(this.driverFilter(where)).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
      return docs.map((d) => this.toDomain(d as DeliveryDocument));
    });
  }

  /** Retention: removes the deliveries completed before `cutoff`. */
  async purgeCompletedBefore(tenant: string, cutoff: Date): Promise<number> {
    // Type bracketing: `$lt` a date never matches the null of PENDING deliveries.
    const r = await this.run(() => this.collection(tenant).deleteMany(this.driverFilter({ completedAt: { $lt: cutoff } })));
    return r.deletedCount;
  }

  /** Destinations of PENDING deliveries overdue since `before` (the maintenance sweep's safety net). */
  async overdueDestinations(tenant: string, before: Date, limit: number): Promise<PendingDestination[]> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ state: 'PENDING', nextAttemptAt: { $lte: before } }), { projection: { destinationKey: 1, url: 1 } })
        .limit(limit)
        .toArray(),
    );
    const byKey = new Map<string, PendingDestination>();
    for (const d of docs) byKey.set(d.destinationKey as string, { destinationKey: d.destinationKey as string, url: d.url as string });
    return [...byKey.values()];
  }
}

function toDocument(d: Delivery): DeliveryDocument {
  const { id, ...rest } = d;
  const doc = { _id: id, ...rest } as DeliveryDocument;
  for (const key of Object.keys(doc) as (keyof DeliveryDocument)[]) if (doc[key] === undefined) delete doc[key];
  return doc;
}
