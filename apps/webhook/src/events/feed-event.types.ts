/**
 * A CloudEvents envelope as a publisher handed it in and as the feed returns it (EVT-1): the
 * attributes ingestion checked, plus any other attribute exactly as sent.
 */
export interface IngestedEnvelope {
  specversion: '1.0';
  /** Lowercase UUID; the deduplication key (EVT-5). */
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  tenant: string;
  data: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** One event of a tenant's feed (README "Event feed"), plain data. */
export interface FeedEvent {
  /** The CloudEvents `id`. */
  id: string;
  /** The tenant's feed position: increasing, allocated at ingestion, with gaps. */
  seq: number;
  type: string;
  source: string;
  subject: string;
  /** The event's `time`. */
  time: Date;
  /** When this service stored it (after its `seq` was allocated): settle window and retention. */
  receivedAt: Date;
  event: IngestedEnvelope;
}
