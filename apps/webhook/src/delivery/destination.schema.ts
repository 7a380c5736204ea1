import type { IndexDeclaration } from '@suite/persistence';

/**
 * The shared collection of destinations (README "Delivery"): one document per tenant and receiver
 * URL, the unit of scheduling, leasing and circuit breaking. Infrastructure like `outbox` and
 * `leases`, not tenant data: its name has no underscore, so it can never clash with a
 * `<tenant>_<entity>` collection (TEN-3), and its documents name their tenant.
 */
export const DESTINATIONS_COLLECTION = 'destinations';

/** The indexes of {@link DESTINATIONS_COLLECTION}: the schedulers' due scan, and the tenants for maintenance. */
export const DESTINATION_INDEXES: readonly IndexDeclaration[] = [
  { key: { dueAt: 1 }, name: 'due' },
  { key: { tenant: 1 }, name: 'tenant' },
];

/**
 * `dueAt` of a destination with nothing to do. A date rather than null: `enqueue` lowers `dueAt`
 * with `$min`, and null sorts below every date, so `$min` could never lower a null.
 */
export const IDLE = new Date('9999-12-31T00:00:00.000Z');
/** `lease.until` of a free lease and `breaker.openUntil` of a closed breaker. */
export const NEVER = new Date(0);

export interface DestinationLease {
  /** The scheduler instance working the destination (meaningful while `until` is in the future). */
  holder: string | null;
  until: Date;
}

export interface DestinationBreaker {
  /** Consecutive failed attempts. */
  failures: number;
  /** Until when no attempt is made ({@link NEVER}: closed). */
  openUntil: Date;
}

export interface DestinationDocument {
  /** `<tenant>|<sha256(url)>` (destinationKeyOf). */
  _id: string;
  tenant: string;
  url: string;
  /** The earliest time a scheduler should look at it; {@link IDLE} when nothing is pending. */
  dueAt: Date;
  /** Bumped by every enqueue: a worker releasing the destination sees whether work arrived meanwhile. */
  enqueued: number;
  lease: DestinationLease;
  breaker: DestinationBreaker;
  /** Last enqueue (idle destinations untouched for the retention period are removed). */
  touchedAt: Date;
}
