import { EVENT_TYPES_BY_SOURCE, EventSourceName, isPlainObject } from '@suite/api-kit';
import type { IngestedEnvelope } from './feed-event.types';

/** EVT-1's `id`: a UUID in lower case (upper case would slip past the deduplication by `_id`). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An RFC 3339 timestamp with seconds and a zone (`Z` or an offset); fractions optional. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/** Longest `subject` stored (EVT-1 subjects are ids and short path-like keys). */
export const MAX_SUBJECT_LENGTH = 1024;

/** What an event of one ingestion request must name: the path's tenant and the publisher's source. */
export interface EnvelopeExpectation {
  tenant: string;
  source: EventSourceName;
}

export type EnvelopeVerdict = { ok: true; envelope: IngestedEnvelope } | { ok: false; message: string };

/**
 * Judges one element of an ingestion request (README "Ingestion"): every problem, as
 * `<attribute>: <problem>` joined by `; `. Attributes besides the checked ones are kept as sent
 * (CloudEvents extensions); a publisher never speaks for another service or another tenant.
 */
export function checkEnvelope(raw: unknown, expected: EnvelopeExpectation): EnvelopeVerdict {
  if (!isPlainObject(raw)) return { ok: false, message: 'the event must be a JSON object' };
  const problems: string[] = [];
  const { specversion, id, source, type, subject, time, tenant, data } = raw;
  if (specversion !== '1.0') problems.push(`specversion: must be '1.0'`);
  if (typeof id !== 'string' || !UUID.test(id)) problems.push('id: must be a UUID in lower case');
  if (source !== expected.source) problems.push(`source: must be '${expected.source}' for this publisher`);
  else if (typeof type !== 'string' || !(EVENT_TYPES_BY_SOURCE[expected.source] as readonly string[]).includes(type)) {
    problems.push(`type: not an event type of ${expected.source}`);
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    problems.push(`subject: must be a string of 1 to ${MAX_SUBJECT_LENGTH} characters`);
  }
  if (typeof time !== 'string' || !isTimestamp(time)) problems.push('time: must be an RFC 3339 timestamp such as 2024-06-01T08:30:00.000Z');
  if (tenant !== expected.tenant) problems.push(`tenant: must be '${expected.tenant}', the tenant of the path`);
  if (!isPlainObject(data)) problems.push('data: must be a JSON object');
  if (problems.length) return { ok: false, message: problems.join('; ') };
  return { ok: true, envelope: raw as IngestedEnvelope };
}

function isTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // The pattern lets 2024-02-30 through; the calendar does not.
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
