import { newUuid } from '@suite/api-kit';
import type { ErrorDetail } from '@suite/api-kit';
import { catalogType } from '../subscriptions/event-catalog';
import type { EventsConfigurationEntry, HttpConfiguration, HttpHeaders } from './webhook-config.types';

/** An entry as a body sends it (a validated DTO or a validated PATCH value): `null` is meaningful for `secretKey` and `excludedFields`. */
export interface EntryInput {
  id?: string | null;
  name?: string | null;
  eventType: string;
  destinationUrl?: string | null;
  secretKey?: string | null;
  headers?: HttpHeaders | null;
  filter?: string | null;
  excludedFields?: string[] | null;
  active?: boolean | null;
}

/** `configuration` as a body sends it. */
export interface ConfigurationInput {
  destinationUrl?: string | null;
  secretKey?: string | null;
  headers?: HttpHeaders | null;
  eventsConfiguration?: EntryInput[] | null;
}

/** Makes the ids of new entries; replaced in unit tests. */
export type IdSource = () => string;
export const uuids: IdSource = newUuid;

/**
 * README "Configs" → "Secrets": a write never reads a secret back, so a body without `secretKey`
 * keeps the stored one (a config read and sent back must not lose what the read could not show);
 * `null` removes it; a string replaces it.
 */
export function nextSecret(sent: string | null | undefined, stored: string | undefined): string | undefined {
  if (sent === undefined) return stored;
  return sent === null ? undefined : sent;
}

/** The stored entry for `input` under `id`; `previous` is the entry it replaces (its secret is kept unless the input says otherwise). */
export function toEntry(input: EntryInput, id: string, previous?: EventsConfigurationEntry): EventsConfigurationEntry {
  const entry: EventsConfigurationEntry = { id, eventType: input.eventType, active: input.active ?? true };
  if (typeof input.name === 'string') entry.name = input.name;
  if (typeof input.destinationUrl === 'string') entry.destinationUrl = input.destinationUrl;
  const secret = nextSecret(input.secretKey, previous?.secretKey);
  if (secret !== undefined) entry.secretKey = secret;
  if (input.headers) entry.headers = copyHeaders(input.headers);
  if (typeof input.filter === 'string' && input.filter.trim() !== '') entry.filter = input.filter;
  if (input.excludedFields === null) entry.excludedFields = null;
  else if (Array.isArray(input.excludedFields)) entry.excludedFields = [...input.excludedFields];
  return entry;
}

/** A header map as stored: each header is `{value}` only; other keys of a header object are dropped (ERR-7). */
export function copyHeaders(headers: HttpHeaders): HttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, h]) => [name, { value: h.value }]));
}

/**
 * A whole `configuration` replacing `stored` (PUT, PATCH `/configuration`): the root secret and the
 * entries' secrets follow {@link nextSecret}, entry ids follow {@link resolveEntries}.
 */
export function replaceConfiguration(
  stored: HttpConfiguration | undefined,
  input: ConfigurationInput | undefined,
  field: string,
  newId: IdSource,
): { configuration: HttpConfiguration; problems: ErrorDetail[] } {
  const { entries, problems } = resolveEntries(
    stored?.eventsConfiguration ?? [],
    input?.eventsConfiguration ?? [],
    `${field}.eventsConfiguration`,
    newId,
  );
  const configuration: HttpConfiguration = { eventsConfiguration: entries };
  if (typeof input?.destinationUrl === 'string') configuration.destinationUrl = input.destinationUrl;
  const secret = nextSecret(input?.secretKey, stored?.secretKey);
  if (secret !== undefined) configuration.secretKey = secret;
  if (input?.headers) configuration.headers = copyHeaders(input.headers);
  return { configuration, problems };
}

/**
 * The entry-id rules of a replaced list (Emporix PUT, README "Entry ids"): an id must name a stored
 * entry (400 otherwise) and appear once (400 otherwise); an entry without id keeps the id of the
 * stored entry of its event type when the stored list and the payload each have exactly one entry
 * of that type (legacy payloads), and gets a new UUID otherwise. An entry that keeps an id keeps
 * its secret unless the payload changes it.
 */
export function resolveEntries(
  stored: readonly EventsConfigurationEntry[],
  payload: readonly EntryInput[],
  field: string,
  newId: IdSource,
): { entries: EventsConfigurationEntry[]; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const storedById = new Map(stored.map((e) => [e.id, e]));
  const claimed = new Set<string>();
  payload.forEach((p, k) => {
    if (typeof p.id !== 'string') return;
    if (claimed.has(p.id)) problems.push({ field: `${field}[${k}].id`, type: 'invalid_value', message: `entry id ${p.id} is given twice` });
    else if (!storedById.has(p.id)) {
      problems.push({
        field: `${field}[${k}].id`,
        type: 'unknown_reference',
        message: `no entry with id ${p.id} exists; ids are assigned by the server, omit id for a new entry`,
      });
    }
    claimed.add(p.id);
  });
  const storedOfType = groupByType(stored);
  const payloadCount = new Map<string, number>();
  for (const p of payload) payloadCount.set(typeKey(p.eventType), (payloadCount.get(typeKey(p.eventType)) ?? 0) + 1);
  const entries = payload.map((p) => {
    if (typeof p.id === 'string') return toEntry(p, p.id, storedById.get(p.id));
    const key = typeKey(p.eventType);
    const candidates = storedOfType.get(key) ?? [];
    const only = candidates.length === 1 && payloadCount.get(key) === 1 && !claimed.has(candidates[0].id) ? candidates[0] : undefined;
    return only ? toEntry(p, only.id, only) : toEntry(p, newId());
  });
  return { entries, problems };
}

/** The catalog type an entry routes by (entries keep their type as written). */
export function typeKey(eventType: string): string {
  return catalogType(eventType) ?? eventType.toLowerCase();
}

function groupByType(entries: readonly EventsConfigurationEntry[]): Map<string, EventsConfigurationEntry[]> {
  const out = new Map<string, EventsConfigurationEntry[]>();
  for (const e of entries) {
    const key = typeKey(e.eventType);
    out.set(key, [...(out.get(key) ?? []), e]);
  }
  return out;
}

/**
 * The rules of a whole config (README "Configs" → "Validation"), judged on the state a write
 * leaves: at most 100 entries, and an active config must be able to deliver: every active entry
 * has a destination (its own or the root's), and without active entries the root has one.
 */
export function configurationProblems(active: boolean, c: HttpConfiguration, field = 'configuration'): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const entries = c.eventsConfiguration ?? [];
  if (entries.length > 100) {
    out.push({
      field: `${field}.eventsConfiguration`,
      type: 'too_many_items',
      message: `at most 100 entries are allowed, got ${entries.length}`,
    });
  }
  if (!active || c.destinationUrl !== undefined) return out;
  const activeEntries = entries.map((e, k) => [e, k] as const).filter(([e]) => e.active !== false);
  if (activeEntries.length === 0) {
    out.push({
      field: `${field}.destinationUrl`,
      type: 'missing_value',
      message: 'an active config needs a destinationUrl, at the root or on an active entry',
    });
  }
  for (const [e, k] of activeEntries) {
    if (e.destinationUrl === undefined) {
      out.push({
        field: `${field}.eventsConfiguration[${k}].destinationUrl`,
        type: 'missing_value',
        message: 'the config is active and neither this entry nor the configuration has a destinationUrl',
      });
    }
  }
  return out;
}

/** Every destination of a config with the field it is at. */
export function destinationsOf(c: HttpConfiguration, field = 'configuration'): Array<{ url: string; field: string }> {
  const out: Array<{ url: string; field: string }> = [];
  if (c.destinationUrl !== undefined) out.push({ url: c.destinationUrl, field: `${field}.destinationUrl` });
  (c.eventsConfiguration ?? []).forEach((e, k) => {
    if (e.destinationUrl !== undefined) out.push({ url: e.destinationUrl, field: `${field}.eventsConfiguration[${k}].destinationUrl` });
  });
  return out;
}
