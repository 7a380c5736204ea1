/**
 * What routing (events/) hands to delivery (delivery/): one record per event and target, the
 * body already shaped (README "Delivery"). Owned by delivery/; routing only creates them.
 */
export interface NewDelivery {
  /** The CloudEvents `id` (EVT-1); with `entryId` it is the delivery's deduplication key. */
  eventId: string;
  /** The CloudEvents `type`, sent as `ce-type`. */
  eventType: string;
  /** The `eventsConfiguration` entry routed to, or null for the config's root `destinationUrl`. */
  entryId: string | null;
  /** The destination at routing time (the entry's, else the root's). */
  url: string;
  /** The exact POST body: the event's `data` without the excluded top-level fields, as JSON. */
  body: string;
  /** The event's `time` (EVT-1). */
  eventTime: string;
}

/** The delivery side's intake; provided and exported by DeliveryModule. */
export abstract class DeliveryQueue {
  /**
   * Stores the deliveries of the tenant (each once: a repeated eventId+entryId is ignored, so a
   * re-sent ingestion batch never delivers twice) and wakes the destinations' workers. Resolves
   * once they are durable; rejects when that is unknown (the caller answers 503 and the publishing
   * service retries the batch).
   */
  abstract enqueue(tenant: string, deliveries: readonly NewDelivery[]): Promise<void>;
}

/**
 * Where a delivery is in its life (README "Delivery"): PENDING until an attempt succeeds
 * (SUCCEEDED), the retry schedule is exhausted (FAILED: the dead letter), its target was gone or
 * inactive at an attempt (CANCELLED), or a replay superseded it (REPLAYED).
 */
export const DELIVERY_STATES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'REPLAYED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One attempt as the log keeps it (the last {@link MAX_KEPT_ATTEMPTS}). */
export interface DeliveryAttempt {
  /** When the request was started. */
  at: Date;
  durationMs: number;
  /** The receiver's status code, when it answered. */
  statusCode?: number;
  /** Why the attempt failed without (or despite) an answer: timeout, refused connection, policy. */
  error?: string;
  /** The first characters of a non-2xx answer's body. */
  responseExcerpt?: string;
  /** The URL the attempt went to. */
  url: string;
  /** The names (never the values) of the headers the attempt sent. */
  headerNames: string[];
}

/** How many attempts the record keeps (the oldest are dropped). */
export const MAX_KEPT_ATTEMPTS = 20;

/** One delivery: an event's body for one target, with its attempts (README "Delivery"). */
export interface Delivery extends NewDelivery {
  /** {@link deliveryIdOf} for a routed delivery; for a replay, {@link replayIdOf} of the replayed one. */
  id: string;
  /** {@link destinationKeyOf} of tenant and `url`. */
  destinationKey: string;
  state: DeliveryState;
  attemptCount: number;
  /** When the next attempt is due (null once the delivery is complete). */
  nextAttemptAt: Date | null;
  attempts: DeliveryAttempt[];
  createdAt: Date;
  /** When it reached a final state (retention counts from here). */
  completedAt: Date | null;
  /** Why it was cancelled or dead-lettered. */
  reason?: string;
  /** The delivery this one replays. */
  replayOf?: string;
  /** The replay that superseded this one, and when. */
  replayedBy?: string;
  replayedAt?: Date;
}
