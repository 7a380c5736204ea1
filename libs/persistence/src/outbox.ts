import type { CloudEventEnvelope, EventSink } from '@suite/api-kit';
import { Collection, Connection } from 'mongoose';

/** EVT-4: the one collection shared by all tenants; its name has no underscore (TEN-3). */
export const OUTBOX_COLLECTION = 'outbox';
const RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface OutboxEntry {
  _id: string;
  tenant: string;
  event: CloudEventEnvelope<object>;
  createdAt: Date;
  /**
   * Insertion order within this process: entries written in the same millisecond (a batch, or
   * quick successive writes) keep their order for the dispatcher (sort createdAt, seq, _id).
   */
  seq?: number;
  publishedAt: Date | null;
}

/**
 * The outbox (EVT-4): after an entity write succeeded, its event is inserted here as a separate
 * single-document insert. No transaction ties the two; see the trade-off stated in EVT-4.
 */
export class OutboxRepository implements EventSink {
  private static sequence = 0;
  constructor(private readonly connection: Connection) {}

  private get collection(): Collection<OutboxEntry> {
    return this.connection.collection<OutboxEntry>(OUTBOX_COLLECTION);
  }

  async emit(event: CloudEventEnvelope<object>): Promise<void> {
    await this.collection.insertOne({
      _id: event.id,
      tenant: event.tenant,
      event,
      createdAt: new Date(),
      seq: OutboxRepository.sequence++,
      publishedAt: null,
    });
  }

  /**
   * A bulk request's events in one unordered insert (EVT-6): resolves with the indices that were
   * not inserted; rejects when the outcome of the insert is unknown.
   */
  async emitMany(events: readonly CloudEventEnvelope<object>[]): Promise<number[]> {
    if (events.length === 0) return [];
    const createdAt = new Date();
    const docs: OutboxEntry[] = events.map((event) => ({
      _id: event.id,
      tenant: event.tenant,
      event,
      createdAt,
      seq: OutboxRepository.sequence++,
      publishedAt: null,
    }));
    try {
      await this.collection.insertMany(docs, { ordered: false });
      return [];
    } catch (e) {
      const writeErrors = (e as { writeErrors?: Array<{ index: number }> | { index: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (!list.length) throw e;
      return list.map((w) => w.index);
    }
  }

  /** Unpublished entries, oldest first (the dispatcher's work list). */
  unpublished(limit: number): Promise<OutboxEntry[]> {
    return this.collection.find({ publishedAt: null }).sort({ createdAt: 1, seq: 1, _id: 1 }).limit(limit).toArray() as Promise<
      OutboxEntry[]
    >;
  }

  async markPublished(ids: string | string[], at = new Date()): Promise<void> {
    const list = Array.isArray(ids) ? ids : [ids];
    if (list.length) await this.collection.updateMany({ _id: { $in: list } }, { $set: { publishedAt: at } });
  }

  async purgePublishedBefore(cutoff: Date): Promise<number> {
    // Type bracketing: `$lt` a date never matches the `null` of unpublished entries.
    const r = await this.collection.deleteMany({ publishedAt: { $lt: cutoff } });
    return r.deletedCount;
  }

  /**
   * The index the dispatcher's queries need (unpublished in createdAt order; purge by
   * publishedAt). Without it every tick scans the whole outbox. Idempotent; creates the shared
   * collection if needed (it is not a tenant collection, TEN-3).
   */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ publishedAt: 1, createdAt: 1, seq: 1, _id: 1 }, { name: 'dispatch' });
  }

  /** Events of one tenant in insertion order (tests and offboarding, TEN-7). */
  forTenant(tenant: string): Promise<OutboxEntry[]> {
    return this.collection.find({ tenant }).sort({ createdAt: 1, seq: 1, _id: 1 }).toArray() as Promise<OutboxEntry[]>;
  }
}

/** Hands an event to the broker; resolves once the broker accepted it. */
export type EventPublisher = (event: CloudEventEnvelope<object>) => Promise<void>;

/**
 * EVT-4/EVT-5: publishes unpublished entries in `createdAt` order, sets `publishedAt` only after the
 * broker accepted the event (so delivery is at least once: a crash in between republishes), and
 * removes published entries after 7 days. One pass at a time; a failed publish stops the pass so
 * order is kept, and the next tick retries.
 */
export class OutboxDispatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publish: EventPublisher,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * One dispatch pass: batches until the outbox is drained (or `maxBatches`), each published in
   * order and then marked with one update, so the dispatcher keeps up with bulk writes. Returns how
   * many events were published.
   */
  async tick(batch = 500, maxBatches = 20): Promise<number> {
    if (this.running) return 0;
    let published = 0;
    const pass = (async () => {
      for (let b = 0; b < maxBatches; b++) {
        const entries = await this.outbox.unpublished(batch);
        const done: string[] = [];
        let failed = false;
        for (const entry of entries) {
          try {
            await this.publish(entry.event);
          } catch {
            failed = true;
            break;
          }
          done.push(entry._id);
        }
        // Marked only after the publisher accepted them: a crash before this line republishes
        // them (at least once, EVT-5).
        await this.outbox.markPublished(done);
        published += done.length;
        if (failed || entries.length < batch) break;
      }
      await this.outbox.purgePublishedBefore(new Date(Date.now() - RETENTION_MS));
    })();
    this.running = pass.catch(() => undefined);
    try {
      await pass;
    } catch {
      // The database is unavailable; the next tick retries.
    } finally {
      this.running = undefined;
    }
    return published;
  }
}
