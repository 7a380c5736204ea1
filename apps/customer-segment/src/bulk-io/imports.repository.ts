import { Injectable } from '@nestjs/common';
import { TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { IMPORT_ENTITY, ImportDocument } from './import.schema';

/** `<tenant>_segment_imports`. */
@Injectable()
export class ImportsRepository extends TenantRepository<ImportDocument, ImportDocument> {
  constructor(registry: TenantModelRegistry) {
    super(registry, IMPORT_ENTITY);
  }

  protected toDomain(doc: ImportDocument): ImportDocument {
    return doc;
  }

  async insert(tenant: string, doc: ImportDocument): Promise<void> {
    await this.modelForWrite(tenant);
    await this.run(() => this.collection(tenant).insertOne({ ...doc }));
  }

  find(tenant: string, id: string): Promise<ImportDocument | null> {
    return this.findOneDoc(tenant, { _id: id });
  }

  /** Moves `nextLine` from `from` on by a chunk done; false when another upload moved it first. */
  async advance(tenant: string, id: string, from: number, step: { lines: number; applied: number; failed: number }): Promise<boolean> {
    const r = await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: id, nextLine: from }), {
        $set: { nextLine: from + step.lines, modifiedAt: new Date() },
        $inc: { applied: step.applied, failed: step.failed },
      }),
    );
    return r.matchedCount === 1;
  }
}
