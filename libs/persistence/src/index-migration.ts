import type { Document } from 'mongodb';
import { IDEMPOTENCY_KEY_ENTITY } from './idempotency/idempotency-key.schema';
import { declaredIndexes, describeConflict, IndexDb, IndexDeclaration, indexDefinition, isIndexConflict } from './indexes';
import { OUTBOX_COLLECTION, OUTBOX_INDEXES } from './outbox';
import { isValidTenant } from './tenant';
import { WINDOW_COUNTER_INDEXES } from './window-counters';
import type { EntityDefinition } from './tenant-model-registry';

/** What a service stores: its database and its per-tenant entity types (`<tenant>_<entity>`, TEN-3). */
export interface StorageDeclaration {
  service: string;
  database: string;
  entities: readonly EntityDefinition<any>[];
  /** Collections of this service's database besides the tenant ones and {@link SHARED_COLLECTIONS}, with their indexes. */
  collections?: Readonly<Record<string, readonly IndexDeclaration[]>>;
}

/** Entity types of this library that any service may hold (`<tenant>_idempotency_keys`). */
export const PERSISTENCE_ENTITIES: readonly EntityDefinition<any>[] = [IDEMPOTENCY_KEY_ENTITY];

/** Collections every service database holds besides the tenant ones, with their indexes. */
export const SHARED_COLLECTIONS: Readonly<Record<string, readonly IndexDeclaration[]>> = {
  [OUTBOX_COLLECTION]: OUTBOX_INDEXES,
  // The fixed-window counters of the per-tenant rate limits (every service).
  ratelimits: WINDOW_COUNTER_INDEXES,
  // The outbox dispatcher's lease (one document, found by _id).
  leases: [],
};

/** What a migration needs of a database handle (the driver's `Db`). */
export interface MigrationDb extends IndexDb {
  listCollections(filter?: Document, options?: { nameOnly?: boolean }): { toArray(): Promise<Document[]> };
}

/**
 * What happened to one declared index: `created`; `existed` (same definition); `conflict` (the
 * database holds another definition under its name or its keys under another name, left in
 * place); `replaced` (the conflicting index was dropped and the declared one built, only with
 * `applyChanges`); `failed` (the server refused, e.g. duplicates under a new unique index).
 */
export type IndexOutcome = 'created' | 'existed' | 'conflict' | 'replaced' | 'failed';

export interface IndexReportEntry {
  service: string;
  database: string;
  collection: string;
  index: string;
  outcome: IndexOutcome;
  declared: IndexDeclaration;
  /** For a conflict: why, and the index in the way. */
  reason?: string;
  existing?: Document;
  /** For a failure: the server's message. */
  error?: string;
}

export interface MigrationReport {
  indexes: IndexReportEntry[];
  /** Indexes the database holds that no code declares (left in place; informational). */
  undeclared: Array<{ database: string; collection: string; index: string; definition: Document }>;
  /** Collections of a service database that are neither a tenant's collection of a known entity nor shared. */
  unknownCollections: Array<{ database: string; collection: string }>;
}

export interface MigrationOptions {
  /**
   * Drop an index whose existing definition differs from the declared one and build the declared
   * one (default false: report only). Dropping an index on a large collection is an operator's
   * decision: queries lose it until the rebuild finishes, and a unique rebuild fails on duplicates
   * (the previous definition is then restored).
   */
  applyChanges?: boolean;
}

/**
 * `npm run migrate`: creates, for every service database, the declared indexes of every existing
 * tenant collection (found by name, `<tenant>_<entity>`) and of the shared collections (the outbox),
 * idempotently. Differences between declared and existing definitions are reported, never changed
 * unless `applyChanges`. New tenants need nothing: their collections get the same indexes lazily on
 * their first write (TenantModelRegistry).
 */
export async function migrateIndexes(
  dbFor: (database: string) => MigrationDb,
  storages: readonly StorageDeclaration[],
  options: MigrationOptions = {},
): Promise<MigrationReport> {
  const report: MigrationReport = { indexes: [], undeclared: [], unknownCollections: [] };
  for (const storage of storages) {
    const db = dbFor(storage.database);
    const entities = new Map<string, IndexDeclaration[]>();
    for (const entity of [...storage.entities, ...PERSISTENCE_ENTITIES]) entities.set(entity.name, declaredIndexes(entity));
    const listed = await db.listCollections({}, { nameOnly: true }).toArray();
    const existing = listed
      .filter((c) => c.type === undefined || c.type === 'collection')
      .map((c) => String(c.name))
      .filter((n) => !n.startsWith('system.'));
    const targets = new Map<string, readonly IndexDeclaration[]>(Object.entries({ ...SHARED_COLLECTIONS, ...storage.collections }));
    for (const name of existing.sort()) {
      if (targets.has(name)) continue;
      const cut = name.indexOf('_');
      const declared = cut > 0 && isValidTenant(name.slice(0, cut)) ? entities.get(name.slice(cut + 1)) : undefined;
      if (declared) targets.set(name, declared);
      else report.unknownCollections.push({ database: storage.database, collection: name });
    }
    for (const [collection, declared] of targets) {
      // A shared collection without declared indexes (the lease) is only checked once it exists.
      if (!declared.length && !existing.includes(collection)) continue;
      const where = { service: storage.service, database: storage.database, collection };
      for (const index of declared) report.indexes.push({ ...where, ...(await migrateIndex(db, collection, index, options)) });
      const names = new Set(['_id_', ...declared.map((d) => d.name)]);
      for (const index of await db.collection(collection).listIndexes().toArray()) {
        if (!names.has(index.name)) {
          report.undeclared.push({ database: storage.database, collection, index: index.name, definition: indexDefinition(index) });
        }
      }
    }
  }
  return report;
}

type IndexResult = Omit<IndexReportEntry, 'service' | 'database' | 'collection'>;

async function migrateIndex(
  db: MigrationDb,
  collection: string,
  declared: IndexDeclaration,
  options: MigrationOptions,
): Promise<IndexResult> {
  const base = { index: declared.name, declared };
  try {
    const reply = await db.command({ createIndexes: collection, indexes: [declared] });
    const created = typeof reply.numIndexesAfter === 'number' && reply.numIndexesAfter > reply.numIndexesBefore;
    return { ...base, outcome: created ? 'created' : 'existed' };
  } catch (e) {
    if (!isIndexConflict(e)) return { ...base, outcome: 'failed', error: messageOf(e) };
    const conflict = await describeConflict(db, collection, declared, (e as { code: number }).code);
    const found = { ...base, reason: conflict.reason, existing: conflict.existing };
    if (!options.applyChanges || !conflict.existing) return { ...found, outcome: 'conflict' };
    return { ...found, ...(await replaceIndex(db, collection, declared, conflict.existing)) };
  }
}

/** Drops `existing` and builds `declared`; when the build fails, builds `existing` again. */
async function replaceIndex(
  db: MigrationDb,
  collection: string,
  declared: IndexDeclaration,
  existing: Document,
): Promise<Pick<IndexResult, 'outcome' | 'error'>> {
  try {
    await db.command({ dropIndexes: collection, index: existing.name });
  } catch (e) {
    return { outcome: 'failed', error: `could not drop '${existing.name}': ${messageOf(e)}` };
  }
  try {
    await db.command({ createIndexes: collection, indexes: [declared] });
    return { outcome: 'replaced' };
  } catch (e) {
    const restored = await db.command({ createIndexes: collection, indexes: [existing] }).then(
      () => 'the previous index was restored',
      (r: unknown) => `the previous index could NOT be restored (${messageOf(r)})`,
    );
    return { outcome: 'failed', error: `could not build the declared index: ${messageOf(e)}; ${restored}` };
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
