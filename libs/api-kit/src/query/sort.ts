import { ApiError, ErrorDetail } from '../errors';
import { FieldRegistry, isPathSyntax, isPathWithinLimits, resolveField } from './field-registry';

export type SortDirection = 1 | -1;

/**
 * A MongoDB sort document. Key order is the sort order: keys are field paths, which never start
 * with a digit, so JavaScript keeps them in insertion order.
 */
export type SortSpec = Record<string, SortDirection>;

/** PAG-7: at most this many sort items. */
export const MAX_SORT_ITEMS = 5;

export interface SortOptions {
  /** All tenant languages: decide whether `name.<lang>` exists. */
  tenantLanguages: readonly string[];
  /**
   * The LOC-3 selection of the request in priority order; `null`/absent/empty when
   * `Accept-Language` is absent, empty or `*`. A localized field without a language sorts on its
   * first entry (LOC-6).
   */
  languages?: readonly string[] | null;
  /** The tenant default language; defaults to `tenantLanguages[0]`. */
  defaultLanguage?: string;
  /** Sort used when `sort` is absent or blank, in the same syntax (PAG-7 default `id:asc`). */
  defaultSort?: string;
}

type Problem = { type: 'invalid_type' | 'invalid_format' | 'invalid_value' | 'unsupported_language' | 'too_many_items'; message: string };

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/**
 * Parses `sort` (PAG-7) into a MongoDB sort document against the registry: paths must be
 * sortable (mixin sub-paths are), `id` maps to `_id`, aliases resolve, a localized field without
 * language uses the first selected language or the tenant default (LOC-6), and `_id` ascending is
 * appended as tie-breaker unless present. Absent or blank `sort` uses `defaultSort` (or just
 * `_id`). Problems are `400 validation_failed` on field `sort`, one detail per violated rule:
 * `invalid_format` (empty item or malformed path), `invalid_value` (unknown or non-sortable path,
 * bad direction, duplicate path), `unsupported_language`, `too_many_items` (more than 5),
 * `invalid_type` (not a string). Documents without a value at a sort path sort first ascending and
 * last descending, which is MongoDB's own ordering of missing values.
 */
export function parseSort(sort: unknown, registry: FieldRegistry, options: SortOptions): SortSpec {
  if (sort === undefined || sort === null || (typeof sort === 'string' && trimWs(sort) === '')) {
    const fallback = options.defaultSort ?? '';
    const spec = trimWs(fallback) === '' ? {} : parseSort(fallback, registry, { ...options, defaultSort: undefined });
    if (!('_id' in spec)) spec._id = 1;
    return spec;
  }
  if (typeof sort !== 'string') {
    throw ApiError.validation([{ field: 'sort', type: 'invalid_type', message: 'sort must be a single string' }]);
  }
  const items = sort.split(',');
  if (items.length > MAX_SORT_ITEMS) {
    throw ApiError.validation([{ field: 'sort', type: 'too_many_items', message: `sort may have at most ${MAX_SORT_ITEMS} items` }]);
  }
  const problems: Problem[] = [];
  const spec: SortSpec = {};
  for (const raw of items) {
    const item = trimWs(raw);
    if (item === '') {
      problems.push({ type: 'invalid_format', message: 'sort contains an empty item' });
      continue;
    }
    const colon = item.indexOf(':');
    const path = colon < 0 ? item : item.slice(0, colon);
    const dirText = colon < 0 ? 'asc' : item.slice(colon + 1);
    const dirLower = dirText.toLowerCase();
    let direction: SortDirection | undefined;
    if (dirLower === 'asc') direction = 1;
    else if (dirLower === 'desc') direction = -1;
    else problems.push({ type: 'invalid_value', message: `'${shorten(dirText)}' is not a sort direction (asc or desc)` });
    if (!isPathSyntax(path) || !isPathWithinLimits(path)) {
      problems.push({ type: 'invalid_format', message: `'${shorten(path)}' is not a field path` });
      continue;
    }
    const db = sortPath(path, registry, options, problems);
    if (db === undefined || direction === undefined) continue;
    if (Object.prototype.hasOwnProperty.call(spec, db)) {
      problems.push({ type: 'invalid_value', message: `'${path}' appears more than once in sort` });
      continue;
    }
    spec[db] = direction;
  }
  if (problems.length) throw ApiError.validation(mergeProblems(problems));
  if (!Object.prototype.hasOwnProperty.call(spec, '_id')) spec._id = 1;
  return spec;
}

function sortPath(path: string, registry: FieldRegistry, options: SortOptions, problems: Problem[]): string | undefined {
  const resolved = resolveField(registry, path, options.tenantLanguages);
  if (resolved.kind === 'error') {
    problems.push({
      type: resolved.type === 'unsupported_language' ? 'unsupported_language' : 'invalid_value',
      message: resolved.type === 'unsupported_language' ? resolved.message : `'${path}' is not a sortable field`,
    });
    return undefined;
  }
  const notSortable = () => {
    problems.push({ type: 'invalid_value', message: `'${path}' is not a sortable field` });
    return undefined;
  };
  switch (resolved.kind) {
    case 'declared': {
      const { spec } = resolved;
      if (spec.sortable !== true || spec.type === 'mixins') return notSortable();
      if (spec.type !== 'localized') return resolved.db;
      const language = options.languages?.[0] ?? options.defaultLanguage ?? options.tenantLanguages[0];
      if (language === undefined) return notSortable();
      return `${resolved.db}.${language}`;
    }
    case 'language':
      return resolved.parent.spec.sortable === true ? resolved.db : notSortable();
    case 'free': {
      const parent = resolved.parent.spec;
      const sortable = parent.type === 'mixins' ? parent.sortable !== false : parent.sortable === true;
      return sortable ? resolved.db : notSortable();
    }
  }
}

function shorten(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

// ERR-6: one detail per (field, violated rule); several offenders of one rule share a detail.
function mergeProblems(problems: Problem[]): ErrorDetail[] {
  const byType = new Map<string, string[]>();
  for (const p of problems) {
    const list = byType.get(p.type) ?? [];
    if (!list.includes(p.message)) list.push(p.message);
    byType.set(p.type, list);
  }
  return [...byType].map(([type, messages]) => ({ field: 'sort', type, message: messages.join('; ') }));
}
