import { ApiError } from '@suite/api-kit';

/**
 * Tenant languages (LOC-2) and the header rules of LOC-3/LOC-4 as the category contract (§3.4)
 * words them. A private adapter: the shared i18n module of @suite/api-kit was not available when
 * this service was written; the rules are small and the category texts are service-specific.
 */
export class TenantLanguages {
  constructor(
    private readonly defaults: readonly string[],
    private readonly overrides: Readonly<Record<string, readonly string[]>> = {},
  ) {}

  /** The tenant's languages, default language first. */
  of(tenant: string): readonly string[] {
    return this.overrides[tenant] ?? this.defaults;
  }
}

const RANGE = /^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/;
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/**
 * LOC-3: the languages an `Accept-Language` header selects, in priority order, or `null` when the
 * header is absent, empty or `*` (all stored translations). Nothing selected → 400 with the
 * category texts; an unparseable header → 400 `invalid_format`.
 */
export function selectLanguages(header: string | string[] | undefined, tenantLanguages: readonly string[]): string[] | null {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === undefined || raw.trim() === '' || raw.trim() === '*') return null;
  const ranges: Array<{ range: string; q: number; order: number }> = [];
  // Ranges refused with q=0 select nothing either; they are named when nothing at all is selected.
  const refused: string[] = [];
  const parts = raw.split(',');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].trim();
    if (part === '') continue;
    const [rangeText, ...params] = part.split(';').map((s) => s.trim());
    let q = 1;
    for (const p of params) {
      const m = /^q=(.*)$/i.exec(p);
      if (!m || !QVALUE.test(m[1])) throw badAcceptLanguage();
      q = Number(m[1]);
    }
    if (!RANGE.test(rangeText)) throw badAcceptLanguage();
    if (q > 0) ranges.push({ range: rangeText, q, order: i });
    else refused.push(rangeText);
  }
  ranges.sort((a, b) => b.q - a.q || a.order - b.order);
  const selected: string[] = [];
  const unmatched: string[] = [];
  for (const { range } of ranges) {
    const hits = range === '*' ? [...tenantLanguages] : matchRange(range, tenantLanguages);
    if (hits.length === 0) unmatched.push(range);
    for (const h of hits) if (!selected.includes(h)) selected.push(h);
  }
  if (selected.length === 0) {
    // §3.4: every range that selected nothing, quoted (the ones with q=0 included, in header order).
    const named = [...new Set([...unmatched, ...refused])];
    throw new ApiError('validation_failed', 'Accept-Language validation failed.', {
      details: [{ type: 'unsupported_language', message: `Following languages are not supported: ${named.map((u) => `'${u}'`).join(', ')}` }],
    });
  }
  return selected;
}

function matchRange(range: string, languages: readonly string[]): string[] {
  const lower = range.toLowerCase();
  const exact = languages.filter((l) => l.toLowerCase() === lower);
  if (exact.length) return exact;
  const primary = lower.split('-')[0];
  return languages.filter((l) => l.toLowerCase() === primary || l.toLowerCase().split('-')[0] === primary);
}

function badAcceptLanguage(): ApiError {
  return new ApiError('validation_failed', 'Accept-Language validation failed.', {
    details: [{ field: 'Accept-Language', type: 'invalid_format', message: 'the header cannot be parsed' }],
  });
}

/**
 * LOC-4: the languages a `Content-Language` header allows for map keys, or `null` when absent or
 * `*` (any tenant language). Every listed code must be a tenant language.
 */
export function allowedWriteLanguages(header: string | string[] | undefined, tenantLanguages: readonly string[]): string[] | null {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === undefined || raw.trim() === '' || raw.trim() === '*') return null;
  const out: string[] = [];
  const unsupported: string[] = [];
  for (const part of raw.split(',')) {
    const code = part.split(';')[0].trim();
    if (code === '') continue;
    const hit = tenantLanguages.find((l) => l.toLowerCase() === code.toLowerCase());
    if (hit) out.push(hit);
    else unsupported.push(code);
  }
  if (out.length === 0 && unsupported.length === 0) {
    throw new ApiError('validation_failed', 'Constraint validation failed', {
      details: [{ field: 'Content-Language', type: 'invalid_format', message: 'must name at least one language' }],
    });
  }
  if (unsupported.length) {
    throw new ApiError('validation_failed', 'Constraint validation failed', {
      details: [{ field: 'Content-Language', type: 'unsupported_language', message: `Following languages are not supported: ${unsupported.map((u) => `'${u}'`).join(', ')}` }],
    });
  }
  return out;
}

/** LOC-3.4: a localized map narrowed to the selection (`null` = everything), never undefined. */
export function projectMap(map: Readonly<Record<string, string>> | undefined, selection: readonly string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!map) return out;
  if (selection === null) return { ...map };
  for (const l of selection) if (Object.prototype.hasOwnProperty.call(map, l)) out[l] = map[l];
  return out;
}

/**
 * §3.4: the deprecated default-language string: the tenant default language, else the first stored
 * translation in configured-language order, else the first stored one at all.
 */
export function defaultLanguageValue(map: Readonly<Record<string, string>> | undefined, tenantLanguages: readonly string[]): string | undefined {
  if (!map) return undefined;
  for (const l of tenantLanguages) if (typeof map[l] === 'string') return map[l];
  const first = Object.keys(map)[0];
  return first === undefined ? undefined : map[first];
}
