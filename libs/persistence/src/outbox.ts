import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { CloudEventEnvelope, EventSink } from '@suite/api-kit';
import { Collection, Connection } from 'mongoose';
import type { Logger } from 'pino';
import { ensureDeclaredIndexes, IndexConflict, IndexDeclaration } from './indexes';

/** EVT-4: the one collection shared by all tenants; its name has no underscore (TEN-3). */
export const OUTBOX_COLLECTION = 'outbox';
/**
 * The index the dispatcher's queries need (unpublished in createdAt order; purge by publishedAt).
 * Created at boot and by `npm run migrate`.
 */
export const OUTBOX_INDEXES: readonly IndexDeclaration[] = [{ key: { publishedAt: 1, createdAt: 1, seq: 1, _id: 1 }, name: 'dispatch' }];
const RETENTION_MS = 7 * 24 * 3600 * 1000;
const PURGE_INTERVAL_MS = 60_000;

/** One event of the outbox as the dispatcher and the tests see it, whether it was stored alone or in a batch. */
export interface OutboxEntry {
  /** The event's id (for an event stored alone, also its document's id). */
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
 * A stored outbox document: one event (`event`, from {@link OutboxRepository.emit}) or a bulk
 * request's consecutive events of one tenant (`events`, from {@link OutboxRepository.emitMany}),
 * in order. `sent` counts the events of a batch the broker already accepted when it was handed over
 * in parts; `publishedAt` is set once all of them were.
 */
interface OutboxDocument {
  _id: string;
  tenant: string;
  event?: CloudEventEnvelope<object>;
  events?: CloudEventEnvelope<object>[];
  count?: number;
  sent?: number;
  createdAt: Date;
  seq?: number;
  publishedAt: Date | null;
}

/** An unpublished event with where it is stored: its document and its position in it. */
export interface PendingEvent extends OutboxEntry {
  doc: string;
  index: number;
  of: number;
}

/** A batch document holds at most this many events… */
const MAX_EVENTS_PER_DOCUMENT = 100;
/** …and at most about this many bytes of them (JSON), far below MongoDB's 16 MiB document limit. */
const MAX_BYTES_PER_DOCUMENT = 4 * 1024 * 1024;

function eventsOf(doc: OutboxDocument): CloudEventEnvelope<object>[] {
  return doc.events ?? (doc.event ? [doc.event] : []);
}

/** The unpublished events of stored documents, in order, without those a batch already handed over. */
function pendingOf(docs: readonly OutboxDocument[]): PendingEvent[] {
  const out: PendingEvent[] = [];
  for (const doc of docs) {
    const events = eventsOf(doc);
    for (let i = doc.sent ?? 0; i < events.length; i++) out.push(viewOf(doc, events[i], i, events.length));
  }
  return out;
}

function viewOf(doc: OutboxDocument, event: CloudEventEnvelope<object>, index: number, of: number): PendingEvent {
  return {
    _id: event.id,
    tenant: doc.tenant,
    event,
    createdAt: doc.createdAt,
    seq: doc.seq,
    publishedAt: doc.publishedAt,
    doc: doc._id,
    index,
    of,
  };
}

function entryOf({ doc: _doc, index: _index, of: _of, ...entry }: PendingEvent): OutboxEntry {
  return entry;
}

/**
 * The outbox (EVT-4): after an entity write succeeded, its event is inserted here as a separate
 * single-document insert. No transaction ties the two; see the trade-off stated in EVT-4.
 */
export class OutboxRepository implements EventSink {
  private static sequence = 0;
  private readonly listeners: Array<() => void> = [];
  constructor(private readonly connection: Connection) {}

  /** Called after every insert of this process (the dispatcher wakes up instead of waiting for its next poll). */
  onEmitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  private emitted(): void {
    for (const listener of this.listeners) listener();
  }

  private get collection(): Collection<OutboxDocument> {
    return this.connection.collection<OutboxDocument>(OUTBOX_COLLECTION);
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
    this.emitted();
  }

  /**
   * A bulk request's events (EVT-6) in as few documents as possible: each run of one tenant's
   * consecutive events is one document (at most 100 events and about 4 MiB), all of them in one
   * unordered insert; an event on its own is stored like {@link emit}. Resolves with the indices of
   * the events that were not inserted (those of a document the insert refused); rejects when the
   * outcome of the insert is unknown. One document instead of one per event: a bulk upsert of 200
   * assignments costs the outbox two documents and two index entries, and later two updates.
   */
  async emitMany(events: readonly CloudEventEnvelope<object>[]): Promise<number[]> {
    if (events.length === 0) return [];
    const createdAt = new Date();
    const docs: OutboxDocument[] = [];
    const firstIndex: number[] = [];
    for (let i = 0; i < events.length;) {
      const tenant = events[i].tenant;
      let bytes = Buffer.byteLength(JSON.stringify(events[i]));
      let j = i + 1;
      while (j < events.length && j - i < MAX_EVENTS_PER_DOCUMENT && events[j].tenant === tenant) {
        const next = Buffer.byteLength(JSON.stringify(events[j]));
        if (bytes + next > MAX_BYTES_PER_DOCUMENT) break;
        bytes += next;
        j++;
      }
      const run = events.slice(i, j);
      const seq = OutboxRepository.sequence++;
      docs.push(
        run.length === 1
          ? { _id: run[0].id, tenant, event: run[0], createdAt, seq, publishedAt: null }
          : { _id: run[0].id, tenant, events: run, count: run.length, sent: 0, createdAt, seq, publishedAt: null },
      );
      firstIndex.push(i);
      i = j;
    }
    firstIndex.push(events.length);
    try {
      await this.collection.insertMany(docs, { ordered: false });
      return [];
    } catch (e) {
      const writeErrors = (e as { writeErrors?: Array<{ index: number }> | { index: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (!list.length) throw e;
      const indicesOf = (d: number) => Array.from({ length: firstIndex[d + 1] - firstIndex[d] }, (_, k) => firstIndex[d] + k);
      return list.flatMap((w) => indicesOf(w.index));
    } finally {
      this.emitted();
    }
  }

  /** Unpublished events, oldest first, from at most `limit` documents (tests and tools). */
  async unpublished(limit: number): Promise<OutboxEntry[]> {
    return (await this.pending(limit)).events.map(entryOf);
  }

  /** The dispatcher's work list: the unpublished events of the oldest `limit` documents, and how many documents that was. */
  async pending(limit: number): Promise<{ documents: number; events: PendingEvent[] }> {
    const docs = await this.collection.find({ publishedAt: null }).sort({ createdAt: 1, seq: 1, _id: 1 }).limit(limit).toArray();
    return { documents: docs.length, events: pendingOf(docs) };
  }

  /**
   * Records that the broker accepted `handed` (consecutive pending events, in order): documents
   * whose last event is among them are published; a batch handed over only in part remembers how
   * far (`sent`), so the next pass resumes there and hands none of its events over twice.
   */
  async markHandedOver(handed: readonly PendingEvent[], at = new Date()): Promise<void> {
    const complete: string[] = [];
    let partial: { doc: string; sent: number } | undefined;
    for (const e of handed) {
      if (e.index === e.of - 1) complete.push(e.doc);
      else partial = { doc: e.doc, sent: e.index + 1 };
    }
    if (partial && complete.includes(partial.doc)) partial = undefined;
    await Promise.all([
      complete.length ? this.collection.updateMany({ _id: { $in: complete } }, { $set: { publishedAt: at } }) : undefined,
      partial ? this.collection.updateOne({ _id: partial.doc, publishedAt: null }, { $max: { sent: partial.sent } }) : undefined,
    ]);
  }

  /**
   * How far publishing lags (the `events_outbox_*` gauges, read on each scrape): the unpublished
   * entries and the creation time of the oldest. Both queries use the `dispatch` index.
   */
  async backlog(): Promise<{ count: number; oldestCreatedAt?: Date }> {
    const [count, oldest] = await Promise.all([
      this.collection
        .aggregate<{ n: number }>([
          { $match: { publishedAt: null } },
          { $group: { _id: null, n: { $sum: { $subtract: [{ $ifNull: ['$count', 1] }, { $ifNull: ['$sent', 0] }] } } } },
        ])
        .next()
        .then((r) => r?.n ?? 0),
      this.collection
        .find({ publishedAt: null }, { projection: { createdAt: 1 } })
        .sort({ createdAt: 1 })
        .limit(1)
        .next(),
    ]);
    return { count, oldestCreatedAt: oldest?.createdAt };
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
  async ensureIndexes(): Promise<IndexConflict[]> {
    // An index changed since it was created is returned (and logged by the caller), not thrown:
    // the app starts with the existing one and `npm run migrate` reports the difference.
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    return (await ensureDeclaredIndexes(db, OUTBOX_COLLECTION, OUTBOX_INDEXES)).conflicts;
  }

  /** Events of one tenant in insertion order (tests and offboarding, TEN-7). */
  async forTenant(tenant: string): Promise<OutboxEntry[]> {
    const docs = await this.collection.find({ tenant }).sort({ createdAt: 1, seq: 1, _id: 1 }).toArray();
    return docs.flatMap((doc) => eventsOf(doc).map((event, i, all) => entryOf(viewOf(doc, event, i, all.length))));
  }
}

/** Hands an event to the broker; resolves once the broker accepted it. */
export type EventPublisher = (event: CloudEventEnvelope<object>) => Promise<void>;

/**
 * Hands consecutive outbox entries of one tenant to the broker in one call, in order; resolves
 * once the broker accepted all of them (it deduplicates by event id, so a batch sent again after a
 * failure or a crash is harmless), rejects when it did not (the whole batch is sent again).
 */
export interface EventBatchPublisher {
  publishBatch(tenant: string, events: readonly CloudEventEnvelope<object>[]): Promise<void>;
  /** Largest batch per call (default 100). */
  maxBatch?: number;
  /**
   * Largest batch per call in bytes of the events' JSON (default: no limit); an event larger than this
   * goes alone. Keeps a run of large events under the broker's request limit, so it is never refused
   * for its size and left blocking the outbox.
   */
  maxBatchBytes?: number;
}

/** The log-only publisher used when no broker is configured: each event at debug level. */
export function loggingPublisher(logger: Pick<Logger, 'debug'>): EventBatchPublisher {
  return {
    publishBatch: async (_tenant, events) => {
      for (const event of events) logger.debug({ event }, 'event published');
    },
  };
}

/** The shared collection of leases (one document per lease); no underscore, so never a tenant's (TEN-3). */
export const LEASE_COLLECTION = 'leases';
/** The `_id` of the outbox dispatcher's lease in {@link LEASE_COLLECTION}. */
export const OUTBOX_LEASE_ID = 'outbox-dispatcher';

/** The stored lease: who holds it, until when, and when it was last renewed. */
export interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
  heartbeatAt: Date;
}

export interface OutboxLeaseOptions {
  /**
   * How long the lease lasts without a heartbeat (default 5000 ms): the longest time nobody
   * dispatches after the holder died without releasing it.
   */
  leaseMs?: number;
  /** How often the holder renews the lease and the others try to take it (default 1000 ms; below half the lease). */
  heartbeatMs?: number;
  /** This instance's name in the lease document (default `<hostname>:<pid>:<random>`). */
  holder?: string;
}

export const DEFAULT_OUTBOX_LEASE_MS = 5000;
export const DEFAULT_OUTBOX_HEARTBEAT_MS = 1000;

/**
 * One dispatcher at a time across every instance of a service: a lease document in the service's
 * database, taken with one atomic conditional upsert when it is free or expired, renewed by its
 * holder (the heartbeat), released on shutdown. No transaction and no server-side clock: expiry
 * compares the writers' wall clocks, so the instances' clock skew must stay well below `leaseMs`.
 *
 * The holder acts only while its last successful renewal, timed on its own monotonic clock from
 * *before* the renewal was sent, is younger than 80 % of the lease: a holder that cannot renew (a
 * paused process, a database it cannot reach) stops before anybody else can take over.
 * Overlap is still possible with a badly skewed clock; delivery is at least once anyway (EVT-5).
 */
export class OutboxLease {
  readonly holder: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** performance.now() until which this instance may act as the holder. */
  private validUntil = 0;

  constructor(
    private readonly connection: Connection,
    options: OutboxLeaseOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_OUTBOX_LEASE_MS;
    this.heartbeatMs = options.heartbeatMs ?? Math.min(DEFAULT_OUTBOX_HEARTBEAT_MS, Math.floor(this.leaseMs / 3));
    if (!(this.leaseMs > 0) || !(this.heartbeatMs > 0) || this.heartbeatMs * 2 > this.leaseMs) {
      throw new Error(
        `outbox lease: the heartbeat (${this.heartbeatMs} ms) must be positive and at most half the lease (${this.leaseMs} ms)`,
      );
    }
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  private get collection(): Collection<LeaseDocument> {
    return this.connection.collection<LeaseDocument>(LEASE_COLLECTION);
  }

  /** Whether this instance may act as the holder now (its last renewal is recent enough). */
  get held(): boolean {
    return performance.now() < this.validUntil;
  }

  /**
   * Takes the lease when it is free or expired, or renews it when this instance holds it.
   * Resolves whether this instance holds it now; rejects when the database could not be asked
   * (the lease then runs out by itself).
   */
  async acquire(): Promise<boolean> {
    const sent = performance.now();
    const now = new Date();
    try {
      // Atomic: the filter matches only when the lease is ours or expired. When another holder's
      // lease is current, nothing matches and the upsert's insert of the same _id fails (11000).
      const r = await this.collection.updateOne(
        { _id: OUTBOX_LEASE_ID, $or: [{ holder: this.holder }, { expiresAt: { $lte: now } }] },
        { $set: { holder: this.holder, expiresAt: new Date(now.getTime() + this.leaseMs), heartbeatAt: now } },
        { upsert: true },
      );
      const held = r.matchedCount + r.upsertedCount > 0;
      this.validUntil = held ? sent + this.leaseMs * 0.8 : 0;
      return held;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) {
        this.validUntil = 0;
        return false;
      }
      throw e;
    }
  }

  /** Gives the lease up (on shutdown), so another instance takes it at its next heartbeat. */
  async release(): Promise<void> {
    if (this.validUntil === 0) return;
    this.validUntil = 0;
    await this.collection.updateOne({ _id: OUTBOX_LEASE_ID, holder: this.holder }, { $set: { expiresAt: new Date(0) } });
  }

  /** The stored lease (diagnostics and tests). */
  current(): Promise<LeaseDocument | null> {
    return this.collection.findOne({ _id: OUTBOX_LEASE_ID }) as Promise<LeaseDocument | null>;
  }
}

export interface OutboxDispatcherOptions {
  /**
   * How often the lease holder looks for entries (default 1000 ms; the apps pass OUTBOX_POLL_MS).
   * Entries this process writes wake it at once ({@link OutboxRepository.onEmitted}).
   */
  intervalMs?: number;
  /** After a failed publish the next try waits this long, doubling up to {@link maxBackoffMs} (default 250 ms). */
  initialBackoffMs?: number;
  /** The longest wait between tries while the broker fails (default 30 000 ms). */
  maxBackoffMs?: number;
  /**
   * With several instances of a service, only the holder of this lease dispatches. Without a lease
   * the dispatcher assumes it is the only one (tests, tools); the persistence module always gives one.
   */
  lease?: OutboxLease;
  /** Lease changes are logged here (taken: info, lost: warn). */
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * EVT-4/EVT-5: publishes unpublished entries in `createdAt` order, sets `publishedAt` only after the
 * broker accepted the event (so delivery is at least once: a crash in between republishes), and
 * removes published entries after 7 days. Consecutive entries of one tenant go to the broker as one
 * batch. One pass at a time; a failed publish stops the pass so order is kept, and the next try
 * waits with exponential backoff (the broker may be down). With a lease, only its holder publishes;
 * the others try to take it on every heartbeat and start dispatching as soon as the holder is gone.
 */
export class OutboxDispatcher {
  private timer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** A wake-up came while a pass ran: run another one right after it. */
  private again = false;
  private readonly intervalMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private backoffMs = 0;
  /** Date.now() before which no pass publishes (after a failure). */
  private retryAt = 0;
  /** Date.now() from which the next pass removes published entries past the retention. */
  private nextPurgeAt = 0;
  private publisher: EventBatchPublisher;
  private readonly lease?: OutboxLease;
  private readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** Whether the last lease attempt found this instance holding the lease (for logging changes). */
  private holding = false;

  constructor(
    private readonly outbox: OutboxRepository,
    publish: EventPublisher | EventBatchPublisher,
    options: number | OutboxDispatcherOptions = {},
  ) {
    const o = typeof options === 'number' ? { intervalMs: options } : options;
    this.publisher = typeof publish === 'function' ? oneByOne(publish) : publish;
    this.intervalMs = o.intervalMs ?? 1000;
    this.initialBackoffMs = o.initialBackoffMs ?? 250;
    this.maxBackoffMs = o.maxBackoffMs ?? 30_000;
    this.lease = o.lease;
    this.logger = o.logger;
  }

  /** Replaces the publisher (before {@link start}): the foundation hands events to the webhook service this way. */
  usePublisher(publisher: EventBatchPublisher): void {
    this.publisher = publisher;
  }

  /**
   * Entries were just written by this process: dispatch now rather than at the next poll (when this
   * instance holds the lease and the broker is not backing off). Wake-ups during a pass coalesce
   * into one more pass.
   */
  wake(): void {
    if (!this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.scheduledTick();
  }

  /** A pass from the timer or a wake-up: none while the broker backs off after a failure. */
  private scheduledTick(): void {
    if (this.mayDispatch && Date.now() >= this.retryAt) void this.tick();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.scheduledTick(), this.intervalMs);
    this.timer.unref();
    if (this.lease) {
      this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.lease.heartbeatMs);
      this.heartbeatTimer.unref();
      void this.heartbeat();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.timer = this.heartbeatTimer = undefined;
    await this.running;
    if (this.lease?.held) await this.lease.release().catch(() => undefined);
    this.holding = false;
  }

  /**
   * Takes or renews the lease; resolves whether this instance holds it. A newly taken lease
   * starts a pass at once (the takeover does not wait for the next tick).
   */
  private async heartbeat(): Promise<boolean> {
    if (!this.lease) return true;
    let held: boolean;
    try {
      held = await this.lease.acquire();
    } catch {
      // The database is unavailable: `held` turns false by itself once the lease runs out locally.
      return this.lease.held;
    }
    if (held !== this.holding) {
      this.holding = held;
      if (held) {
        this.logger?.info({ holder: this.lease.holder, leaseMs: this.lease.leaseMs }, 'outbox lease taken: this instance dispatches');
        if (this.timer) void this.tick();
      } else {
        this.logger?.warn({ holder: this.lease.holder }, 'outbox lease lost: another instance dispatches');
      }
    }
    return held;
  }

  /** Whether this instance may publish now (always, without a lease). */
  private get mayDispatch(): boolean {
    return !this.lease || this.lease.held;
  }

  /**
   * One dispatch pass: batches until the outbox is drained (or `maxBatches`), each published in
   * order and then marked with one update, so the dispatcher keeps up with bulk writes. Returns how
   * many events were published (0 when another instance holds the lease).
   */
  async tick(batch = 500, maxBatches = 20): Promise<number> {
    if (this.running) return 0;
    let published = 0;
    const pass = (async () => {
      if (!this.mayDispatch && !(await this.heartbeat())) return;
      for (let b = 0; b < maxBatches; b++) {
        const { documents, events } = await this.outbox.pending(batch);
        const { done, stopped } = await this.publishInOrder(events);
        published += done;
        if (stopped || documents < batch) break;
      }
      // Retention is in days: one purge a minute is plenty (not one per pass, which ran for every write).
      if (this.mayDispatch && Date.now() >= this.nextPurgeAt) {
        await this.outbox.purgePublishedBefore(new Date(Date.now() - RETENTION_MS));
        this.nextPurgeAt = Date.now() + PURGE_INTERVAL_MS;
      }
    })();
    this.running = pass.catch(() => undefined);
    try {
      await pass;
    } catch {
      // The database is unavailable; the next tick retries.
    } finally {
      this.running = undefined;
    }
    if (this.again) {
      this.again = false;
      setImmediate(() => this.scheduledTick());
    }
    return published;
  }

  /**
   * Publishes entries as runs of one tenant (at most the publisher's `maxBatch` each), marking each
   * run published right after the broker accepted it; stops at the first refusal (order is kept)
   * and starts the backoff.
   */
  private async publishInOrder(entries: readonly PendingEvent[]): Promise<{ done: number; stopped: boolean }> {
    const max = this.publisher.maxBatch ?? 100;
    let done = 0;
    for (let i = 0; i < entries.length;) {
      // A holder whose lease could not be renewed in time stops before another one may take over.
      if (!this.mayDispatch) return { done, stopped: true };
      const tenant = entries[i].tenant;
      const maxBytes = this.publisher.maxBatchBytes;
      const size = (e: OutboxEntry) => (maxBytes === undefined ? 0 : Buffer.byteLength(JSON.stringify(e.event)));
      let bytes = size(entries[i]);
      let j = i + 1;
      while (j < entries.length && j - i < max && entries[j].tenant === tenant) {
        const next = size(entries[j]);
        if (maxBytes !== undefined && bytes + next > maxBytes) break;
        bytes += next;
        j++;
      }
      const run = entries.slice(i, j);
      try {
        await this.publisher.publishBatch(
          tenant,
          run.map((e) => e.event),
        );
      } catch {
        this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs ? this.backoffMs * 2 : this.initialBackoffMs);
        this.retryAt = Date.now() + this.backoffMs;
        return { done, stopped: true };
      }
      this.backoffMs = 0;
      this.retryAt = 0;
      // Marked only after the publisher accepted them: a crash before this line republishes
      // them (at least once, EVT-5).
      await this.outbox.markHandedOver(run);
      done += run.length;
      i = j;
    }
    return { done, stopped: false };
  }
}

/** A per-event publisher (tests, tools) as a batch publisher of one event per call, so a refusal stops exactly at that event. */
function oneByOne(publish: EventPublisher): EventBatchPublisher {
  return {
    maxBatch: 1,
    publishBatch: async (_tenant, events) => {
      for (const event of events) await publish(event);
    },
  };
}
