import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import type { Collection, Connection } from 'mongoose';
import type { IndexDeclaration } from './indexes';
import { isDuplicateKeyError } from './mongo-errors';
import { MONGO_CONNECTION } from './persistence.module';

interface CounterDocument {
  _id: string;
  count: number;
  /** The end of the counter's window; the TTL index removes the document after it. */
  expiresAt: Date;
}

/** The one index of a counters collection: the TTL index that removes counters after their window. */
export const WINDOW_COUNTER_INDEXES: readonly IndexDeclaration[] = [{ key: { expiresAt: 1 }, name: 'expiry', expireAfterSeconds: 0 }];

/** A counter in its fixed window. */
export interface WindowCount {
  /** The window's count (after the hit, for {@link WindowCounters.hit}). */
  count: number;
  /** When the window ends (epoch ms); the next window counts from zero. */
  endsAt: number;
}

/**
 * Fixed-window counters in one collection of the service's own database (TEN-3), shared by every
 * instance of the service, so a limit holds for their sum, never per process.
 *
 * One document per key and window; its id names the window's start, so a new window is a new
 * document and no reset is ever needed. Every hit is one atomic `findOneAndUpdate` with `$inc` and
 * `upsert`: concurrent hits from any number of instances each see a distinct count. The TTL index
 * only cleans up: a counter past its window is never read again, whenever the TTL monitor removes
 * it. The collection name has no underscore, so it can never be a `<tenant>_<entity>` collection.
 */
export class WindowCounters {
  constructor(
    private readonly connection: Connection,
    readonly collectionName: string,
  ) {
    if (!/^[a-z]+$/.test(collectionName)) throw new Error(`WindowCounters: '${collectionName}' is not a shared collection name`);
  }

  private get collection(): Collection<CounterDocument> {
    return this.connection.collection<CounterDocument>(this.collectionName);
  }

  /** Counts `by` events for `key` in the window of `windowMs` that holds `now`; resolves with the window's count. */
  async hit(key: string, windowMs: number, by = 1, now = Date.now()): Promise<WindowCount> {
    const { id, endsAt } = windowOf(key, windowMs, now);
    const update = { $inc: { count: by }, $setOnInsert: { expiresAt: new Date(endsAt) } };
    const options = { upsert: true, returnDocument: 'after' as const, projection: { count: 1 } };
    let doc: { count?: number } | null;
    try {
      doc = await this.collection.findOneAndUpdate({ _id: id }, update, options);
    } catch (e) {
      // Two first hits of a window may race to insert it (MongoDB may report the loser's upsert
      // as a duplicate key); the document exists now, so the retry is a plain increment.
      if (!isDuplicateKeyError(e)) throw e;
      doc = await this.collection.findOneAndUpdate({ _id: id }, update, options);
    }
    return { count: doc?.count ?? by, endsAt };
  }

  /** The counts of several keys in their windows that hold `now` (0 for a key not counted yet), in one query. */
  async peek(keys: readonly { key: string; windowMs: number }[], now = Date.now()): Promise<WindowCount[]> {
    const windows = keys.map((k) => windowOf(k.key, k.windowMs, now));
    const docs = await this.collection.find({ _id: { $in: windows.map((w) => w.id) } }, { projection: { count: 1 } }).toArray();
    const counts = new Map(docs.map((d) => [d._id, d.count]));
    return windows.map((w) => ({ count: counts.get(w.id) ?? 0, endsAt: w.endsAt }));
  }

  /**
   * The TTL index that removes counters after their window. Idempotent; creates the shared
   * collection if needed (it is not a tenant collection, so TEN-6 does not apply).
   */
  async ensureIndexes(): Promise<void> {
    for (const { key, ...options } of WINDOW_COUNTER_INDEXES) await this.collection.createIndex(key as Record<string, 1>, options);
  }
}

/** The counter document of a key's window: its id names the window's start (and length). */
function windowOf(key: string, windowMs: number, now: number): { id: string; endsAt: number } {
  const start = Math.floor(now / windowMs) * windowMs;
  return { id: `${key}|${windowMs}|${start}`, endsAt: start + windowMs };
}

/** A provider of the service's {@link WindowCounters} in `collection`, its TTL index made at boot. */
export function windowCountersProvider(token: InjectionToken, collection: string): FactoryProvider<WindowCounters> {
  return {
    provide: token,
    useFactory: async (connection: Connection) => {
      const counters = new WindowCounters(connection, collection);
      await counters.ensureIndexes();
      return counters;
    },
    inject: [MONGO_CONNECTION],
  };
}
