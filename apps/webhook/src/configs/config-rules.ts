import type { ErrorDetail } from '@suite/api-kit';
import { filterProblem } from '../common/json-path-filter';
import { catalogType } from '../subscriptions/event-catalog';

/**
 * The rules of a config's values that need nothing but the value (README "Configs" →
 * "Validation"): the DTOs apply them at the edge, the PATCH operations to their `value`, so a
 * value is judged the same whichever way it arrives. Each returns every problem of the value at
 * `field` (ERR-6), `[]` when it is valid.
 */
export const CONFIG_LIMITS = {
  /** Emporix: "The size limit for this list is 10", per level (root and each entry). */
  headersPerLevel: 10,
  headerNameLength: 256,
  headerValueLength: 4096,
  entries: 100,
  nameLength: 255,
  secretKeyLength: 256,
  urlLength: 2048,
  excludedFields: 100,
  fieldNameLength: 255,
  eventTypeLength: 255,
  patchOperations: 100,
} as const;

/**
 * Header names the delivery sets itself, or that describe the connection and the body (the HTTP
 * client refuses or rewrites them): a config may not send them. Compared case-insensitively.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
  'emporix-event-signature',
  'emporix-event-publish-time',
  'ce-id',
  'ce-type',
]);
/**
 * Prefixes of header families the delivery owns: the CloudEvents attributes (`ce-*`), Emporix's event
 * headers and the suite's `x-delivery-*`.
 */
export const RESERVED_HEADER_PREFIXES: readonly string[] = ['ce-', 'emporix-event-', 'x-delivery-'];

/**
 * Whether a header name is the delivery's or frames the message: refused when a config is written,
 * and left out when an attempt is sent (for configs stored before a name became reserved).
 */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((p) => lower.startsWith(p));
}

/** RFC 9110 `token`: the characters a header name may have. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value without CR, LF, NUL or another control character (HTAB allowed): no header injection. */
const FIELD_VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;

const detail = (field: string, type: string, message: string): ErrorDetail => ({ field, type, message });

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `headers`: a map of at most 10 names to `{ "value": "..." }`; names are tokens and not reserved, values single-line. */
export function headersProblems(value: unknown, field: string): ErrorDetail[] {
  if (!isObject(value)) return [detail(field, 'invalid_type', 'must be an object of header names to {"value": "..."}')];
  const out: ErrorDetail[] = [];
  const names = Object.keys(value);
  if (names.length > CONFIG_LIMITS.headersPerLevel) {
    out.push(detail(field, 'too_many_items', `at most ${CONFIG_LIMITS.headersPerLevel} headers are allowed, got ${names.length}`));
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const at = `${field}.${name}`;
    const lower = name.toLowerCase();
    if (name.length > CONFIG_LIMITS.headerNameLength || !TOKEN.test(name)) {
      out.push(detail(at, 'invalid_key', `'${shorten(name)}' is not a valid HTTP header name`));
    } else if (isReservedHeader(name)) {
      out.push(detail(at, 'invalid_key', `${name} is set by the delivery and cannot be configured`));
    } else if (seen.has(lower)) {
      out.push(detail(at, 'invalid_key', `${name} is given twice (header names are case-insensitive; also ${seen.get(lower)})`));
    }
    seen.set(lower, name);
    const entry = value[name];
    if (!isObject(entry)) {
      out.push(detail(at, 'invalid_type', 'must be an object {"value": "..."}'));
      continue;
    }
    const v = entry.value;
    if (typeof v !== 'string') out.push(detail(`${at}.value`, v === undefined ? 'missing_value' : 'invalid_type', 'must be a string'));
    else if (!FIELD_VALUE.test(v)) out.push(detail(`${at}.value`, 'invalid_value', 'must not contain CR, LF or other control characters'));
    else if (v.length > CONFIG_LIMITS.headerValueLength) {
      out.push(detail(`${at}.value`, 'too_long', `must be at most ${CONFIG_LIMITS.headerValueLength} characters long`));
    }
  }
  return out;
}

/** `destinationUrl` as far as it can be judged without the destination policy: a string of at most 2048 characters. */
export function destinationUrlProblems(value: unknown, field: string): ErrorDetail[] {
  if (typeof value !== 'string') return [detail(field, 'invalid_type', 'must be a string')];
  if (value.length > CONFIG_LIMITS.urlLength)
    return [detail(field, 'too_long', `must be at most ${CONFIG_LIMITS.urlLength} characters long`)];
  if (value.trim() === '') return [detail(field, 'missing_value', 'must be an absolute http(s) URL')];
  return [];
}

/** `secretKey`: 1 to 256 characters. */
export function secretKeyProblems(value: unknown, field: string): ErrorDetail[] {
  if (typeof value !== 'string') return [detail(field, 'invalid_type', 'must be a string')];
  if (value.length < 1 || value.length > CONFIG_LIMITS.secretKeyLength) {
    return [detail(field, 'out_of_range', `must be 1 to ${CONFIG_LIMITS.secretKeyLength} characters long`)];
  }
  return [];
}

/** `filter`: a predicate of the supported JsonPath subset (README "Filters"); empty means "no filter". */
export function filterProblems(value: unknown, field: string): ErrorDetail[] {
  if (typeof value !== 'string') return [detail(field, 'invalid_type', 'must be a string')];
  if (value.trim() === '') return [];
  const problem = filterProblem(value);
  return problem ? [detail(field, 'invalid_format', problem)] : [];
}

/** `excludedFields`: `null` (inherit the subscription's), or up to 100 non-blank top-level field names. */
export function excludedFieldsProblems(value: unknown, field: string): ErrorDetail[] {
  if (value === null) return [];
  return fieldNamesProblems(value, field);
}

/** A list of top-level `data` field names (entry `excludedFields`, subscription `fieldsTo(Un)subscribe`). */
export function fieldNamesProblems(value: unknown, field: string): ErrorDetail[] {
  if (!Array.isArray(value)) return [detail(field, 'invalid_type', 'must be an array of field names')];
  const out: ErrorDetail[] = [];
  if (value.length > CONFIG_LIMITS.excludedFields) {
    out.push(detail(field, 'too_many_items', `at most ${CONFIG_LIMITS.excludedFields} field names are allowed, got ${value.length}`));
  }
  value.forEach((name, i) => {
    const at = `${field}[${i}]`;
    if (typeof name !== 'string') out.push(detail(at, 'invalid_type', 'must be a string'));
    else if (name.trim() === '') out.push(detail(at, 'missing_value', 'must not be blank'));
    else if (name.length > CONFIG_LIMITS.fieldNameLength)
      out.push(detail(at, 'too_long', `must be at most ${CONFIG_LIMITS.fieldNameLength} characters long`));
    else if (/[.[\]]/.test(name)) out.push(detail(at, 'invalid_value', 'only top-level field names are supported, not paths'));
  });
  return out;
}

/** `eventType`: a type of the event catalog, in any letter case. */
export function eventTypeProblems(value: unknown, field: string): ErrorDetail[] {
  if (typeof value !== 'string') return [detail(field, value === undefined ? 'missing_value' : 'invalid_type', 'must be a string')];
  if (value.length > CONFIG_LIMITS.eventTypeLength || catalogType(value) === undefined) {
    return [
      detail(
        field,
        'unknown_reference',
        `'${shorten(value)}' is not an event type of the catalog (GET /webhook/{tenant}/event-subscriptions)`,
      ),
    ];
  }
  return [];
}

/** `name`: at most 255 characters. */
export function nameProblems(value: unknown, field: string): ErrorDetail[] {
  if (typeof value !== 'string') return [detail(field, 'invalid_type', 'must be a string')];
  if (value.length > CONFIG_LIMITS.nameLength)
    return [detail(field, 'too_long', `must be at most ${CONFIG_LIMITS.nameLength} characters long`)];
  return [];
}

/** `active`: a boolean. */
export function activeProblems(value: unknown, field: string): ErrorDetail[] {
  return typeof value === 'boolean' ? [] : [detail(field, 'invalid_type', 'must be true or false')];
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
