import { Injectable, Optional } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry } from '@suite/persistence';
import { CategorySettings } from '../common/category-settings';
import { RecordRepository } from '../common/record.repository';
import { CATEGORY_ENTITY } from './category.schema';
import type { CategoryRecord } from './category.types';

/** Which unique rule a failed insert or update broke (ID-5, category §4.2). */
export type UniqueViolation = 'id' | 'code' | 'ecn';

/** Thrown by writes that broke a unique index; the service turns it into its 409 wording. */
export class CategoryUniqueViolation extends Error {
  constructor(readonly rule: UniqueViolation) {
    super(`unique ${rule} violated`);
  }
}

export type Filter = Record<string, unknown>;
export type Sort = Record<string, 1 | -1>;

/** What tree reads need of a category: everything but the materialised ancestry and the lookup key. */
const SNAPSHOT_PROJECTION = { ancestorIds: 0, depth: 0, codeLower: 0 } as const;

/** Sibling order everywhere in trees (§3.6). */
export const SIBLING_SORT: Sort = { position: 1, 'metadata.createdAt': 1, _id: 1 };

/**
 * `<tenant>_categories`. Tenant first on every method (TEN-5); reads never create the collection,
 * writes go through `modelForWrite` (TEN-6). Returns plain records (`.lean()`); the stored record
 * is the domain value of the hierarchy code (`_id` is the category id).
 */
@Injectable()
export class CategoriesRepository extends RecordRepository<CategoryRecord> {
  constructor(registry: TenantModelRegistry, @Optional() settings?: CategorySettings) {
    super(registry, CATEGORY_ENTITY, settings);
  }

  findById(tenant: string, id: string): Promise<CategoryRecord | null> {
    return this.run(() => this.model(tenant).findById(id).lean<CategoryRecord>().exec());
  }

  /**
   * The ancestors of `node` by walking its authoritative `parentId` links, root first: one read per
   * level, for when the materialised `ancestorIds` cannot be trusted (an interrupted move). Stops at
   * a missing parent and never loops on a corrupted cycle.
   */
  async chainByParent(tenant: string, node: { _id: string; parentId?: string }): Promise<string[]> {
    const chain: string[] = [];
    const seen = new Set<string>([node._id]);
    let parentId = node.parentId;
    while (parentId !== undefined && !seen.has(parentId)) {
      seen.add(parentId);
      const p = await this.findById(tenant, parentId);
      if (!p) break;
      chain.unshift(p._id);
      parentId = p.parentId;
    }
    return chain;
  }

  /** Categories with the given ids, in no particular order. */
  findByIds(tenant: string, ids: readonly string[], projection?: Record<string, 1>): Promise<CategoryRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.run(() =>
      this.model(tenant)
        .find(this.filter({ _id: { $in: [...ids] } }), projection)
        .lean<CategoryRecord[]>()
        .exec(),
    );
  }

  /** Every category of the tenant matching `filter`, in sibling order (tree building). */
  findAll(tenant: string, filter: Filter = {}, projection?: Record<string, 1 | 0>): Promise<CategoryRecord[]> {
    return this.run(() => this.model(tenant).find(this.filter(filter), projection).sort(SIBLING_SORT).lean<CategoryRecord[]>().exec());
  }

  /** Descendants of `id` via the materialised ancestry (one indexed query, no order), optionally `maxDepth` absolute. */
  findDescendants(tenant: string, id: string, maxDepth?: number, projection?: Record<string, 1 | 0>): Promise<CategoryRecord[]> {
    const filter: Filter = { ancestorIds: id };
    if (maxDepth !== undefined) filter.depth = { $lte: maxDepth };
    // Unsorted: callers either order by depth themselves or do not care (moves, deletes).
    return this.run(() => this.model(tenant).find(this.filter(filter), projection).lean<CategoryRecord[]>().exec());
  }

  /**
   * Every category of the tenant, unsorted, through the driver without mongoose's per-document
   * work (the snapshot for tree reads sorts in memory). The filter is constant, never user input.
   */
  snapshotRecords(tenant: string): Promise<CategoryRecord[]> {
    return this.run(() =>
      this.collection(tenant).find(this.driverFilter({}), { projection: SNAPSHOT_PROJECTION, batchSize: 10_000 }).toArray(),
    );
  }

  /**
   * The snapshot form of the categories with these ids (one `_id $in` query; absent ids are
   * deleted categories). The ids come from the tenant's change log, written by this service.
   */
  async snapshotRecordsByIds(tenant: string, ids: readonly string[]): Promise<CategoryRecord[]> {
    if (ids.length === 0) return [];
    return this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ _id: { $in: [...ids] } }), { projection: SNAPSHOT_PROJECTION })
        .toArray(),
    );
  }

  /** Direct children of each of `parentIds` (authoritative `parentId`), sibling order. */
  findChildren(tenant: string, parentIds: readonly string[], projection?: Record<string, 1 | 0>): Promise<CategoryRecord[]> {
    if (parentIds.length === 0) return Promise.resolve([]);
    return this.findAll(tenant, { parentId: { $in: [...parentIds] } }, projection);
  }

  async hasChildren(tenant: string, id: string): Promise<boolean> {
    const one = await this.run(() =>
      this.model(tenant)
        .findOne(this.filter({ parentId: id }), { _id: 1 })
        .lean()
        .exec(),
    );
    return one !== null;
  }

  async insert(tenant: string, record: CategoryRecord): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.uniqueGuard(() => model.create(record));
  }

  /**
   * Compare-and-set on one document (META-5.4): `$set`/`$unset` plus `version + 1`, filtered by
   * id and, when given, the expected version. Returns the document after the write, or null when
   * nothing matched (the caller re-reads to tell 404 from 409).
   */
  async update(
    tenant: string,
    id: string,
    expectedVersion: number | undefined,
    set: Filter,
    unset: string[],
  ): Promise<CategoryRecord | null> {
    const model = await this.modelForWrite(tenant);
    const filter: Filter = { _id: id };
    if (expectedVersion !== undefined) filter['metadata.version'] = expectedVersion;
    const update: Filter = { $set: set, $inc: { 'metadata.version': 1 } };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, 1]));
    return this.uniqueGuard(() =>
      model.findOneAndUpdate(this.filter(filter), update, { returnDocument: 'after' }).lean<CategoryRecord>().exec(),
    );
  }

  /**
   * Writes the materialised ancestry of many nodes in one batched command (a move or a rebuild):
   * one round trip whatever the subtree size. Does not touch versions: the ancestry is not part
   * of the resource.
   */
  async setAncestry(tenant: string, nodes: ReadonlyArray<{ id: string; ancestorIds: string[] }>): Promise<void> {
    if (nodes.length === 0) return;
    await this.modelForWrite(tenant);
    // One `update` command with a statement per node; each node changes atomically from its old
    // to its new ancestry. The driver is used directly: the filters are ids read from the
    // database (no user input to sanitise) and mongoose's per-operation casting costs more than
    // the write itself on large subtrees.
    const ops = nodes.map((n) => ({
      updateOne: {
        filter: this.driverFilter({ _id: n.id }),
        update: { $set: { ancestorIds: n.ancestorIds, depth: n.ancestorIds.length } },
      },
    }));
    await this.run(() => this.collection(tenant).bulkWrite(ops, { ordered: false }));
  }

  /**
   * Gives every descendant of `id` the new ancestry prefix `ancestors` (a move): one multi-update
   * computed by the server, each document rewritten atomically, whatever the subtree size — no
   * read, no per-node round trip. The suffix from `id` downwards is kept as stored. The prefix is
   * passed as a `$literal`, so no id could ever be read as a field path.
   */
  async reparentDescendants(tenant: string, id: string, ancestors: readonly string[]): Promise<number> {
    await this.modelForWrite(tenant);
    const r = await this.run(() =>
      this.collection(tenant).updateMany(this.driverFilter({ ancestorIds: id }), [
        {
          $set: {
            ancestorIds: {
              $concatArrays: [{ $literal: [...ancestors] }, { $slice: ['$ancestorIds', { $indexOfArray: ['$ancestorIds', id] }, 100_000] }],
            },
          },
        },
        { $set: { depth: { $size: '$ancestorIds' } } },
      ]),
    );
    return r.modifiedCount;
  }

  /**
   * Removes `removed` from the ancestry of every descendant of `id` (child promotion on delete):
   * one multi-document update, each document changed atomically.
   */
  async pullAncestors(tenant: string, id: string, removed: readonly string[]): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() =>
      model
        .updateMany(this.filter({ ancestorIds: id }), { $pullAll: { ancestorIds: [...removed] }, $inc: { depth: -removed.length } })
        .exec(),
    );
  }

  /** Makes every child of `parentId` a root: parentId removed, version + 1 (category §4.1, §5.7). */
  async promoteChildren(tenant: string, parentId: string, now: Date): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() =>
      model
        .updateMany(this.filter({ parentId }), {
          $unset: { parentId: 1 },
          $set: { 'metadata.modifiedAt': now, ancestorIds: [], depth: 0 },
          $inc: { 'metadata.version': 1 },
        })
        .exec(),
    );
  }

  async deleteByIds(tenant: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.run(() =>
      this.model(tenant)
        .deleteMany(this.filter({ _id: { $in: [...ids] } }))
        .exec(),
    );
    return r.deletedCount;
  }

  private async uniqueGuard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (isDuplicateKeyError(e)) throw new CategoryUniqueViolation(violatedRule(e));
      return this.run(() => Promise.reject(e));
    }
  }
}

function violatedRule(e: unknown): UniqueViolation {
  const err = e as { keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown>; message?: string };
  const keys = Object.keys(err.keyPattern ?? err.keyValue ?? {});
  if (keys.includes('codeLower')) return 'code';
  if (keys.includes('ecn')) return 'ecn';
  if (keys.includes('_id')) return 'id';
  const msg = err.message ?? '';
  if (msg.includes('codeLower')) return 'code';
  if (msg.includes('ecn')) return 'ecn';
  return 'id';
}
