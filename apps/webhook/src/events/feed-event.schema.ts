import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { FeedEvent } from './feed-event.types';

export interface FeedEventDocument extends Omit<FeedEvent, 'id'> {
  /** The CloudEvents `id`: one document per event and tenant, whatever a publisher re-sends. */
  _id: string;
}

const feedEventSchema = new Schema<FeedEventDocument>(
  {
    _id: String,
    seq: Number,
    type: String,
    source: String,
    subject: String,
    time: Date,
    receivedAt: Date,
    event: Schema.Types.Mixed,
  },
  { versionKey: false },
);
// The feed in order; unique, so that two requests can never share a position.
feedEventSchema.index({ seq: 1 }, { unique: true });
// The feed filtered by type (`?type=`), still in order.
feedEventSchema.index({ type: 1, seq: 1 });
// The retention purge.
feedEventSchema.index({ receivedAt: 1 });

/** `<tenant>_webhook_events`: every event the suite's services published for the tenant, for 7 days. */
export const FEED_EVENT_ENTITY = defineEntity<FeedEventDocument>('webhook_events', feedEventSchema);
