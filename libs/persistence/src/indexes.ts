import type { Document } from 'mongodb';
import type { EntityDefinition } from './tenant-model-registry';

/**
 * An index as the code declares it: the key in field order, its name (always set, so that what the
 * code declares and what the database lists can be compared by name) and its options.
 */
export interface IndexDeclaration {
  key: Record<string, number | string>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

/**
 * What the index helpers need of a database handle: the driver's `Db`, whether it comes from
 * mongoose's connection or from a `MongoClient` of the `mongodb` package.
 */
export interface IndexDb {
  command(command: Document): Promise<Document>;
  collection(name: string): { listIndexes(): { toArray(): Promise<Document[]> } };
}

/** 85 IndexOptionsConflict and 86 IndexKeySpecsConflict: an index exists with another definition. */
export const INDEX_CONFLICT_CODES: readonly number[] = [85, 86];

export function isIndexConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && INDEX_CONFLICT_CODES.includes(code);
}

/** The name MongoDB's drivers give an index declared without one, e.g. `segmentId_1_item.id_-1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}

/** The indexes an entity's schema declares (`schema.index(...)` and path-level `index`/`unique`), each named. */
export function declaredIndexes(entity: EntityDefinition<any>): IndexDeclaration[] {
  return entity.schema.indexes().map(([key, options]) => {
    const opts = { ...(options as Document) };
    const k = key as Record<string, number | string>;
    return { ...opts, key: k, name: typeof opts.name === 'string' ? opts.name : defaultIndexName(k) };
  });
}

/** An index the database holds under another definition than the declared one. */
export interface IndexConflict {
  collection: string;
  declared: IndexDeclaration;
  /** The existing index in the way: the one with the declared name, or the one with the same keys. */
  existing?: Document;
  /** `same name, different definition` or `same keys, other name`. */
  reason: string;
  code: number;
}

/** The parts of a listed index that make its definition (not `v`, `ns` or build-time options). */
export function indexDefinition(index: Document): Document {
  const { v: _v, ns: _ns, background: _b, ...definition } = index;
  return definition;
}

/** Describes why `declared` conflicts with what `collection` holds (after a 85/86 from the server). */
export async function describeConflict(db: IndexDb, collection: string, declared: IndexDeclaration, code: number): Promise<IndexConflict> {
  const existing = await db
    .collection(collection)
    .listIndexes()
    .toArray()
    .catch(() => [] as Document[]);
  const sameName = existing.find((i) => i.name === declared.name);
  if (sameName) return { collection, declared, existing: indexDefinition(sameName), reason: 'same name, different definition', code };
  const keyOf = (k: unknown) => JSON.stringify(Object.entries(k as Document).map(([f, d]) => [f, String(d)]));
  const sameKeys = existing.find((i) => keyOf(i.key) === keyOf(declared.key));
  if (sameKeys)
    return { collection, declared, existing: indexDefinition(sameKeys), reason: `same keys, other name '${sameKeys.name}'`, code };
  return { collection, declared, reason: 'conflicts with an existing index', code };
}

export interface EnsureIndexesResult {
  conflicts: IndexConflict[];
}

/**
 * Creates the declared indexes of one collection (and the collection, if needed). Idempotent. One
 * `createIndexes` command when nothing is in the way; when an index conflicts with an existing
 * definition (85/86: changed since the collection was created), every other index is still created,
 * one by one, and the conflicts are returned, never thrown: the collection keeps serving with the
 * index it has, and `npm run migrate` reports the difference. Any other error is thrown.
 */
export async function ensureDeclaredIndexes(
  db: IndexDb,
  collection: string,
  indexes: readonly IndexDeclaration[],
): Promise<EnsureIndexesResult> {
  if (!indexes.length) return { conflicts: [] };
  try {
    await db.command({ createIndexes: collection, indexes });
    return { conflicts: [] };
  } catch (e) {
    if (!isIndexConflict(e)) throw e;
  }
  const conflicts: IndexConflict[] = [];
  for (const index of indexes) {
    try {
      await db.command({ createIndexes: collection, indexes: [index] });
    } catch (e) {
      if (!isIndexConflict(e)) throw e;
      conflicts.push(await describeConflict(db, collection, index, (e as { code: number }).code));
    }
  }
  return { conflicts };
}
