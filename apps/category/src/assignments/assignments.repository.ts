import { Injectable, Optional } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry } from '@suite/persistence';
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

  async deleteMany(tenant: string, filter: Record<string, unknown>): Promise<number> {
    const r = await this.run(() => this.model(tenant).deleteMany(this.filter(filter)).exec());
    return r.deletedCount;
  }
}
