import { Injectable } from '@nestjs/common';
import { TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { RULE_EPOCH_ENTITY, RuleEpochDocument } from './rule-epoch.schema';

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
