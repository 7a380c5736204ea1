import mongoose, { Connection, Model, Schema } from 'mongoose';
import { declaredIndexes, ensureDeclaredIndexes, IndexConflict } from './indexes';
import { tenantCollectionName } from './tenant';

/**
 * An entity type stored once per tenant (TEN-3). The schema declares its indexes with
 * `schema.index(...)`; they are created by `ensureCollection` on the first write, and for every
 * existing tenant by `npm run migrate` (each app lists its entities in `src/<service>.entities.ts`).
 */
export interface EntityDefinition<T = unknown> {
  /** The `<entity>` part of `<tenant>_<entity>`, e.g. `segments`. */
  readonly name: string;
  readonly schema: Schema<T>;
}

export function defineEntity<T>(name: string, schema: Schema<T>): EntityDefinition<T> {
  tenantCollectionName('abc', name); // validates the entity name at definition time
  return { name, schema };
}

export const DEFAULT_MAX_MODELS = 5000;

/** Where the registry reports an index whose existing definition differs from the declared one (pino fits). */
export interface IndexConflictLogger {
  warn(details: object, message: string): void;
}

/**
 * TEN-5: the only way to tenant data. `model(tenant, entity)` opens the tenant's own collection, so
 * a query cannot reach another tenant's documents whatever its filter says. Models are cached per
 * (tenant, entity) in an LRU of 5,000; evicted models are removed from the connection.
 *
 * TEN-6: reads never create collections (mongoose runs with autoCreate/autoIndex off). Writes go
 * through `forWrite`, which first calls the idempotent `ensureCollection` once per process and pair.
 */
export class TenantModelRegistry {
  private readonly models = new Map<string, Model<any>>();
  private readonly ensured = new Map<string, Promise<void>>();
  /** Collections whose index conflict was logged: once per collection and process. */
  private readonly reportedConflicts = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly maxModels = DEFAULT_MAX_MODELS,
    private readonly logger?: IndexConflictLogger,
  ) {}

  /** The model of `entity` for `tenant`, for reads. Never creates the collection. */
  model<T>(tenant: string, entity: EntityDefinition<T>): Model<T> {
    const name = tenantCollectionName(tenant, entity.name);
    const cached = this.models.get(name);
    if (cached) {
      // Refresh LRU position.
      this.models.delete(name);
      this.models.set(name, cached);
      return cached as Model<T>;
    }
    const model = this.connection.model<T>(name, entity.schema, name, { overwriteModels: true });
    this.models.set(name, model);
    if (this.models.size > this.maxModels) this.evictOldest();
    return model;
  }

  /** The model for a write: the collection and its indexes exist before the first write. */
  async forWrite<T>(tenant: string, entity: EntityDefinition<T>): Promise<Model<T>> {
    const model = this.model(tenant, entity);
    await this.ensureCollection(tenant, entity);
    return model;
  }

  /**
   * TEN-6: creates the collection and its declared indexes, then remembers the pair. Idempotent
   * and safe under concurrency (one in-flight promise per pair; a failure is forgotten so the next
   * write retries). An index that exists with another definition (its declaration changed after
   * the collection was created) does not fail the write: the other indexes are created, the
   * conflict is logged once per collection, and `npm run migrate` reports it to the operator.
   */
  ensureCollection<T>(tenant: string, entity: EntityDefinition<T>): Promise<void> {
    const name = tenantCollectionName(tenant, entity.name);
    let pending = this.ensured.get(name);
    if (!pending) {
      pending = this.create(name, entity).catch((e) => {
        this.ensured.delete(name);
        throw e;
      });
      this.ensured.set(name, pending);
    }
    return pending;
  }

  /** Collections that exist for a tenant (tests and offboarding, TEN-7). */
  async tenantCollections(tenant: string): Promise<string[]> {
    const db = this.connection.db;
    if (!db) return [];
    const all = await db.listCollections({}, { nameOnly: true }).toArray();
    return all.map((c) => c.name).filter((n) => n.startsWith(`${tenant}_`));
  }

  private async create<T>(name: string, entity: EntityDefinition<T>): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    try {
      await db.createCollection(name);
    } catch (e) {
      if ((e as { code?: number }).code !== 48) throw e; // 48 NamespaceExists: another process won
    }
    const { conflicts } = await ensureDeclaredIndexes(db, name, declaredIndexes(entity));
    if (conflicts.length) this.reportConflicts(name, conflicts);
  }

  private reportConflicts(collection: string, conflicts: IndexConflict[]): void {
    if (this.reportedConflicts.has(collection)) return;
    this.reportedConflicts.add(collection);
    this.logger?.warn(
      {
        collection,
        conflicts: conflicts.map((c) => ({ index: c.declared.name, reason: c.reason, declared: c.declared, existing: c.existing })),
      },
      `index definitions of ${collection} differ from the declared ones; serving with the existing indexes (run npm run migrate)`,
    );
  }

  private evictOldest(): void {
    const oldest = this.models.keys().next().value as string | undefined;
    if (oldest === undefined) return;
    this.models.delete(oldest);
    this.ensured.delete(oldest);
    this.connection.deleteModel(oldest);
  }
}

/**
 * mongoose runs with `sanitizeFilter`, which turns any object with `$` keys into an `$eq`
 * match unless it is marked trusted. Filters built by the q compiler or by a repository (never
 * raw client input) are marked here, at every level where an operator object appears.
 */
export function trustedFilter<T>(filter: T): T {
  const stack: unknown[] = [filter];
  while (stack.length) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
    } else if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof RegExp)) {
      for (const [key, child] of Object.entries(value)) {
        if (
          child !== null &&
          typeof child === 'object' &&
          !(child instanceof Date) &&
          (key.startsWith('$') || Object.keys(child).some((k) => k.startsWith('$')))
        ) {
          (value as Record<string, unknown>)[key] = markTrusted(child);
        }
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return markTrusted(filter);
}

function markTrusted<T>(value: T): T {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (mongoose.trusted(value) as T) : value;
}
