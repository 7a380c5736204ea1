import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry, TenantRepository, translateMongoError } from '@suite/persistence';
import { FEED_EVENT_ENTITY, FeedEventDocument } from './feed-event.schema';
import type { FeedEvent } from './feed-event.types';

/** What an unordered insert of a batch did besides inserting. */
export interface FeedInsertOutcome {
  /** Indices of events stored before (their `_id` exists): duplicates, not errors. */
  duplicates: number[];
  /** Indices whose position was taken already: the counter is behind the stored positions. */
  positionConflicts: number[];
  /** Indices the database refused for the document itself (never a transient failure). */
  refused: { index: number; code?: number }[];
}

/** A write error of an unordered insert as the driver reports it (`err` holds the server's entry). */
interface InsertWriteError {
  index: number;
  code?: number;
  errmsg?: string;
  err?: { keyPattern?: Record<string, unknown> };
}

/** What one feed read asks for. */
export interface FeedRange {
  /** Positions strictly after this one. */
  after: number;
  /** Canonical types; undefined for every type. */
  types?: readonly string[];
  /** Only events received at or after this instant (retention). */
  receivedSince: Date;
  limit: number;
  maxTimeMS: number;
}

/** `<tenant>_webhook_events`; tenant first (TEN-5). Documents leave as {@link FeedEvent}. */
@Injectable()
export class FeedEventRepository extends TenantRepository<FeedEventDocument, FeedEvent> {
  constructor(registry: TenantModelRegistry) {
    super(registry, FEED_EVENT_ENTITY);
  }

  protected toDomain(doc: FeedEventDocument): FeedEvent {
    const { _id, ...rest } = doc;
    return { id: _id, ...rest };
  }

  /**
   * Stores a batch in one unordered insert: an event whose id is stored already is reported as a
   * duplicate, the rest are inserted. Rejects when the outcome of the insert is unknown.
   */
  async insertMany(tenant: string, events: readonly FeedEvent[]): Promise<FeedInsertOutcome> {
    const outcome: FeedInsertOutcome = { duplicates: [], positionConflicts: [], refused: [] };
    if (!events.length) return outcome;
    await this.modelForWrite(tenant);
    const docs = events.map(({ id, ...rest }) => ({ _id: id, ...rest }) as FeedEventDocument);
    try {
      await this.collection(tenant).insertMany(docs, { ordered: false });
      return outcome;
    } catch (e) {
      const raw = (e as { writeErrors?: unknown }).writeErrors;
      const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as InsertWriteError[];
      if (!list.length) throw translateMongoError(e) ?? e;
      for (const w of list) {
        if (!isDuplicateKeyError(w)) outcome.refused.push({ index: w.index, code: w.code });
        else if (onId(w)) outcome.duplicates.push(w.index);
        else outcome.positionConflicts.push(w.index);
      }
      return outcome;
    }
  }

  /** The highest position stored (0 for an empty feed). */
  async lastSeq(tenant: string): Promise<number> {
    const doc = await this.run(() => this.collection(tenant).findOne({}, { sort: { seq: -1 }, projection: { seq: 1 } }));
    return typeof doc?.seq === 'number' ? doc.seq : 0;
  }

  /** Gives stored events new positions (and a new `receivedAt`), in the order given. */
  async move(tenant: string, ids: readonly string[], firstSeq: number, receivedAt: Date): Promise<void> {
    if (!ids.length) return;
    await this.run(() =>
      this.collection(tenant).bulkWrite(
        ids.map((id, i) => ({
          updateOne: { filter: this.driverFilter({ _id: id }), update: { $set: { seq: firstSeq + i, receivedAt } } },
        })),
        { ordered: false },
      ),
    );
  }

  /** Events after a position, in position order; an absent collection is an empty feed. */
  async range(tenant: string, range: FeedRange): Promise<FeedEvent[]> {
    const filter: Record<string, unknown> = { seq: { $gt: range.after }, receivedAt: { $gte: range.receivedSince } };
    if (range.types) filter.type = { $in: [...range.types] };
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter(filter), { sort: { seq: 1 }, limit: range.limit, maxTimeMS: range.maxTimeMS })
        .toArray(),
    );
    return docs.map((d) => this.toDomain(d as FeedEventDocument));
  }

  /** Removes the events received before `cutoff` (idempotent; never creates the collection). */
  async purgeReceivedBefore(tenant: string, cutoff: Date): Promise<number> {
    const r = await this.run(() => this.collection(tenant).deleteMany(this.driverFilter({ receivedAt: { $lt: cutoff } })));
    return r.deletedCount;
  }
}

/** Whether a duplicate-key error is about the event's `_id` (a re-sent event) rather than its position. */
function onId(w: InsertWriteError): boolean {
  const pattern = w.err?.keyPattern;
  if (pattern) return Object.keys(pattern).join() === '_id';
  return / index: _id_ /.test(w.errmsg ?? '');
}
