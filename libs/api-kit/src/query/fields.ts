import { ApiError } from '../errors';
import { FieldRegistry, indexRegistry, isPathSyntax, isPathWithinLimits, resolveField } from './field-registry';

/** PAG-8: at most this many `fields` entries. */
export const MAX_FIELDS = 50;

/** The outcome of `fields` (PAG-8). */
export interface FieldSelection {
  /** API paths to keep in responses (`id` always included; no path is also under another). */
  paths: string[];
  /** The matching MongoDB inclusion projection (`_id` always included). */
  projection: Record<string, 1>;
}

export interface FieldsOptions {
  /** All tenant languages, so that `name.<lang>` is recognised (configured spelling is used). */
  tenantLanguages: readonly string[];
}

/**
 * Parses `fields` (PAG-8). Absent, empty or blank → `null` (all fields). Entries are trimmed;
 * an entry is kept if it is a declared field (or alias), a sub-path of a declared object or
 * localized field, or a mixin path; anything else is silently ignored and never reaches the
 * database. More than 50 non-empty entries, or a non-string value, is `400 validation_failed`
 * on field `fields`. A path covered by another selected path is dropped, since MongoDB rejects
 * overlapping projections.
 */
export function parseFields(fields: unknown, registry: FieldRegistry, options: FieldsOptions): FieldSelection | null {
  if (fields === undefined || fields === null) return null;
  if (typeof fields !== 'string') {
    throw ApiError.validation([{ field: 'fields', type: 'invalid_type', message: 'fields must be a single string' }]);
  }
  const entries = fields
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return null;
  if (entries.length > MAX_FIELDS) {
    throw ApiError.validation([{ field: 'fields', type: 'too_many_items', message: `fields may list at most ${MAX_FIELDS} entries` }]);
  }
  // API path → db path. `id` is always part of the answer.
  const chosen = new Map<string, string>();
  const idEntry = indexRegistry(registry).byName.get('id');
  chosen.set(idEntry?.name ?? 'id', idEntry?.db ?? '_id');
  for (const e of entries) {
    if (!isPathSyntax(e) || !isPathWithinLimits(e)) continue;
    const r = resolveField(registry, e, options.tenantLanguages);
    if (r.kind === 'error') continue;
    chosen.set(r.name, r.db);
  }
  const apiPaths = withoutCovered([...chosen.keys()]);
  const dbPaths = withoutCovered([...new Set([...chosen.values(), '_id'])]);
  const projection: Record<string, 1> = {};
  for (const p of dbPaths) projection[p] = 1;
  return { paths: apiPaths, projection };
}

/** Drops every path that lies under another path of the list; keeps first-seen order. */
function withoutCovered(paths: string[]): string[] {
  const set = new Set(paths);
  return paths.filter((p) => {
    for (let i = p.indexOf('.'); i >= 0; i = p.indexOf('.', i + 1)) if (set.has(p.slice(0, i))) return false;
    return true;
  });
}

/**
 * Applies a field selection to a response object (PAG-8 applies projection after localization
 * filtering). Keeps only the selected paths, recursing into nested objects and into every element
 * of arrays on the way; the input is not modified. `null` keeps everything.
 */
export function applyFieldSelection<T extends object>(resource: T, selection: FieldSelection | null): Partial<T> {
  if (!selection) return resource;
  const tree: PathTree = new Map();
  for (const p of selection.paths) {
    let node: PathTree | undefined = tree;
    const segs = p.split('.');
    for (let i = 0; node && i < segs.length; i++) {
      if (i === segs.length - 1) node.set(segs[i], true);
      else {
        let next: PathTree | true | undefined = node.get(segs[i]);
        if (!next) node.set(segs[i], (next = new Map()));
        node = next === true ? undefined : next;
      }
    }
  }
  return pick(resource, tree) as Partial<T>;
}

type PathTree = Map<string, PathTree | true>;

function pick(value: unknown, tree: PathTree): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, tree));
  if (value === null || typeof value !== 'object' || value instanceof Date) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const sub = tree.get(key);
    if (!sub) continue;
    const v = (value as Record<string, unknown>)[key];
    if (sub === true) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else {
      const picked = pick(v, sub);
      if (picked !== undefined) Object.defineProperty(out, key, { value: picked, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}
