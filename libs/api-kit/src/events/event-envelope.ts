import { isValidTenant } from '../domain/tenant';
import { randomUUID } from 'node:crypto';
import { EVENT_TYPES_BY_SOURCE, EventSourceName, EventType } from './event-types';

/** `principalType` values of AUTH-3, carried as `actortype`. */
export type ActorType = 'service' | 'employee' | 'customer' | 'anonymous';

const ACTOR_TYPES: readonly ActorType[] = ['service', 'employee', 'customer', 'anonymous'];
const UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A CloudEvents 1.0 event in structured JSON mode with the suite's extension attributes (EVT-1).
 * Attribute names are exactly the wire names; keep them lowercase (CloudEvents forbids others).
 */
export interface CloudEventEnvelope<D extends object = Record<string, unknown>> {
  specversion: '1.0';
  /** New lowercase UUID v4 per event; consumers deduplicate on it (EVT-5). */
  id: string;
  source: EventSourceName;
  type: EventType;
  /** Id of the affected entity, or the path-like key of an assignment (see EVENT_SUBJECTS). */
  subject: string;
  /** Commit time, `YYYY-MM-DDTHH:mm:ss.SSSZ`; the entity's `metadata.modifiedAt` for writes. */
  time: string;
  datacontenttype: 'application/json';
  tenant: string;
  /** The entity's `metadata.version` after the change (the last version for deletions). */
  entityversion: number;
  actortype: ActorType;
  actorid: string;
  /** `X-Request-Id` of the causing request (HTTP-9). */
  requestid: string;
  data: D;
}

/** Input of {@link buildEvent}; names follow the code, the envelope follows EVT-1. */
export interface BuildEventInput<D extends object> {
  source: EventSourceName;
  type: EventType;
  subject: string;
  tenant: string;
  entityVersion: number;
  /** From the verified token: `principalType` and `sub`. */
  actor: { type: ActorType; id: string };
  requestId: string;
  /** Commit time; a string must already be in the UTC millisecond form. */
  time: Date | string;
  data: D;
}

/**
 * Builds the EVT-1 envelope for one change. `data` is snapshotted as JSON (what the outbox and
 * the broker will carry), so later changes to the caller's object cannot alter the event and
 * `undefined` properties disappear (HTTP-11). Throws `TypeError` for inputs that would make an
 * envelope consumers cannot trust (unknown type for the source, bad tenant, non-integer
 * version, unparseable time, non-object data): those are programming errors, caught by tests.
 */
export function buildEvent<D extends object>(input: BuildEventInput<D>): CloudEventEnvelope<D> {
  const allowed = EVENT_TYPES_BY_SOURCE[input.source];
  if (!allowed) throw new TypeError(`unknown event source ${String(input.source)}`);
  if (!allowed.includes(input.type)) throw new TypeError(`event type ${String(input.type)} does not belong to ${input.source}`);
  if (typeof input.subject !== 'string' || input.subject.length === 0) throw new TypeError('subject is required');
  if (!isValidTenant(input.tenant)) throw new TypeError('tenant is invalid');
  if (!Number.isSafeInteger(input.entityVersion) || input.entityVersion < 0) {
    throw new TypeError('entityVersion must be a non-negative integer');
  }
  if (!input.actor || !ACTOR_TYPES.includes(input.actor.type)) throw new TypeError('actor.type is invalid');
  if (typeof input.actor.id !== 'string' || input.actor.id.length === 0) throw new TypeError('actor.id is required');
  if (typeof input.requestId !== 'string' || input.requestId.length === 0) throw new TypeError('requestId is required');

  // Key order mirrors the EVT-1 example, so logged envelopes read the same everywhere.
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: input.source,
    type: input.type,
    subject: input.subject,
    time: normaliseTime(input.time),
    datacontenttype: 'application/json',
    tenant: input.tenant,
    entityversion: input.entityVersion,
    actortype: input.actor.type,
    actorid: input.actor.id,
    requestid: input.requestId,
    data: snapshot(input.data),
  };
}

function normaliseTime(time: Date | string): string {
  if (time instanceof Date) {
    if (Number.isNaN(time.getTime())) throw new TypeError('time is an invalid Date');
    return time.toISOString();
  }
  if (typeof time !== 'string' || !UTC_MILLIS.test(time)) throw new TypeError('time must be YYYY-MM-DDTHH:mm:ss.SSSZ');
  const parsed = new Date(time);
  // Rejects calendar nonsense such as 2024-02-30 that the pattern lets through.
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== time) throw new TypeError('time is not a valid date');
  return time;
}

function snapshot<D extends object>(data: D): D {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('data must be an object');
  const copy: unknown = JSON.parse(JSON.stringify(data));
  return copy as D;
}
