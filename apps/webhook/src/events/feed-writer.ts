import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { FeedCounterRepository } from './feed-counter.repository';
import { FeedEventRepository } from './feed-event.repository';
import type { FeedEvent, IngestedEnvelope } from './feed-event.types';
import { FEED_LATE_WRITE_MS } from './feed-settings';

/** What storing a batch did, by index in the batch given. */
export interface StoreOutcome {
  inserted: number;
  duplicates: number[];
  refused: { index: number; code?: number }[];
}

/** Re-positioning a late write more often than this is given up (and logged): the database is in trouble. */
const MAX_MOVES = 3;

/**
 * Writes a batch into the tenant's feed: one block of positions from the counter, one unordered
 * insert, duplicates by CloudEvents `id` left as they are. A write slower than
 * {@link FEED_LATE_WRITE_MS} gets new positions, so that no feed reader can have passed it (see
 * FEED_SETTLE_MS); a reader that read it at its first position sees it once more, which EVT-5
 * consumers tolerate (they deduplicate by `id`).
 */
@Injectable()
export class FeedWriter {
  constructor(
    private readonly counter: FeedCounterRepository,
    private readonly events: FeedEventRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async store(tenant: string, envelopes: readonly IngestedEnvelope[]): Promise<StoreOutcome> {
    if (!envelopes.length) return { inserted: 0, duplicates: [], refused: [] };
    // A tenant's first write creates its feed collections and their indexes: not part of the timed
    // write (under load it alone could pass FEED_LATE_WRITE_MS and move a batch nobody could have passed).
    await Promise.all([this.counter.prepareForWrite(tenant), this.events.prepareForWrite(tenant)]);
    let started = performance.now();
    const first = await this.counter.allocate(tenant, envelopes.length);
    // Taken after the allocation: an event's receivedAt is never earlier than its position.
    const receivedAt = new Date();
    const docs: FeedEvent[] = envelopes.map((event, i) => ({
      id: event.id,
      seq: first + i,
      type: event.type,
      source: event.source,
      subject: event.subject,
      time: new Date(event.time),
      receivedAt,
      event,
    }));
    const { duplicates, refused, positionConflicts } = await this.events.insertMany(tenant, docs);
    if (positionConflicts.length) {
      // The counter is behind the stored positions (restored or removed by hand): repair it and let
      // the publisher's retry store the rest; what was inserted now counts as duplicates then.
      await this.counter.raiseTo(tenant, await this.events.lastSeq(tenant));
      throw new Error(`feed positions of ${tenant} were taken already; the counter was raised`);
    }
    const notNew = new Set([...duplicates, ...refused.map((r) => r.index)]);
    const inserted = docs.filter((_, i) => !notNew.has(i)).map((d) => d.id);
    for (let moves = 0; inserted.length && performance.now() - started > FEED_LATE_WRITE_MS; moves++) {
      if (moves === MAX_MOVES) {
        this.logger.error({ tenant, events: inserted }, 'feed write still late after re-positioning; feed readers may miss these events');
        break;
      }
      this.logger.warn({ tenant, events: inserted.length, ms: Math.round(performance.now() - started) }, 'late feed write re-positioned');
      started = performance.now();
      const moved = await this.counter.allocate(tenant, inserted.length);
      await this.events.move(tenant, inserted, moved, new Date());
    }
    return { inserted: inserted.length, duplicates, refused };
  }
}
