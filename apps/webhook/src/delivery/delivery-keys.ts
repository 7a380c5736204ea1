import { createHash } from 'node:crypto';
import type { Delivery, NewDelivery } from './delivery.types';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The id of the delivery of event `eventId` to entry `entryId` (null: the config's root URL):
 * deterministic, so a re-sent ingestion batch finds its deliveries already stored and adds none
 * (`DeliveryQueue.enqueue` ignores the duplicate keys). 32 lowercase hex characters.
 */
export function deliveryIdOf(eventId: string, entryId: string | null): string {
  return sha256(JSON.stringify(['delivery', eventId, entryId ?? 'root'])).slice(0, 32);
}

/**
 * The id of the replay of delivery `deliveryId`: deterministic too, so two replay requests for the
 * same delivery (a double click) can only ever create one replay record.
 */
export function replayIdOf(deliveryId: string): string {
  return sha256(JSON.stringify(['replay', deliveryId])).slice(0, 32);
}

/** A destination: one receiver URL of one tenant (`<tenant>|<sha256(url)>`), the unit of leases and breakers. */
export function destinationKeyOf(tenant: string, url: string): string {
  return `${tenant}|${sha256(url)}`;
}

/** The tenant of a destination key. */
export function tenantOfDestination(destinationKey: string): string {
  return destinationKey.slice(0, destinationKey.indexOf('|'));
}

/** A delivery not attempted yet, due now: what an enqueue and a replay both store. */
export function pendingDelivery(tenant: string, id: string, source: NewDelivery, now: Date): Delivery {
  return {
    id,
    eventId: source.eventId,
    eventType: source.eventType,
    entryId: source.entryId,
    url: source.url,
    body: source.body,
    eventTime: source.eventTime,
    destinationKey: destinationKeyOf(tenant, source.url),
    state: 'PENDING',
    attemptCount: 0,
    nextAttemptAt: now,
    attempts: [],
    createdAt: now,
    completedAt: null,
  };
}
