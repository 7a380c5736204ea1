import { Injectable, Optional } from '@nestjs/common';
import type { Document } from 'mongodb';
import { Combiner, isDuplicateKeyError, TenantModelRegistry } from '@suite/persistence';
import { CategorySettings } from '../common/category-settings';
import { RecordRepository } from '../common/record.repository';
import { ASSIGNMENT_ENTITY } from './assignment.schema';
import type { AssignmentRecord } from './assignment.types';

/** The natural key `(categoryId, PRODUCT, ref.id)` already has an assignment. */
export class AssignmentExists extends Error {
  constructor() {
    super('assignment exists');
  }
}

/** `<tenant>_category_assignments`; tenant first, plain records, reads never create the collection. */
@Injectable()
export class AssignmentsRepository extends RecordRepository<AssignmentRecord> {
  constructor(registry: TenantModelRegistry, @Optional() settings?: CategorySettings) {
    super(registry, ASSIGNMENT_ENTITY, settings);
  }

  async insert(tenant: string, record: AssignmentRecord): Promise<void> {
    const model = await this.modelForWrite(tenant);
    try {
      await model.create(record);
    } catch (e) {
      if (isDuplicateKeyError(e)) throw new AssignmentExists();
      await this.run(() => Promise.reject(e));
    }
  }

  findByRef(tenant: string, categoryId: string, refId: string): Promise<AssignmentRecord | null> {
    return this.run(() =>
      this.model(tenant)
        .findOne(this.filter({ categoryId, 'ref.type': 'PRODUCT', 'ref.id': refId }))
        .lean<AssignmentRecord>()
        .exec(),
    );
  }

  /** Upsert-update of an existing assignment (op 15/16): version + 1, modification time, optional fields. */
  async touch(tenant: string, id: string, now: Date, set: Record<string, unknown>): Promise<AssignmentRecord | null> {
    const model = await this.modelForWrite(tenant);
    return this.run(() =>
      model
        .findOneAndUpdate(
          this.filter({ _id: id }),
          { $set: { ...set, 'metadata.modifiedAt': now }, $inc: { 'metadata.version': 1 } },
          { returnDocument: 'after' },
        )
        .lean<AssignmentRecord>()
        .exec(),
    );
  }

  /** Assignments matching `filter` (ids and keys only; for deletions and their events). */
  find(tenant: string, filter: Record<string, unknown>): Promise<AssignmentRecord[]> {
    return this.findDocs(tenant, filter);
  }

  /** Category ids a reference is assigned to (op 19). */
  async categoryIdsOfRef(tenant: string, refId: string): Promise<string[]> {
    const rows = await this.run(() =>
      this.model(tenant)
        .find(this.filter({ 'ref.type': 'PRODUCT', 'ref.id': refId }), { categoryId: 1 })
        .lean<AssignmentRecord[]>()
        .exec(),
    );
    return [...new Set(rows.map((r) => r.categoryId))];
  }

  /** Sets the path of these assignments (their category's ancestry changed while they were written). */
  async setPathOf(tenant: string, ids: readonly string[], path: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.run(() =>
      this.collection(tenant).updateMany(this.driverFilter({ _id: { $in: [...ids] } }), { $set: { categoryPath: [...path] } }),
    );
  }

  /**
   * After category `id` got the ancestry `ancestors` (a move): every assignment at or below it gets
   * the new prefix, in one server-side multi-update like the categories' ancestry (each document
   * rewritten atomically; the suffix from `id` down is kept). The prefix is a `$literal`.
   */
  async reparentPaths(tenant: string, id: string, ancestors: readonly string[]): Promise<void> {
    await this.run(() =>
      this.collection(tenant).updateMany(this.driverFilter({ categoryPath: id }), [
        {
          $set: {
            categoryPath: {
              $concatArrays: [
                { $literal: [...ancestors] },
                { $slice: ['$categoryPath', { $indexOfArray: ['$categoryPath', id] }, 100_000] },
              ],
            },
          },
        },
      ]),
    );
  }

  /** After category `id` was deleted and its children promoted to roots: `removed` leave every path below it. */
  async pullFromPaths(tenant: string, id: string, removed: readonly string[]): Promise<void> {
    await this.run(() =>
      this.collection(tenant).updateMany(this.driverFilter({ categoryPath: id }), { $pullAll: { categoryPath: [...removed] } } as Document),
    );
  }

  /**
   * Gives the assignments of each category the path it names: those without a path only
   * (`missingOnly`, a backfill), or every one whose path differs (a repair). One batched command.
   */
  async setPaths(tenant: string, paths: ReadonlyArray<{ categoryId: string; path: string[] }>, missingOnly: boolean): Promise<void> {
    if (paths.length === 0) return;
    // Also the moment the paths' index comes into existence on a collection from before it.
    await this.modelForWrite(tenant);
    const ops = paths.map(({ categoryId, path }) => ({
      updateMany: {
        filter: this.driverFilter({ categoryId, categoryPath: missingOnly ? null : { $ne: path } }),
        update: { $set: { categoryPath: path } },
      },
    }));
    await this.run(() => this.collection(tenant).bulkWrite(ops, { ordered: false }));
  }

  /** Whether some assignment has no path (written before paths existed, or by an older version of this service). */
  hasPathless(tenant: string): Promise<boolean> {
    return this.pathlessChecks.submit(tenant, undefined);
  }

  /**
   * Asked by every subtree listing: the ones of a tenant asked in one turn share one command
   * (`Combiner`, never older than its request), `perTurn` like the epoch lookup that precedes it,
   * whose shared answer wakes its listings in one turn (finds per listing 2.45 → 2.07 against
   * `afterInFlight`, root README #15).
   */
  private readonly pathlessChecks = new Combiner<void, boolean>(
    async (tenant, items) => {
      const one = await this.run(() =>
        this.collection(tenant).findOne(this.driverFilter({ categoryPath: null }), { projection: { _id: 1 } }),
      );
      return items.map(() => one !== null);
    },
    100,
    'perTurn',
  );

  /** The categories of the assignments without a path. */
  categoryIdsWithoutPath(tenant: string): Promise<string[]> {
    return this.run(() => this.collection(tenant).distinct('categoryId', this.driverFilter({ categoryPath: null }))) as Promise<string[]>;
  }

  async deleteMany(tenant: string, filter: Record<string, unknown>): Promise<number> {
    const r = await this.run(() => this.model(tenant).deleteMany(this.filter(filter)).exec());
    return r.deletedCount;
  }
}
