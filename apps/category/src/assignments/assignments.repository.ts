import { Injectable, Optional } from '@nestjs/common';
import { findPage, isDuplicateKeyError, mapMongoErrors, TenantModelRegistry, trustedFilter } from '@suite/persistence';
import { QuerySettings } from '../shared/query-settings';
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
export class AssignmentsRepository {
  constructor(
    private readonly registry: TenantModelRegistry,
    @Optional() private readonly settings?: QuerySettings,
  ) {}

  private read(tenant: string) {
    return this.registry.model(tenant, ASSIGNMENT_ENTITY);
  }

  async insert(tenant: string, record: AssignmentRecord): Promise<void> {
    const model = await this.registry.forWrite(tenant, ASSIGNMENT_ENTITY);
    try {
      await model.create(record);
    } catch (e) {
      if (isDuplicateKeyError(e)) throw new AssignmentExists();
      await mapMongoErrors(() => Promise.reject(e));
    }
  }

  findByRef(tenant: string, categoryId: string, refId: string): Promise<AssignmentRecord | null> {
    return mapMongoErrors(() => this.read(tenant).findOne({ categoryId, 'ref.type': 'PRODUCT', 'ref.id': refId }).lean<AssignmentRecord>().exec());
  }

  /** Upsert-update of an existing assignment (op 15/16): version + 1, modification time, optional fields. */
  async touch(tenant: string, id: string, now: Date, set: Record<string, unknown>): Promise<AssignmentRecord | null> {
    const model = await this.registry.forWrite(tenant, ASSIGNMENT_ENTITY);
    return mapMongoErrors(() =>
      model
        .findOneAndUpdate({ _id: id }, { $set: { ...set, 'metadata.modifiedAt': now }, $inc: { 'metadata.version': 1 } }, { returnDocument: 'after' })
        .lean<AssignmentRecord>()
        .exec(),
    );
  }

  /** One page plus, when asked, the total, both within `QUERY_MAX_TIME_MS`. */
  page(tenant: string, filter: Record<string, unknown>, sort: Record<string, 1 | -1>, skip: number, limit: number, withTotal: boolean) {
    return findPage<AssignmentRecord>(this.read(tenant), { filter, sort: Object.entries(sort), skip, limit, withTotal, maxTimeMS: this.settings?.maxTimeMS });
  }

  /** Assignments matching `filter` (ids and keys only; for deletions and their events). */
  find(tenant: string, filter: Record<string, unknown>): Promise<AssignmentRecord[]> {
    return mapMongoErrors(() => this.read(tenant).find(trustedFilter(filter)).lean<AssignmentRecord[]>().exec());
  }

  /** Category ids a reference is assigned to (op 19). */
  async categoryIdsOfRef(tenant: string, refId: string): Promise<string[]> {
    const rows = await mapMongoErrors(() => this.read(tenant).find({ 'ref.type': 'PRODUCT', 'ref.id': refId }, { categoryId: 1 }).lean<AssignmentRecord[]>().exec());
    return [...new Set(rows.map((r) => r.categoryId))];
  }

  async deleteMany(tenant: string, filter: Record<string, unknown>): Promise<number> {
    const r = await mapMongoErrors(() => this.read(tenant).deleteMany(trustedFilter(filter)).exec());
    return r.deletedCount;
  }
}
