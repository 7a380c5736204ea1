import type { MongoFilter } from './filter';
import type { FieldCondition } from './field-condition';

/** Registry types of conventions §5.4/§5.5. */
export type FieldType = 'string' | 'id' | 'number' | 'boolean' | 'date' | 'localized' | 'object' | 'mixins';

export const FIELD_TYPES: readonly FieldType[] = ['string', 'id', 'number', 'boolean', 'date', 'localized', 'object', 'mixins'];

/** Context handed to a field's custom compiler. */
export interface CustomFieldContext {
  /** The API path the client wrote (after alias resolution), e.g. `status`. */
  readonly field: string;
  /** The database path of the field (`db` or the registry key). */
  readonly db: string;
}

/**
 * One queryable/sortable/projectable field (§5.5).
 * - `db`: database path when it differs from the API path (`id` → `_id`).
 * - `sortable`: allowed in `sort` (PAG-7). For `mixins` fields it defaults to true (mixin paths are
 *   sortable where the entity has mixins); for every other type it defaults to false.
 * - `aliases`: further API spellings of the same field (`metadataCreatedAt`).
 * - `compile`: for derived fields (coupon `status`): receives the condition, already typed by
 *   `type`, and returns the filter to use instead. Its output is checked against the allowed
 *   operator set; it may throw `ApiError` (use `queryError`) to reject forms it does not
 *   support.
 */
export interface FieldSpec {
  db?: string;
  type: FieldType;
  sortable?: boolean;
  aliases?: readonly string[];
  compile?: (condition: FieldCondition, ctx: CustomFieldContext) => MongoFilter;
}

/** Per-collection registry: API path → spec. Keys are dotted API paths. */
export type FieldRegistry = Readonly<Record<string, FieldSpec>>;

/** A registry entry after alias resolution. */
export interface RegistryEntry {
  readonly name: string;
  readonly spec: FieldSpec;
  readonly db: string;
}

/**
 * Result of resolving a client-written path against a registry:
 * - `declared`: the path (or an alias) is a registry key; typed by `spec.type`.
 * - `language`: `<localized field>.<tenant language>`; a string field.
 * - `free`: a sub-path of an `object` or `mixins` field; values typed by syntax.
 */
export type ResolvedField =
  | { kind: 'declared'; name: string; db: string; spec: FieldSpec }
  | { kind: 'language'; name: string; db: string; parent: RegistryEntry; language: string }
  | { kind: 'free'; name: string; db: string; parent: RegistryEntry };

export type ResolveFailure = { kind: 'error'; type: 'unknown_field' | 'unsupported_language'; message: string };

/** Limits on a path, shared by `q`, `sort` and `fields`. */
export const MAX_PATH_SEGMENTS = 10;
export const MAX_PATH_LENGTH = 256;

// Segments that would reach JavaScript object internals if a path were ever used as a plain
// property name. They can never name a field (defence in depth; registries are looked up in Maps).
const POISONED_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** The reserved compound operator name can never be a field. */
export const COMPOUND_KEYWORD = 'compoundLogicalQuery';

function isSegmentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // A-Z a-z _
}

function isSegmentChar(c: number): boolean {
  return isSegmentStart(c) || (c >= 48 && c <= 57) || c === 45; // 0-9 -
}

export { isSegmentStart, isSegmentChar };

/**
 * True when `path` matches the `path` production of §5.2 (`segment ( "." segment )*`,
 * `segment ::= [A-Za-z_][A-Za-z0-9_-]*`). Limits are not checked here.
 */
export function isPathSyntax(path: string): boolean {
  if (path.length === 0) return false;
  let atStart = true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (atStart) {
      if (!isSegmentStart(c)) return false;
      atStart = false;
    } else if (c === 46) {
      atStart = true;
    } else if (!isSegmentChar(c)) {
      return false;
    }
  }
  return !atStart;
}

/** True when a syntactically valid path is within the Q-30 path limits. */
export function isPathWithinLimits(path: string, maxSegments = MAX_PATH_SEGMENTS, maxLength = MAX_PATH_LENGTH): boolean {
  if (path.length > maxLength) return false;
  let segments = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 46) segments++;
  return segments <= maxSegments;
}

interface CompiledRegistry {
  /** API path or alias → entry. */
  readonly byName: Map<string, RegistryEntry>;
}

const compiled = new WeakMap<object, CompiledRegistry>();

/**
 * Validates a registry once and indexes it (cached per registry object). A broken registry is a
 * programming error, so this throws a plain `Error` (a 500), never an `ApiError`.
 */
export function indexRegistry(registry: FieldRegistry): CompiledRegistry {
  const cached = compiled.get(registry);
  if (cached) return cached;
  const byName = new Map<string, RegistryEntry>();
  for (const name of Object.keys(registry)) {
    const spec = registry[name];
    if (!spec || !FIELD_TYPES.includes(spec.type)) throw new Error(`FieldRegistry: field '${name}' has no valid type`);
    const names = [name, ...(spec.aliases ?? [])];
    const db = spec.db ?? name;
    if (!isDbPath(db)) throw new Error(`FieldRegistry: field '${name}' has an invalid db path '${db}'`);
    const entry: RegistryEntry = { name, spec, db };
    for (const n of names) {
      if (!isPathSyntax(n) || n.split('.').some((s) => POISONED_SEGMENTS.has(s)) || n.split('.')[0] === COMPOUND_KEYWORD) {
        throw new Error(`FieldRegistry: '${n}' is not a valid field path`);
      }
      if (byName.has(n)) throw new Error(`FieldRegistry: '${n}' is declared twice`);
      byName.set(n, entry);
    }
  }
  const result = { byName };
  compiled.set(registry, result);
  return result;
}

// A db path may start with `_` (`_id`) but never with `$` and never has empty segments.
function isDbPath(db: string): boolean {
  return isPathSyntax(db);
}

/** Finds a tenant language case-insensitively and returns its configured spelling (LOC-2). */
export function matchLanguage(code: string, languages: readonly string[]): string | undefined {
  const lower = code.toLowerCase();
  for (const l of languages) if (l.toLowerCase() === lower) return l;
  return undefined;
}

/** Whether a declared `mixins` field is a prefix of `segments` that ends before index `before`. */
function underMixins(byName: ReadonlyMap<string, RegistryEntry>, segments: readonly string[], before: number): boolean {
  for (let i = before; i >= 1; i--) {
    if (byName.get(segments.slice(0, i).join('.'))?.spec.type === 'mixins') return true;
  }
  return false;
}

/**
 * Resolves an API path against a registry (Q-18, Q-21, Q-22, Q-23, PAG-7, PAG-8). The path must
 * already satisfy `isPathSyntax`. `tenantLanguages` decides which language suffixes of localized
 * fields exist; the configured spelling of the language is used in the db path.
 */
export function resolveField(registry: FieldRegistry, path: string, tenantLanguages: readonly string[]): ResolvedField | ResolveFailure {
  const { byName } = indexRegistry(registry);
  const segments = path.split('.');
  const poisoned = segments.findIndex((s) => POISONED_SEGMENTS.has(s));
  // A mixin may be called `constructor` or `prototype` (META-8): below a mixins field those are
  // ordinary keys (the path only ever becomes a dotted Mongo key); `__proto__` never is.
  if (poisoned !== -1 && (segments.includes('__proto__') || !underMixins(byName, segments, poisoned))) {
    return { kind: 'error', type: 'unknown_field', message: `unknown field '${path}'` };
  }
  const exact = byName.get(path);
  if (exact) return { kind: 'declared', name: exact.name, db: exact.db, spec: exact.spec };
  // Longest declared prefix decides: a sub-path exists only under object, localized or mixins fields.
  for (let i = segments.length - 1; i >= 1; i--) {
    const parent = byName.get(segments.slice(0, i).join('.'));
    if (!parent) continue;
    const rest = segments.slice(i);
    switch (parent.spec.type) {
      case 'localized': {
        if (rest.length !== 1) break;
        const language = matchLanguage(rest[0], tenantLanguages);
        if (!language) {
          return {
            kind: 'error',
            type: 'unsupported_language',
            message: `'${rest[0]}' in '${path}' is not a language of this tenant`,
          };
        }
        return { kind: 'language', name: `${parent.name}.${language}`, db: `${parent.db}.${language}`, parent, language };
      }
      case 'object':
      case 'mixins':
        return { kind: 'free', name: `${parent.name}.${rest.join('.')}`, db: `${parent.db}.${rest.join('.')}`, parent };
      default:
        break;
    }
    return { kind: 'error', type: 'unknown_field', message: `unknown field '${path}'` };
  }
  return { kind: 'error', type: 'unknown_field', message: `unknown field '${path}'` };
}

/**
 * The META-1 fields of a resource with metadata, as every registry declares them: both timestamps
 * sortable under their Q-18 aliases (`metadataCreatedAt`, `metadataModifiedAt`), the version
 * (sortable where the contract says so), the mixins (Q-22, sortable by default) and, where
 * queryable, the schema links `metadata.mixins`.
 */
export function metadataFields(options: { sortableVersion?: boolean; mixinSchemas?: boolean } = {}): FieldRegistry {
  const fields: Record<string, FieldSpec> = {
    'metadata.createdAt': { type: 'date', sortable: true, aliases: ['metadataCreatedAt'] },
    'metadata.modifiedAt': { type: 'date', sortable: true, aliases: ['metadataModifiedAt'] },
    'metadata.version': options.sortableVersion ? { type: 'number', sortable: true } : { type: 'number' },
    mixins: { type: 'mixins' },
  };
  if (options.mixinSchemas) fields['metadata.mixins'] = { type: 'mixins' };
  return fields;
}
