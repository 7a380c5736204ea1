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
