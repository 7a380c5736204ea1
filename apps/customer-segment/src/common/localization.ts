import { ApiError, ErrorDetail, LocalizedMap, findLanguage } from '@suite/api-kit';

// Private adapter for conventions §6 (LOC-2 to LOC-6). The shared i18n module of @suite/api-kit
// supplies the pieces with identical semantics (the map type, case-insensitive language lookup);
// header parsing stays here because the shared versions differ in observable behaviour (error
// messages, `*` inside a list, `{}` for an absent map) and this service's contract is tested as is.

/** A localized value as stored and returned (LOC-1). */
export type { LocalizedMap };

/** LOC-2: the tenant's languages, the first one being its default. */
export interface TenantLanguages {
  all: readonly string[];
  default: string;
}

export function tenantLanguagesOf(tenant: string, defaults: readonly string[], overrides: Record<string, string[]>): TenantLanguages {
  const all = overrides[tenant]?.length ? overrides[tenant] : defaults;
  return { all, default: all[0] };
}

const RANGE = /^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/;
const QVALUE = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

/**
 * LOC-3: the languages an `Accept-Language` header selects, in priority order, or `null` when
 * the header is absent, empty or selects every language (`*`). Nothing selected is
 * `400 unsupported_language`; an unparseable header is `400 invalid_format`.
 */
export function parseAcceptLanguage(header: string | string[] | undefined, languages: TenantLanguages): string[] | null {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === undefined || raw.trim() === '') return null;
  const ranges: Array<{ range: string; q: number; order: number }> = [];
  const parts = raw.split(',');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].trim();
    if (part === '') continue;
    const [range, ...params] = part.split(';').map((s) => s.trim());
    let q = 1;
    for (const p of params) {
      if (!QVALUE.test(p)) throw acceptLanguageError('invalid_format', 'Accept-Language cannot be parsed');
      q = Number(p.slice(2));
    }
    if (!RANGE.test(range)) throw acceptLanguageError('invalid_format', 'Accept-Language cannot be parsed');
    if (q > 0) ranges.push({ range, q, order: i });
  }
  if (ranges.length === 0) throw acceptLanguageError('unsupported_language', 'Accept-Language selects no language of this tenant');
  ranges.sort((a, b) => b.q - a.q || a.order - b.order);
  const selected: string[] = [];
  for (const { range } of ranges) {
    if (range === '*') {
      for (const l of languages.all) if (!selected.includes(l)) selected.push(l);
      continue;
    }
    const exact = findLanguage(range, languages.all);
    const matches = exact ? [exact] : languages.all.filter((l) => l.split('-')[0].toLowerCase() === range.split('-')[0].toLowerCase());
    for (const l of matches) if (!selected.includes(l)) selected.push(l);
  }
  if (selected.length === 0) throw acceptLanguageError('unsupported_language', 'Accept-Language selects no language of this tenant');
  // `*` alone is rule 1 (every stored translation). With other ranges the selection keeps the
  // header's priority order even when it covers every language: sorting uses its first entry (LOC-6).
  if (ranges.every((r) => r.range === '*')) return null;
  return selected;
}

function acceptLanguageError(type: 'invalid_format' | 'unsupported_language', message: string): ApiError {
  return ApiError.validation([{ field: 'Accept-Language', type, message }]);
}

/** LOC-3 rule 4: a map narrowed to the selected languages that have a translation (`{}` if none). */
export function narrowLocalized(map: LocalizedMap | undefined, selection: readonly string[] | null): LocalizedMap | undefined {
  if (map === undefined || map === null) return undefined;
  if (selection === null) return { ...map };
  const out: LocalizedMap = {};
  for (const l of selection) if (typeof map[l] === 'string') out[l] = map[l];
  return out;
}

/** LOC-4: what a `Content-Language` header allows. */
export type ContentLanguage = { kind: 'default' } | { kind: 'any' } | { kind: 'list'; languages: string[] };

/** Parses `Content-Language` (LOC-4); a language outside the tenant's is `400 unsupported_language`. */
export function parseContentLanguage(header: string | string[] | undefined, languages: TenantLanguages): ContentLanguage {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === undefined || raw.trim() === '') return { kind: 'default' };
  const codes = raw
    .split(',')
    .map((s) => s.split(';')[0].trim())
    .filter(Boolean);
  if (codes.length === 1 && codes[0] === '*') return { kind: 'any' };
  const out: string[] = [];
  const unknown: string[] = [];
  for (const c of codes) {
    const l = c === '*' ? undefined : findLanguage(c, languages.all);
    if (!l) unknown.push(c);
    else if (!out.includes(l)) out.push(l);
  }
  if (unknown.length || out.length === 0) {
    throw ApiError.validation([{ field: 'Content-Language', type: 'unsupported_language', message: `not a language of this tenant: ${unknown.join(', ') || raw}` }]);
  }
  return { kind: 'list', languages: out };
}

/** A localized input after LOC-4: either a whole map, or one language's entry (string form). */
export type LocalizedInput = { kind: 'map'; map: LocalizedMap } | { kind: 'single'; language: string; value: string };

/**
 * LOC-4: validates one localized body value (`field`) sent as a map or a string under the given
 * `Content-Language`. Problems are appended to `details`; returns undefined when invalid.
 */
export function readLocalized(
  value: unknown,
  field: string,
  contentLanguage: ContentLanguage,
  languages: TenantLanguages,
  details: ErrorDetail[],
  options: { requireEntry?: boolean } = {},
): LocalizedInput | undefined {
  if (typeof value === 'string') {
    if (contentLanguage.kind === 'any' || (contentLanguage.kind === 'list' && contentLanguage.languages.length > 1)) {
      details.push({ field, type: 'invalid_type', message: `${field} must be a map of language to text under this Content-Language` });
      return undefined;
    }
    const language = contentLanguage.kind === 'list' ? contentLanguage.languages[0] : languages.default;
    return { kind: 'single', language, value };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    details.push({ field, type: 'invalid_type', message: `${field} must be a string or a map of language to text` });
    return undefined;
  }
  const allowed = contentLanguage.kind === 'list' ? contentLanguage.languages : languages.all;
  const map: LocalizedMap = {};
  let ok = true;
  for (const [key, text] of Object.entries(value)) {
    const language = findLanguage(key, allowed);
    if (language !== undefined && Object.prototype.hasOwnProperty.call(map, language)) {
      // Two spellings of one language (`en`, `EN`): keeping either would silently drop the other.
      details.push({ field: `${field}.${key}`, type: 'invalid_value', message: `'${key}' repeats the translation for '${language}'` });
      ok = false;
    } else if (!language) {
      details.push({ field: `${field}.${key}`, type: 'unsupported_language', message: `'${key}' is not an allowed language here` });
      ok = false;
    } else if (typeof text !== 'string') {
      details.push({ field: `${field}.${key}`, type: 'invalid_type', message: 'a translation must be a string' });
      ok = false;
    } else {
      map[language] = text;
    }
  }
  if (ok && options.requireEntry && Object.keys(map).length === 0) {
    details.push({ field, type: 'missing_value', message: `${field} needs at least one translation` });
    ok = false;
  }
  return ok ? { kind: 'map', map } : undefined;
}

/**
 * LOC-5: the stored map after a write. A map replaces the whole map; a single-language string
 * changes only its own entry and keeps the others of `existing`.
 */
export function mergeLocalized(input: LocalizedInput, existing: LocalizedMap | undefined): LocalizedMap {
  if (input.kind === 'map') return { ...input.map };
  return { ...(existing ?? {}), [input.language]: input.value };
}
