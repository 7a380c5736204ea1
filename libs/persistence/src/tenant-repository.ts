import type { Collection, Document as MongoDocument, Filter, FindOptions } from 'mongodb';
import type { Model, QueryFilter } from 'mongoose';
import { mapMongoErrors } from './mongo-errors';
import { findPage, PageQuery } from './paging';
import { EntityDefinition, TenantModelRegistry, trustedFilter } from './tenant-model-registry';

/** A repository-built filter (never raw client input, see {@link trustedFilter}). */
export type RepositoryFilter = Record<string, unknown>;

/**
 * The base every repository extends (STYLE habit 4/5): tenant first in every method, reads never
 * create the collection (TEN-6), writes go through the registry's `forWrite`, every database error
 * leaves in the shared model (ERR-11), and documents leave as plain domain values through the
 * subclass's mapper, never as mongoose documents. The casts between a repository-built filter and
 * mongoose's or the driver's filter types live here, once.
 *
 * @typeParam D the stored document (with its `_id`)
 * @typeParam E the domain value the repository returns
 */
export abstract class TenantRepository<D, E> {
  protected constructor(
    protected readonly registry: TenantModelRegistry,
    protected readonly entity: EntityDefinition<D>,
  ) {}

  /** Maps a lean stored document to the domain value. */
  protected abstract toDomain(doc: D): E;

  /** The tenant's model, for reads (TEN-5). */
  protected model(tenant: string): Model<D> {
    return this.registry.model(tenant, this.entity);
  }

  /** The tenant's model for a write: the collection and its indexes exist first (TEN-6). */
  protected modelForWrite(tenant: string): Promise<Model<D>> {
    return this.registry.forWrite(tenant, this.entity);
  }

  /**
   * Creates the tenant's collection and its indexes unless this process did already (TEN-6): for a
   * caller that times its writes and must not count a tenant's first-write setup in them.
   */
  async prepareForWrite(tenant: string): Promise<void> {
    await this.modelForWrite(tenant);
  }

  /** The tenant's driver collection, for hot paths that need neither casting nor sanitizing. */
  protected collection(tenant: string): Collection<D & MongoDocument> {
    return this.model(tenant).collection as unknown as Collection<D & MongoDocument>;
  }

  /** A repository-built filter as mongoose's type, marked trusted. */
  protected filter(filter: RepositoryFilter): QueryFilter<D> {
    return trustedFilter(filter) as QueryFilter<D>;
  }

  /** A repository-built filter as the driver's type (the driver does not sanitize). */
  protected driverFilter(filter: RepositoryFilter): Filter<D & MongoDocument> {
    return filter as Filter<D & MongoDocument>;
  }

  /** Runs database work with its errors translated (ERR-11). */
  protected run<T>(work: () => Promise<T>): Promise<T> {
    return mapMongoErrors(work);
  }

  /**
   * One document by a repository-built filter, straight from the driver, mapped. Without options it
   * is one `find` command with `limit: 1, singleBatch: true` (a point read): the driver's `findOne`
   * builds, drains and closes a cursor for the same command, about a quarter of its CPU for a
   * point read (issue #15). Before the connection is open, `findOne` waits for it as usual.
   */
  protected async findOneDoc(tenant: string, filter: RepositoryFilter, options?: FindOptions): Promise<E | null> {
    const doc = await this.run(() =>
      options ? this.collection(tenant).findOne(this.driverFilter(filter), options) : this.pointRead(tenant, filter),
    );
    return doc ? this.toDomain(doc as D) : null;
  }

  private async pointRead(tenant: string, filter: RepositoryFilter): Promise<unknown> {
    const collection = this.collection(tenant);
    const db = this.model(tenant).db.db;
    if (!db) return collection.findOne(this.driverFilter(filter));
    const reply = await db.command({ find: collection.collectionName, filter, limit: 1, singleBatch: true });
    return (reply.cursor as { firstBatch?: unknown[] } | undefined)?.firstBatch?.[0] ?? null;
  }

  /**
   * How many documents match a repository-built filter that has a predicate, by the `count`
   * command rather than `countDocuments` (an aggregation of every match): exact for a filter with a
   * predicate (MongoDB 4.0 on, sharded clusters included) and answered from the index keys where an
   * index covers the filter (the embedded server counts the index range without copying documents,
   * where its `countDocuments` pipeline copies every match).
   */
  protected async countMatching(tenant: string, filter: RepositoryFilter, maxTimeMS?: number): Promise<number> {
    if (Object.keys(filter).length === 0) throw new Error('countMatching needs a predicate');
    const collection = this.collection(tenant);
    const reply = await this.run(async () => {
      const db = this.model(tenant).db.db;
      if (!db) return { n: await collection.countDocuments(this.driverFilter(filter), maxTimeMS === undefined ? {} : { maxTimeMS }) };
      return db.command({ count: collection.collectionName, query: filter, ...(maxTimeMS === undefined ? {} : { maxTimeMS }) });
    });
    return Number(reply.n ?? 0);
  }

  /** Every document matching a repository-built filter, lean, mapped. */
  protected async findDocs(tenant: string, filter: RepositoryFilter, sort?: Array<[string, 1 | -1]>): Promise<E[]> {
    const docs = await this.run(() => {
      const query = this.model(tenant).find(this.filter(filter));
      return (sort ? query.sort(sort) : query).lean<D[]>().exec();
    });
    return docs.map((d) => this.toDomain(d));
  }

  /** One page plus, when asked, the total (PAG-6); an absent collection is an empty page. */
  protected async findPageOf(tenant: string, query: PageQuery): Promise<{ items: E[]; total?: number }> {
    const { items, total } = await findPage<D>(this.model(tenant), query);
    return { items: items.map((d) => this.toDomain(d)), total };
  }

  /** Documents matching a repository-built filter (`countDocuments`). */
  protected countWhere(tenant: string, filter: RepositoryFilter): Promise<number> {
    return this.run(() => this.model(tenant).countDocuments(this.filter(filter)).exec());
  }
}

/** A stored document keyed by its public id (`_id`), with the key named `id` as the domain names it. */
export type WithId<D extends { _id: string }> = { id: string } & Omit<D, '_id'>;

/**
 * The base of a repository whose domain value is the stored document itself, with its primary key
 * `_id` (the public id, ID-1) named `id`; nothing else is mapped.
 */
export abstract class IdKeyedRepository<D extends { _id: string }> extends TenantRepository<D, WithId<D>> {
  protected toDomain(doc: D): WithId<D> {
    const { _id, ...rest } = doc;
    return { id: _id, ...rest };
  }
}
