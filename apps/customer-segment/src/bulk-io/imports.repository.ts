import { Injectable } from '@nestjs/common';
import { defineEntity, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { Schema } from 'mongoose';

/** An import job (README "Bulk in and out"): what it imports and how far its lines got. */
export interface ImportDocument {
  _id: string;
  kind: 'profiles' | 'members';
  segmentId?: string;
  /** The number of the next line to apply (1-based): every line before it was applied or judged. */
  nextLine: number;
  applied: number;
  failed: number;
  createdAt: Date;
  modifiedAt: Date;
}

const schema = new Schema<ImportDocument>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    segmentId: { type: String },
    nextLine: { type: Number, required: true },
    applied: { type: Number, required: true },
    failed: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    modifiedAt: { type: Date, required: true },
  },
  { versionKey: false, strict: true },
);

export const IMPORT_ENTITY = defineEntity<ImportDocument>('segment_imports', schema);

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
