import { Injectable } from '@nestjs/common';
import { defineEntity, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { Schema } from 'mongoose';

/**
 * `<tenant>_segment_rule_epochs`: one counter that every change of the tenant's rules (a segment
 * created with a rule, a rule set, changed or removed, a segment deleted) moves on. A profile write
 * reads it (a point read) instead of the tenant's rule segments, which it reads only when the counter
 * moved since it last did: what it evaluates is never older than the counter read by this very write.
 */
export interface RuleEpochDocument {
  _id: string;
  epoch: number;
}

const schema = new Schema<RuleEpochDocument>(
  { _id: { type: String, required: true }, epoch: { type: Number, required: true } },
  { versionKey: false },
);

export const RULE_EPOCH_ENTITY = defineEntity<RuleEpochDocument>('segment_rule_epochs', schema);

const ID = 'rules';

@Injectable()
export class RuleEpochsRepository extends TenantRepository<RuleEpochDocument, RuleEpochDocument> {
  constructor(registry: TenantModelRegistry) {
    super(registry, RULE_EPOCH_ENTITY);
  }

  protected toDomain(doc: RuleEpochDocument): RuleEpochDocument {
    return doc;
  }

  /** The tenant's rules epoch; 0 before any rule existed. */
  async current(tenant: string): Promise<number> {
    const doc = await this.findOneDoc(tenant, { _id: ID });
    return doc?.epoch ?? 0;
  }

  /** Moves the epoch on; called after the segment write that changed the rules. */
  async bump(tenant: string): Promise<void> {
    await this.modelForWrite(tenant);
    await this.run(() => this.collection(tenant).updateOne(this.driverFilter({ _id: ID }), { $inc: { epoch: 1 } }, { upsert: true }));
  }
}
