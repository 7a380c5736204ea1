import { ApiError, ErrorDetail, sortDetails } from '../errors';
import type { LocalizedMap } from './accept-language';
import { findLanguage, headerText } from './language-tag';

const CONTENT_LANGUAGE = 'Content-Language';

/**
 * The parsed `Content-Language` header (LOC-4):
 * - `absent`: no or empty header; a string value is stored under `language` (the tenant default);
 * - `any`: `*`; only maps are accepted;
 * - `list`: one or more tenant languages (configured spelling, header order, no duplicates).
 */
export type ContentLanguage = { kind: 'absent'; language: string } | { kind: 'any' } | { kind: 'list'; languages: readonly string[] };

/**
 * Parses `Content-Language` (LOC-4): a comma-separated list of codes, or `*`; parameters such as
 * q-values are ignored. Every code must be a tenant language (case-insensitive), otherwise
 * `400 validation_failed` (`Content-Language`, `unsupported_language`). `tenantLanguages[0]` is
 * the tenant default.
 */
export function parseContentLanguage(header: unknown, tenantLanguages: readonly string[]): ContentLanguage {
  const text = headerText(header);
  if (text === undefined && header !== undefined && header !== null) {
    throw ApiError.validation([{ field: CONTENT_LANGUAGE, type: 'invalid_format', message: 'Content-Language must be a header string' }]);
  }
  const codes = (text ?? '')
    .split(',')
    .map((e) => e.split(';')[0].trim())
    .filter((e) => e !== '');
  if (codes.length === 0) return { kind: 'absent', language: tenantLanguages[0] };
  if (codes.includes('*')) return { kind: 'any' };
  const languages: string[] = [];
  const unsupported: string[] = [];
  for (const code of codes) {
    const l = findLanguage(code, tenantLanguages);
    if (!l) unsupported.push(code.length > 40 ? `${code.slice(0, 40)}…` : code);
    else if (!languages.includes(l)) languages.push(l);
  }
  if (unsupported.length) {
    throw ApiError.validation([
      {
        field: CONTENT_LANGUAGE,
        type: 'unsupported_language',
        message: `Following languages are not supported: ${unsupported.map((c) => `'${c}'`).join(', ')}`,
      },
    ]);
  }
  return { kind: 'list', languages };
}

/**
 * What a localized input asks for (LOC-5):
 * - `set`: a string: replace only `language`'s entry and keep the others;
 * - `replace`: a map on create/PUT: the whole map;
 * - `merge`: a map on merge PATCH (META-7): set each entry, remove those given as `null`.
 */
export type LocalizedUpdate =
  | { kind: 'set'; language: string; value: string }
  | { kind: 'replace'; map: LocalizedMap }
  | { kind: 'merge'; entries: Record<string, string | null> };

export interface LocalizedInputOptions {
  /** LOC-4 / HTTP-8 item 9: false for services that accept maps only (category). */
  allowString: boolean;
  /** Merge PATCH: `null` values remove a translation (META-7). */
  mergePatch?: boolean;
  /**
   * Report map-key problems per key, on `field.key` (ERR-8 names a key by its parent path and the
   * key), instead of one detail per kind of problem on `field`: a key that is not allowed here (not
   * a tenant language, or not listed in `Content-Language`) is `unsupported_language`, a second
   * spelling of a language already given is `invalid_value`, and a value that is not a text is
   * `invalid_type`; a key gets its first problem only. Used by the customer-segment service.
   */
  keyDetails?: boolean;
  /** The map needs at least one translation: an empty map is `missing_value` on `field`. */
  requireEntry?: boolean;
}

export type LocalizedInputResult = { ok: true; update: LocalizedUpdate } | { ok: false; details: ErrorDetail[] };

/**
 * Validates one localized field of a request body against `Content-Language` (the LOC-4 table)
 * and returns the update it asks for, or every problem as ERR-6 details (so a service can collect
 * the details of all fields before throwing):
 * - string: `invalid_type` when strings are not allowed, under `*` or under several languages;
 *   otherwise stored under the single header language or the tenant default;
 * - map: each key must be a tenant language (`unsupported_language` on `field`), within the
 *   header's list when one is sent (`invalid_value` on `field`), and not repeated in another
 *   letter case (`invalid_value`); each value a string (`invalid_type` on `field.key`), or `null`
 *   in a merge PATCH. Keys are stored in the configured spelling;
 * - anything else (number, array, `null`, …): `invalid_type` on `field`.
 */
export function normalizeLocalizedInput(
  value: unknown,
  field: string,
  contentLanguage: ContentLanguage,
  tenantLanguages: readonly string[],
  options: LocalizedInputOptions,
): LocalizedInputResult {
  const fail = (type: string, message: string, at = field): LocalizedInputResult => ({
    ok: false,
    details: [{ field: at, type, message }],
  });
  if (typeof value === 'string') {
    if (!options.allowString) return fail('invalid_type', 'must be a map of language codes to texts');
    switch (contentLanguage.kind) {
      case 'absent':
        return { ok: true, update: { kind: 'set', language: contentLanguage.language, value } };
      case 'any':
        return fail('invalid_type', 'must be a map of language codes to texts when Content-Language is *');
      case 'list':
        if (contentLanguage.languages.length !== 1) {
          return fail('invalid_type', 'must be a map of language codes to texts when Content-Language lists several languages');
        }
        return { ok: true, update: { kind: 'set', language: contentLanguage.languages[0], value } };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(
      'invalid_type',
      options.allowString ? 'must be a text or a map of language codes to texts' : 'must be a map of language codes to texts',
    );
  }
  if (options.keyDetails) return mapWithKeyDetails(value as Record<string, unknown>, field, contentLanguage, tenantLanguages, options);
  const details: ErrorDetail[] = [];
  const unsupported: string[] = [];
  const unlisted: string[] = [];
  const repeated: string[] = [];
  const entries: Record<string, string | null> = {};
  const allowed = contentLanguage.kind === 'list' ? contentLanguage.languages : undefined;
  const seen = new Set<string>();
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const language = findLanguage(key, tenantLanguages);
    if (!language) unsupported.push(key);
    else if (allowed && !allowed.includes(language)) unlisted.push(key);
    else if (seen.has(language)) repeated.push(key);
    if (language) seen.add(language);
    if (typeof v === 'string' || (v === null && options.mergePatch)) {
      if (language) Object.defineProperty(entries, language, { value: v, enumerable: true, writable: true, configurable: true });
    } else {
      details.push({
        field: `${field}.${key}`,
        type: 'invalid_type',
        message: options.mergePatch ? 'must be a text or null' : 'must be a text',
      });
    }
  }
  const quote = (keys: string[]) => keys.map((k) => `'${k.length > 40 ? `${k.slice(0, 40)}…` : k}'`).join(', ');
  if (unsupported.length) {
    details.push({ field, type: 'unsupported_language', message: `Following languages are not supported: ${quote(unsupported)}` });
  }
  const valueProblems: string[] = [];
  if (unlisted.length) valueProblems.push(`languages not listed in Content-Language: ${quote(unlisted)}`);
  if (repeated.length) valueProblems.push(`languages given more than once: ${quote(repeated)}`);
  if (valueProblems.length) details.push({ field, type: 'invalid_value', message: valueProblems.join('; ') });
  if (details.length === 0 && options.requireEntry && Object.keys(entries).length === 0) details.push(noEntry(field));
  if (details.length) return { ok: false, details: sortDetails(details) };
  if (options.mergePatch) return { ok: true, update: { kind: 'merge', entries } };
  return { ok: true, update: { kind: 'replace', map: entries as LocalizedMap } };
}

function noEntry(field: string): ErrorDetail {
  return { field, type: 'missing_value', message: `${field} needs at least one translation` };
}

/** The map branch of {@link normalizeLocalizedInput} with `keyDetails`: one detail per offending key. */
function mapWithKeyDetails(
  value: Record<string, unknown>,
  field: string,
  contentLanguage: ContentLanguage,
  tenantLanguages: readonly string[],
  options: LocalizedInputOptions,
): LocalizedInputResult {
  const allowed = contentLanguage.kind === 'list' ? contentLanguage.languages : tenantLanguages;
  const details: ErrorDetail[] = [];
  const entries: Record<string, string | null> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    const language = findLanguage(key, allowed);
    if (language !== undefined && Object.prototype.hasOwnProperty.call(entries, language)) {
      // Two spellings of one language (`en`, `EN`): keeping either would silently drop the other.
      details.push({ field: `${field}.${key}`, type: 'invalid_value', message: `'${key}' repeats the translation for '${language}'` });
    } else if (language === undefined) {
      details.push({ field: `${field}.${key}`, type: 'unsupported_language', message: `'${key}' is not an allowed language here` });
    } else if (typeof v === 'string' || (v === null && options.mergePatch)) {
      Object.defineProperty(entries, language, { value: v, enumerable: true, writable: true, configurable: true });
    } else {
      const message = options.mergePatch ? 'a translation must be a string or null' : 'a translation must be a string';
      details.push({ field: `${field}.${key}`, type: 'invalid_type', message });
    }
  }
  if (details.length === 0 && options.requireEntry && Object.keys(entries).length === 0) details.push(noEntry(field));
  if (details.length) return { ok: false, details: sortDetails(details) };
  if (options.mergePatch) return { ok: true, update: { kind: 'merge', entries } };
  return { ok: true, update: { kind: 'replace', map: entries as LocalizedMap } };
}

/** `normalizeLocalizedInput`, throwing `400 validation_failed` with its details on failure. */
export function normalizeLocalizedInputOrThrow(
  value: unknown,
  field: string,
  contentLanguage: ContentLanguage,
  tenantLanguages: readonly string[],
  options: LocalizedInputOptions,
): LocalizedUpdate {
  const r = normalizeLocalizedInput(value, field, contentLanguage, tenantLanguages, options);
  if (!r.ok) throw ApiError.validation(r.details);
  return r.update;
}

/** Applies an update to the stored map (LOC-5); returns a new map, the input is not modified. */
export function applyLocalizedUpdate(existing: LocalizedMap | undefined | null, update: LocalizedUpdate): LocalizedMap {
  const out: LocalizedMap = {};
  const put = (k: string, v: string) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  switch (update.kind) {
    case 'replace':
      for (const [k, v] of Object.entries(update.map)) put(k, v);
      return out;
    case 'set':
      for (const [k, v] of Object.entries(existing ?? {})) put(k, v);
      put(update.language, update.value);
      return out;
    case 'merge':
      for (const [k, v] of Object.entries(existing ?? {})) put(k, v);
      for (const [k, v] of Object.entries(update.entries)) {
        if (v === null) delete out[k];
        else put(k, v);
      }
      return out;
  }
}
