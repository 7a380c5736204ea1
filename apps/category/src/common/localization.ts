import {
  ApiError,
  ContentLanguage,
  ErrorDetail,
  findLanguage,
  isPlainObject,
  LanguageSelection,
  parseContentLanguage,
  refusedLanguageRanges,
  selectLanguages,
} from '@suite/api-kit';
import { CONSTRAINT_MESSAGE } from './category.errors';

// The LOC rules come from @suite/api-kit's i18n; this file holds only the category wording of
// their 400s (§3.4) and the category's localized-map rules (maps only, slugs without diacritics).

const ACCEPT_LANGUAGE_MESSAGE = 'Accept-Language validation failed.';

/**
 * LOC-3: the languages `Accept-Language` selects (`null` = all translations). A header that
 * selects nothing is the §3.4 400: every range that selected nothing, quoted, without a field; an
 * unparseable one is `invalid_format` on the header. Both with the §3.4 message.
 */
export function acceptedLanguages(header: string | undefined, tenantLanguages: readonly string[]): LanguageSelection {
  try {
    return selectLanguages(header, tenantLanguages);
  } catch (e) {
    if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') throw e;
    if (e.details.some((d) => d.type === 'unsupported_language')) {
      const named = refusedLanguageRanges(header, tenantLanguages).map((r) => `'${r}'`);
      throw new ApiError('validation_failed', ACCEPT_LANGUAGE_MESSAGE, {
        details: [{ type: 'unsupported_language', message: `Following languages are not supported: ${named.join(', ')}` }],
      });
    }
    throw new ApiError('validation_failed', ACCEPT_LANGUAGE_MESSAGE, {
      details: [{ field: 'Accept-Language', type: 'invalid_format', message: 'the header cannot be parsed' }],
    });
  }
}

/**
 * LOC-4: the languages a `Content-Language` header allows as map keys, or `null` when it is
 * absent or `*` (any tenant language). Every listed code must be a tenant language; a header that
 * is not blank but names no language is a 400 too. Both with the §3.4 message of the writes.
 */
export function writableLanguages(header: string | undefined, tenantLanguages: readonly string[]): readonly string[] | null {
  let parsed: ContentLanguage;
  try {
    parsed = parseContentLanguage(header, tenantLanguages);
  } catch (e) {
    if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') throw e;
    throw new ApiError('validation_failed', CONSTRAINT_MESSAGE, { details: e.details });
  }
  if (parsed.kind === 'list') return parsed.languages;
  if (parsed.kind === 'absent' && header !== undefined && header.trim() !== '') {
    throw new ApiError('validation_failed', CONSTRAINT_MESSAGE, {
      details: [{ field: 'Content-Language', type: 'invalid_format', message: 'must name at least one language' }],
    });
  }
  return null;
}

/** The languages a write body may use: the tenant's, narrowed by `Content-Language` (LOC-4). */
export interface WriteLanguages {
  tenant: readonly string[];
  /** `null`: any tenant language. */
  allowed: readonly string[] | null;
}

/** How one localized field is checked. */
export interface LocalizedFieldRule {
  /** The field's path in the body, e.g. `localizedName` or `ref.localizedName`. */
  field: string;
  /** The field's name in the §3.4 messages, e.g. `Category slug`. */
  label: string;
  /** Every translation must have a non-blank text (names). */
  nonBlank?: boolean;
  /** No diacritics (slugs, §3.4). */
  slug?: boolean;
}

const COMBINING_MARK = /[\u0300-\u036f]/;

/**
 * The category's rules for one localized map (§3.4, LOC-4 with maps only), on a value that is
 * already known to be an object: keys must be tenant languages within `Content-Language` and
 * name each language once; values are texts (`null` removes a translation in a merge PATCH).
 * Returns the map with keys in the configured spelling; problems are appended to `details`
 * (`prefix` places them inside a bulk element, e.g. `[3].`).
 */
export function readLocalizedMap(
  value: Record<string, unknown>,
  rule: LocalizedFieldRule,
  langs: WriteLanguages,
  details: ErrorDetail[],
  options: { allowNull?: boolean; prefix?: string } = {},
): Record<string, string | null> {
  const field = `${options.prefix ?? ''}${rule.field}`;
  const out: Record<string, string | null> = {};
  const unsupported: string[] = [];
  const seen = new Set<string>();
  for (const [key, text] of Object.entries(value)) {
    const lang = findLanguage(key, langs.tenant);
    if (!lang || (langs.allowed !== null && !langs.allowed.includes(lang))) {
      unsupported.push(key);
      continue;
    }
    // `en` and `EN` name one language (LOC-2): refuse rather than silently keep only one text.
    if (seen.has(lang)) {
      details.push({ field: `${field}.${key}`, type: 'invalid_key', message: `duplicates the language '${lang}'` });
      continue;
    }
    seen.add(lang);
    if (text === null && options.allowNull) {
      out[lang] = null;
    } else if (typeof text !== 'string') {
      details.push({ field: `${field}.${key}`, type: 'invalid_type', message: 'must be a string' });
    } else if (rule.nonBlank && text.trim() === '') {
      details.push({ field: `${field}.${key}`, type: 'missing_value', message: 'must not be blank' });
    } else if (rule.slug && COMBINING_MARK.test(text.normalize('NFD'))) {
      details.push({ field: `${field}.${key}`, type: 'invalid_value', message: `${rule.label} must not contain diacritics` });
    } else {
      out[lang] = text;
    }
  }
  if (unsupported.length) {
    details.push({
      field,
      type: 'unsupported_language',
      message: `${rule.label} contains unsupported languages: ${unsupported.map((u) => `'${u}'`).join(', ')}`,
    });
  }
  return out;
}

/**
 * The localized-map problems of a whole body (the fields that are objects; their presence and
 * type are the DTO's). For the one validation step of a write (ERR-6).
 */
export function localizedMapProblems(
  body: unknown,
  rules: readonly LocalizedFieldRule[],
  langs: WriteLanguages,
  options: { allowNull?: boolean; prefix?: string } = {},
): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  if (!isPlainObject(body)) return details;
  for (const rule of rules) {
    const value = valueAt(body, rule.field);
    if (isPlainObject(value)) readLocalizedMap(value, rule, langs, details, options);
  }
  return details;
}

function valueAt(body: Record<string, unknown>, path: string): unknown {
  let v: unknown = body;
  for (const key of path.split('.')) v = isPlainObject(v) ? v[key] : undefined;
  return v;
}

/**
 * §3.4: the deprecated default-language string: the tenant default language, else the first
 * stored translation in configured-language order, else the first stored one at all.
 */
export function defaultLanguageValue(
  map: Readonly<Record<string, string>> | undefined,
  tenantLanguages: readonly string[],
): string | undefined {
  if (!map) return undefined;
  for (const l of tenantLanguages) if (typeof map[l] === 'string') return map[l];
  const first = Object.keys(map)[0];
  return first === undefined ? undefined : map[first];
}
