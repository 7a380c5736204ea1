import { ErrorDetail, isPlainObject, validateDto } from '@suite/api-kit';
import { catalogType } from '../subscriptions/event-catalog';
import {
  activeProblems,
  CONFIG_LIMITS,
  destinationUrlProblems,
  excludedFieldsProblems,
  filterProblems,
  headersProblems,
  nameProblems,
  secretKeyProblems,
} from './config-rules';
import { httpOnlyDetail } from './config-errors';
import { EventConfigurationDto } from './dto/event-configuration.dto';
import { HttpConfigurationDto } from './dto/http-configuration.dto';

// README "Configs" → "PATCH": Emporix's partial updates of an `http` config. Parsing needs only the
// body (the validation step, every problem at once); applying needs the stored config (the handler
// step, config-patch-apply.ts).

const ROOT_FIELDS = ['headers', 'destinationUrl', 'secretKey'] as const;
const LEGACY_FIELDS = ['destinationUrl', 'secretKey', 'headers'] as const;
const ENTRY_FIELDS = ['destinationUrl', 'secretKey', 'headers', 'filter', 'excludedFields', 'name', 'active'] as const;
type RootField = (typeof ROOT_FIELDS)[number];
type LegacyField = (typeof LEGACY_FIELDS)[number];
type EntryField = (typeof ENTRY_FIELDS)[number];

/** What a PATCH path addresses. */
export type PatchTarget =
  | { kind: 'active' }
  | { kind: 'configuration' }
  | { kind: 'root'; field: RootField }
  | { kind: 'entries' }
  | { kind: 'legacy'; eventType: string; field?: LegacyField }
  | { kind: 'newEntry' }
  | { kind: 'entry'; entryId: string; field?: EntryField }
  | { kind: 'svix' };

export interface PatchOperation {
  index: number;
  op: 'UPSERT' | 'REMOVE';
  path: string;
  target: PatchTarget;
  value: unknown;
}

const HTTP = '/configuration/http/';

export const SUPPORTED_PATHS =
  '/active, /configuration, /configuration/http/{headers|destinationUrl|secretKey|eventsConfiguration}, ' +
  '/configuration/http/eventsConfiguration/{eventType}[/destinationUrl|/secretKey|/headers], ' +
  '/configuration/http/eventsConfigurationEntry, ' +
  '/configuration/http/eventsConfigurationEntry/{entryId}[/destinationUrl|/secretKey|/headers|/filter|/excludedFields|/name|/active]';

const includes = <T extends string>(list: readonly T[], s: string | undefined): s is T =>
  s !== undefined && (list as readonly string[]).includes(s);

/** The target of a PATCH path (JSON Pointer escapes `~1`, `~0` decoded), or undefined for a path the contract does not have. */
export function parseTarget(path: string): PatchTarget | undefined {
  if (path === '/active') return { kind: 'active' };
  if (path === '/configuration') return { kind: 'configuration' };
  if (path === '/configuration/svix' || path.startsWith('/configuration/svix/')) return { kind: 'svix' };
  if (!path.startsWith(HTTP)) return undefined;
  const [head, key, field, ...rest] = path
    .slice(HTTP.length)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (rest.length || key === '' || field === '') return undefined;
  if (key === undefined && includes(ROOT_FIELDS, head)) return { kind: 'root', field: head };
  if (head === 'eventsConfiguration') {
    if (key === undefined) return { kind: 'entries' };
    if (field === undefined) return { kind: 'legacy', eventType: key };
    return includes(LEGACY_FIELDS, field) ? { kind: 'legacy', eventType: key, field } : undefined;
  }
  if (head === 'eventsConfigurationEntry') {
    if (key === undefined) return { kind: 'newEntry' };
    if (field === undefined) return { kind: 'entry', entryId: key };
    return includes(ENTRY_FIELDS, field) ? { kind: 'entry', entryId: key, field } : undefined;
  }
  return undefined;
}

/**
 * The body of a PATCH as operations, with every problem that needs no stored data (ERR-6): the
 * array itself, each operation's `op` and `path`, `REMOVE` where it is not allowed, a missing
 * `value`, and the value's own rules (the same as in a POST or PUT body), at `[i].path`,
 * `[i].value...`. `svixOnly` tells that the only problems are Svix paths (the http-only answer).
 */
export function parsePatch(body: unknown): { operations: PatchOperation[]; problems: ErrorDetail[]; svixOnly: boolean } {
  if (body === undefined) return failed({ type: 'missing_payload', message: 'a request body is required' });
  if (!Array.isArray(body)) return failed({ type: 'invalid_type', message: 'the body must be a JSON array of operations' });
  if (body.length === 0) return failed({ type: 'missing_value', message: 'the body must contain at least one operation' });
  if (body.length > CONFIG_LIMITS.patchOperations) {
    return failed({
      type: 'too_many_items',
      message: `at most ${CONFIG_LIMITS.patchOperations} operations are allowed, got ${body.length}`,
    });
  }
  const problems: ErrorDetail[] = [];
  let svix = 0;
  const operations: PatchOperation[] = [];
  body.forEach((raw, index) => {
    const at = `[${index}]`;
    if (!isPlainObject(raw)) {
      problems.push({ field: at, type: 'invalid_type', message: 'an operation must be an object {op, path, value}' });
      return;
    }
    const { op, path } = raw;
    const opOk = op === 'UPSERT' || op === 'REMOVE';
    if (!opOk)
      problems.push({
        field: `${at}.op`,
        type: op === undefined ? 'missing_value' : 'invalid_value',
        message: 'op must be UPSERT or REMOVE',
      });
    if (typeof path !== 'string') {
      problems.push({ field: `${at}.path`, type: path === undefined ? 'missing_value' : 'invalid_type', message: 'path must be a string' });
      return;
    }
    const target = parseTarget(path);
    if (!target) {
      problems.push({
        field: `${at}.path`,
        type: 'invalid_value',
        message: `${shorten(path)} is not a supported path (supported: ${SUPPORTED_PATHS})`,
      });
      return;
    }
    if (target.kind === 'svix') {
      problems.push(httpOnlyDetail(`${at}.path`));
      svix += 1;
      return;
    }
    if (target.kind === 'legacy' && catalogType(target.eventType) === undefined) {
      problems.push({
        field: `${at}.path`,
        type: 'unknown_reference',
        message: `'${shorten(target.eventType)}' is not an event type of the catalog`,
      });
      return;
    }
    if (!opOk) return;
    if (op === 'REMOVE') {
      const refusal = removeRefusal(target);
      if (refusal) problems.push({ field: `${at}.op`, type: 'invalid_value', message: refusal });
      else operations.push({ index, op, path, target, value: undefined });
      return;
    }
    if (!('value' in raw)) {
      problems.push({ field: `${at}.value`, type: 'missing_value', message: `UPSERT on ${shorten(path)} needs a value` });
      return;
    }
    const valueIssues = valueProblems(target, raw.value, `${at}.value`);
    problems.push(...valueIssues);
    if (valueIssues.length === 0) operations.push({ index, op, path, target, value: raw.value });
  });
  return { operations, problems, svixOnly: svix > 0 && svix === problems.length };
}

function failed(detail: ErrorDetail) {
  return { operations: [], problems: [detail], svixOnly: false };
}

function removeRefusal(target: PatchTarget): string | undefined {
  if (target.kind === 'active') return 'REMOVE is not supported on /active; UPSERT true or false';
  if (target.kind === 'newEntry')
    return 'REMOVE is not supported on /configuration/http/eventsConfigurationEntry; address the entry by its id';
  if (target.kind === 'entry' && target.field === 'active')
    return 'REMOVE is not supported on an entry’s active flag; UPSERT true or false';
  return undefined;
}

const LEAF_RULES: Record<EntryField | RootField, (value: unknown, field: string) => ErrorDetail[]> = {
  destinationUrl: destinationUrlProblems,
  secretKey: secretKeyProblems,
  headers: headersProblems,
  filter: filterProblems,
  excludedFields: excludedFieldsProblems,
  name: nameProblems,
  active: activeProblems,
};

/** The problems of an UPSERT's value for its target, by the rules a POST or PUT body follows. */
function valueProblems(target: Exclude<PatchTarget, { kind: 'svix' }>, value: unknown, at: string): ErrorDetail[] {
  switch (target.kind) {
    case 'active':
      return activeProblems(value, at);
    case 'root':
      return LEAF_RULES[target.field](value, at);
    case 'configuration':
      if (!isPlainObject(value)) return [{ field: at, type: 'invalid_type', message: 'must be an http configuration object' }];
      return prefixed(validateDto(HttpConfigurationDto, value).details, at);
    case 'entries':
      if (!Array.isArray(value)) return [{ field: at, type: 'invalid_type', message: 'must be an array of entries' }];
      return prefixed(validateDto(HttpConfigurationDto, { eventsConfiguration: value }).details, at, 'eventsConfiguration');
    case 'legacy': {
      if (target.field) return LEAF_RULES[target.field](value, at);
      return entryProblems(value, at, { eventType: target.eventType });
    }
    case 'newEntry': {
      const issues = entryProblems(value, at);
      if (isPlainObject(value) && value.id !== undefined && value.id !== null) {
        issues.push({ field: `${at}.id`, type: 'read_only', message: 'entry ids are assigned by the server; omit id to create an entry' });
      }
      return issues;
    }
    case 'entry': {
      if (target.field) return LEAF_RULES[target.field](value, at);
      const issues = entryProblems(value, at);
      if (isPlainObject(value) && value.id !== undefined && value.id !== null && value.id !== target.entryId) {
        issues.push({ field: `${at}.id`, type: 'invalid_value', message: 'must be the id of the path (ids cannot change)' });
      }
      return issues;
    }
  }
}

/** An entry value; on a legacy path `eventType` may be left out and must otherwise be the path's type. */
function entryProblems(value: unknown, at: string, legacy?: { eventType: string }): ErrorDetail[] {
  if (!isPlainObject(value)) return [{ field: at, type: 'invalid_type', message: 'must be an eventsConfiguration entry object' }];
  const out: ErrorDetail[] = [];
  let judged: Record<string, unknown> = value;
  if (legacy) {
    if (value.eventType === undefined || value.eventType === null) judged = { ...value, eventType: legacy.eventType };
    else if (typeof value.eventType === 'string' && catalogType(value.eventType) !== catalogType(legacy.eventType)) {
      out.push({ field: `${at}.eventType`, type: 'invalid_value', message: `must be the path’s event type ${legacy.eventType}` });
    }
  }
  return [...out, ...prefixed(validateDto(EventConfigurationDto, judged).details, at)];
}

/** DTO details under the operation's value (`[2].value.headers.X`); `strip` drops the wrapper the DTO was given. */
function prefixed(details: ErrorDetail[], at: string, strip?: string): ErrorDetail[] {
  return details.map((d) => {
    let field = d.field;
    if (strip && field !== undefined && field.startsWith(strip)) field = field.slice(strip.length);
    else if (field !== undefined) field = `.${field}`;
    return { ...d, field: `${at}${field ?? ''}` };
  });
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
