import { Inject, Injectable } from '@nestjs/common';
import { CloudEventEnvelope } from '@suite/api-kit';
import { MONGO_CONNECTION, OUTBOX_COLLECTION, OutboxEntry } from '@suite/persistence';
import { Connection } from 'mongoose';

/**
 * Private stand-in until `EventSink` offers a batch emit: writes many outbox entries in one
 * `insert` command, in the exact document shape of `OutboxRepository.emit` (EVT-4), so the
 * dispatcher cannot tell them apart. Unordered, so one bad entry does not hold back the others.
 * Returns the indices of the envelopes that did not reach the outbox.
 */
@Injectable()
export class OutboxBatchRepository {
  constructor(@Inject(MONGO_CONNECTION) private readonly connection: Connection) {}

  async insertMany(events: readonly CloudEventEnvelope<object>[]): Promise<number[]> {
    if (events.length === 0) return [];
    const now = new Date();
    const docs: OutboxEntry[] = events.map((event) => ({ _id: event.id, tenant: event.tenant, event, createdAt: now, publishedAt: null }));
    try {
      await this.connection.collection<OutboxEntry>(OUTBOX_COLLECTION).insertMany(docs, { ordered: false });
      return [];
    } catch (e) {
      const writeErrors = (e as { writeErrors?: Array<{ index: number }> | { index: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : undefined;
      // Without per-entry errors nothing is known to be durable: report them all as failed.
      return list?.length ? list.map((w) => w.index) : events.map((_, i) => i);
    }
  }
}
