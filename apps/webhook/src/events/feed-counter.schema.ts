import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';

export interface FeedCounterDocument {
  /** Which counter: {@link FEED_SEQUENCE_ID}. */
  _id: string;
  /** The last position handed out. */
  seq: number;
}

/** The `_id` of the feed's position counter. */
export const FEED_SEQUENCE_ID = 'feed-sequence';

const feedCounterSchema = new Schema<FeedCounterDocument>({ _id: String, seq: Number }, { versionKey: false });

/**
 * `<tenant>_webhook_feed_counters`: the feed's position counter. In the tenant's own collection, so a
 * tenant's positions never depend on, nor reveal, another tenant's traffic (TEN-3).
 */
export const FEED_COUNTER_ENTITY = defineEntity<FeedCounterDocument>('webhook_feed_counters', feedCounterSchema);
