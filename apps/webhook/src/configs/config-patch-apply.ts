import type { ErrorDetail } from '@suite/api-kit';
import { catalogType } from '../subscriptions/event-catalog';
import {
  ConfigurationInput,
  copyHeaders,
  EntryInput,
  IdSource,
  replaceConfiguration,
  resolveEntries,
  toEntry,
  typeKey,
} from './config-entries';
import type { PatchOperation, PatchTarget } from './config-patch';
import type { WrittenDestination } from './destination-checker';
import type { EventsConfigurationEntry, HttpConfiguration, HttpHeaders } from './webhook-config.types';

// README "Configs" → "PATCH", the handler step: the parsed operations (config-patch.ts) applied in
// order to a copy of the stored config, so a PATCH either applies completely, in one guarded
// write, or not at all.

type EntryField = NonNullable<Extract<PatchTarget, { kind: 'entry' }>['field']>;

const BY_ID_HINT = 'address them by id with /configuration/http/eventsConfigurationEntry/{entryId}';

/** The part of a config a PATCH changes. */
export interface PatchState {
  active: boolean;
  configuration: HttpConfiguration;
}

export interface PatchResult {
  state: PatchState;
  /** Operations that name what is not there: `400` (README "PATCH" decision), all listed. */
  problems: ErrorDetail[];
  /** Legacy `{eventType}` paths that match several entries: `409` (Emporix), at `[i].path`. */
  conflicts: ErrorDetail[];
  /** The destinations the operations set, at the operation that sets them. */
  written: WrittenDestination[];
}

/**
 * Applies parsed operations in order to a copy of `current`. An operation that cannot apply is
 * reported and skipped, and the others still run, so one answer lists every problem.
 */
export function applyPatch(current: PatchState, operations: readonly PatchOperation[], newId: IdSource): PatchResult {
  const state: PatchState = structuredClone(current);
  state.configuration.eventsConfiguration ??= [];
  const result: PatchResult = { state, problems: [], conflicts: [], written: [] };
  for (const op of operations) applyOne(result, op, newId);
  return result;
}

function applyOne(result: PatchResult, op: PatchOperation, newId: IdSource): void {
  const { state } = result;
  const c = state.configuration;
  const at = `[${op.index}]`;
  const upsert = op.op === 'UPSERT';
  const t = op.target;
  switch (t.kind) {
    case 'active':
      state.active = op.value as boolean;
      return;
    case 'configuration': {
      if (!upsert) {
        state.configuration = { eventsConfiguration: [] };
        return;
      }
      const input = op.value as ConfigurationInput;
      const replaced = replaceConfiguration(c, input, `${at}.value`, newId);
      result.problems.push(...replaced.problems);
      state.configuration = replaced.configuration;
      if (typeof input.destinationUrl === 'string') result.written.push({ url: input.destinationUrl, field: `${at}.value.destinationUrl` });
      writtenOfList(result, input.eventsConfiguration ?? [], `${at}.value.eventsConfiguration`);
      return;
    }
    case 'root':
      setField(c, t.field, upsert ? op.value : undefined);
      if (upsert && t.field === 'destinationUrl') result.written.push({ url: op.value as string, field: `${at}.value` });
      return;
    case 'entries': {
      if (!upsert) {
        c.eventsConfiguration = [];
        return;
      }
      const list = op.value as EntryInput[];
      const resolved = resolveEntries(c.eventsConfiguration, list, `${at}.value`, newId);
      result.problems.push(...resolved.problems);
      c.eventsConfiguration = resolved.entries;
      writtenOfList(result, list, `${at}.value`);
      return;
    }
    case 'legacy':
      return applyLegacy(result, op, t, newId);
    case 'newEntry': {
      const input = op.value as EntryInput;
      c.eventsConfiguration.push(toEntry(input, newId()));
      if (typeof input.destinationUrl === 'string') result.written.push({ url: input.destinationUrl, field: `${at}.value.destinationUrl` });
      return;
    }
    case 'entry': {
      const k = c.eventsConfiguration.findIndex((e) => e.id === t.entryId);
      if (k < 0) {
        result.problems.push({
          field: `${at}.path`,
          type: 'unknown_reference',
          message: `the config has no eventsConfiguration entry with id ${t.entryId}`,
        });
        return;
      }
      changeEntry(result, op, k, t.field);
      return;
    }
    case 'svix':
      return;
  }
}

/** Emporix's legacy paths by event type: fine while at most one entry has the type, `409` when several do. */
function applyLegacy(result: PatchResult, op: PatchOperation, t: Extract<PatchTarget, { kind: 'legacy' }>, newId: IdSource): void {
  const at = `[${op.index}]`;
  const c = result.state.configuration;
  const canonical = catalogType(t.eventType);
  if (canonical === undefined) {
    result.problems.push({
      field: `${at}.path`,
      type: 'unknown_reference',
      message: `'${t.eventType}' is not an event type of the catalog`,
    });
    return;
  }
  const matches = c.eventsConfiguration.map((e, k) => [e, k] as const).filter(([e]) => typeKey(e.eventType) === canonical);
  if (matches.length > 1) {
    result.conflicts.push({
      field: `${at}.path`,
      type: 'ambiguous_reference',
      message: `${matches.length} entries have the event type ${t.eventType}; ${BY_ID_HINT}`,
    });
    return;
  }
  const k = matches.length ? matches[0][1] : -1;
  const upsert = op.op === 'UPSERT';
  if (k < 0 && !upsert) {
    result.problems.push({
      field: `${at}.path`,
      type: 'unknown_reference',
      message: `the config has no eventsConfiguration entry of type ${t.eventType}`,
    });
    return;
  }
  if (t.field === undefined && upsert) {
    const input = { ...(op.value as EntryInput) };
    input.eventType ??= t.eventType;
    if (k < 0 && typeof input.id === 'string') {
      result.problems.push({
        field: `${at}.value.id`,
        type: 'read_only',
        message: 'entry ids are assigned by the server; omit id to create an entry',
      });
      return;
    }
    if (k >= 0 && typeof input.id === 'string' && input.id !== c.eventsConfiguration[k].id) {
      result.problems.push({
        field: `${at}.value.id`,
        type: 'invalid_value',
        message: `must be the id of the entry of type ${t.eventType}`,
      });
      return;
    }
    if (k < 0) c.eventsConfiguration.push(toEntry(input, newId()));
    else c.eventsConfiguration[k] = toEntry(input, c.eventsConfiguration[k].id, c.eventsConfiguration[k]);
    if (typeof input.destinationUrl === 'string') result.written.push({ url: input.destinationUrl, field: `${at}.value.destinationUrl` });
    return;
  }
  if (k < 0) {
    // UPSERT of one field of an entry that does not exist yet: it is created with that field.
    const created: EventsConfigurationEntry = { id: newId(), eventType: t.eventType, active: true };
    c.eventsConfiguration.push(created);
    changeEntry(result, op, c.eventsConfiguration.length - 1, t.field);
    return;
  }
  changeEntry(result, op, k, t.field);
}

/** Replaces, removes or changes one field of the entry at `k`. */
function changeEntry(result: PatchResult, op: PatchOperation, k: number, field: EntryField | undefined): void {
  const at = `[${op.index}]`;
  const entries = result.state.configuration.eventsConfiguration;
  const entry = entries[k];
  const upsert = op.op === 'UPSERT';
  if (field === undefined) {
    if (!upsert) {
      entries.splice(k, 1);
      return;
    }
    const input = op.value as EntryInput;
    entries[k] = toEntry(input, entry.id, entry);
    if (typeof input.destinationUrl === 'string') result.written.push({ url: input.destinationUrl, field: `${at}.value.destinationUrl` });
    return;
  }
  const value = upsert ? op.value : undefined;
  switch (field) {
    case 'active':
      entry.active = value as boolean;
      return;
    case 'excludedFields':
      // null (inherit the subscription's exclusions) is stored as sent; REMOVE leaves the field out.
      if (value === undefined) delete entry.excludedFields;
      else entry.excludedFields = value === null ? null : [...(value as string[])];
      return;
    case 'filter':
      setField(entry, 'filter', typeof value === 'string' && value.trim() !== '' ? value : undefined);
      return;
    default:
      setField(entry, field, value);
      if (upsert && field === 'destinationUrl') result.written.push({ url: value as string, field: `${at}.value` });
  }
}

function setField(
  target: HttpConfiguration | EventsConfigurationEntry,
  field: 'destinationUrl' | 'secretKey' | 'headers' | 'name' | 'filter',
  value: unknown,
) {
  const record = target as unknown as Record<string, unknown>;
  if (value === undefined) delete record[field];
  else record[field] = field === 'headers' ? copyHeaders(value as HttpHeaders) : value;
}

function writtenOfList(result: PatchResult, list: readonly EntryInput[], field: string): void {
  list.forEach((e, k) => {
    if (typeof e.destinationUrl === 'string') result.written.push({ url: e.destinationUrl, field: `${field}[${k}].destinationUrl` });
  });
}
