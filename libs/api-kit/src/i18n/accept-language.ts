import { ApiError } from '../errors';
import { headerText, isLanguageTag, primarySubtag } from './language-tag';

/** A localized value as stored and returned (LOC-1): language code → text. */
export type LocalizedMap = Record<string, string>;

/**
 * The LOC-3 selection: tenant languages (configured spelling) in the header's priority order,
 * or `null` for "all translations" (header absent, empty or `*`).
 */
export type LanguageSelection = readonly string[] | null;

interface WeightedRange {
  range: string;
  q: number;
  index: number;
}

const ACCEPT_LANGUAGE = 'Accept-Language';

function isOws(c: string): boolean {
  return c === ' ' || c === '\t';
}

function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOws(s[a])) a++;
  while (b > a && isOws(s[b - 1])) b--;
  return s.slice(a, b);
}

/** RFC 9110 qvalue: `0[.ddd]` or `1[.000]`; undefined when malformed. */
function parseQValue(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  const lead = text[0];
  if (lead !== '0' && lead !== '1') return undefined;
  if (text.length > 1) {
    if (text[1] !== '.') return undefined;
    for (let i = 2; i < text.length; i++) {
      const c = text[i];
      if (c < '0' || c > '9' || (lead === '1' && c !== '0')) return undefined;
    }
  }
  return Number(text);
}

function invalidFormat(message: string): ApiError {
  return ApiError.validation([{ field: ACCEPT_LANGUAGE, type: 'invalid_format', message }]);
}

/** Parses the weighted list; throws `invalid_format` for anything unparseable. */
function parseWeightedList(text: string): WeightedRange[] {
  const out: WeightedRange[] = [];
  text.split(',').forEach((rawEntry, index) => {
    const entry = trimOws(rawEntry);
    if (entry === '') return; // RFC 9110 list syntax tolerates empty elements
    const parts = entry.split(';');
    const range = trimOws(parts[0]);
    if (range !== '*' && !isLanguageTag(range)) throw invalidFormat(`'${shorten(range)}' is not a language range`);
    let q = 1;
    let seenQ = false;
    for (const rawParam of parts.slice(1)) {
      const param = trimOws(rawParam);
      const eq = param.indexOf('=');
      const name = eq < 0 ? param : trimOws(param.slice(0, eq));
      if (name.toLowerCase() !== 'q' || eq < 0 || seenQ) throw invalidFormat(`'${shorten(entry)}' has an invalid parameter`);
      const value = parseQValue(trimOws(param.slice(eq + 1)));
      if (value === undefined) throw invalidFormat(`'${shorten(entry)}' has an invalid q value`);
      q = value;
      seenQ = true;
    }
    out.push({ range, q, index });
  });
  return out;
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * Selects the tenant languages a request reads (LOC-3). Absent, empty or `*` → `null` (all
 * translations). Otherwise the header is a weighted list: `q=0` entries are dropped; each range
 * selects by exact match (case-insensitive), else every tenant language with the same primary
 * subtag (`en-US` selects `en`); `*` selects all; the union is kept in priority order (q
 * descending, then header order). Ranges that select nothing are ignored when something was
 * selected; when nothing is, `400 validation_failed` (`Accept-Language`, `unsupported_language`,
 * message `Following languages are not supported: 'ru'`). An unparseable header is
 * `400 validation_failed` (`invalid_format`). Results use the configured spelling.
 */
export function selectLanguages(header: unknown, tenantLanguages: readonly string[]): LanguageSelection {
  const text = headerText(header);
  if (text === undefined) {
    if (header === undefined || header === null) return null;
    throw invalidFormat('Accept-Language must be a header string');
  }
  const ranges = parseWeightedList(text);
  if (ranges.length === 0) return null;
  const active = ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
  if (active.length > 0 && active.every((r) => r.range === '*')) return null;
  const selected: string[] = [];
  const unsupported: string[] = [];
  const add = (l: string) => {
    if (!selected.includes(l)) selected.push(l);
  };
  for (const { range } of active) {
    if (range === '*') {
      tenantLanguages.forEach(add);
      continue;
    }
    const lower = range.toLowerCase();
    const exact = tenantLanguages.find((l) => l.toLowerCase() === lower);
    if (exact) {
      add(exact);
      continue;
    }
    const primary = primarySubtag(range);
    const byPrimary = tenantLanguages.filter((l) => primarySubtag(l) === primary);
    if (byPrimary.length) byPrimary.forEach(add);
    else unsupported.push(range);
  }
  if (selected.length === 0) {
    const named = unsupported.length ? unsupported : ranges.map((r) => r.range);
    throw new ApiError('validation_failed', 'Accept-Language validation failed.', {
      details: [
        {
          field: ACCEPT_LANGUAGE,
          type: 'unsupported_language',
          message: `Following languages are not supported: ${named.map((r) => `'${r}'`).join(', ')}`,
        },
      ],
    });
  }
  return selected;
}

/**
 * Narrows a stored localized map for a response (LOC-3.4): always a map, holding the selected
 * languages that have a translation, in selection order; `{}` when none does (or the value is not
 * a map). `null` selection keeps every string translation. The input is not modified.
 */
export function filterLocalized(map: unknown, selection: LanguageSelection): LocalizedMap {
  const out: LocalizedMap = {};
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return out;
  const source = map as Record<string, unknown>;
  const keys = Object.keys(source);
  if (selection === null) {
    for (const k of keys) if (typeof source[k] === 'string') define(out, k, source[k] as string);
    return out;
  }
  for (const language of selection) {
    const lower = language.toLowerCase();
    const key = Object.prototype.hasOwnProperty.call(source, language) ? language : keys.find((k) => k.toLowerCase() === lower);
    if (key !== undefined && typeof source[key] === 'string') define(out, language, source[key] as string);
  }
  return out;
}

// defineProperty: a stored key can never reach a prototype, whatever it is.
function define(target: LocalizedMap, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Languages a request's `q` expands localized fields over (LOC-6): the selection, else all. */
export function queryLanguages(selection: LanguageSelection, tenantLanguages: readonly string[]): readonly string[] {
  return selection ?? tenantLanguages;
}

/** Language a localized field without suffix sorts on (LOC-6): first selected, else the default. */
export function sortLanguage(selection: LanguageSelection, tenantLanguages: readonly string[]): string {
  return selection?.[0] ?? tenantLanguages[0];
}
