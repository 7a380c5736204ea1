import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { USAGE_ENTITY, UsageDocument } from './customer-usage.schema';
import type { CustomerUsage, UsageKey } from './customer-usage.types';

/** The stored key: "no legal entity" is `null`, its own bucket (§9.2). */
function keyFilter(k: UsageKey): { code: string; customerNumber: string; legalEntityId: string | null } {
  return { code: k.code, customerNumber: k.customerNumber, legalEntityId: k.legalEntityId ?? null };
}

/** `<tenant>_coupon_customer_usage`; tenant first (TEN-5). */
@Injectable()
export class CustomerUsageRepository extends TenantRepository<UsageDocument, CustomerUsage> {
  constructor(registry: TenantModelRegistry) {
    super(registry, USAGE_ENTITY);
  }

  protected toDomain(doc: UsageDocument): CustomerUsage {
    const usage: CustomerUsage = { code: doc.code, customerNumber: doc.customerNumber, count: doc.count };
    if (doc.legalEntityId !== null) usage.legalEntityId = doc.legalEntityId;
    return usage;
  }

  /** The customer's redemption count under this key (0 when no counter exists). */
  async count(tenant: string, key: UsageKey): Promise<number> {
    const doc = await this.run(() => this.model(tenant).findOne(keyFilter(key)).lean<UsageDocument>().exec());
    return doc ? this.toDomain(doc).count : 0;
  }

  /**
   * §9.4 step 2: counts one more use unless the counter already holds `limit` (-1: no limit).
   * Guarded `$inc` first; when no counter matched, insert one at 1. A unique-index refusal of that
   * insert means the counter exists (another request created it meanwhile), so the guarded `$inc`
   * is tried once more and a miss then means the limit is reached. Returns false when full.
   */
  async increment(tenant: string, key: UsageKey, limit: number): Promise<boolean> {
    const model = await this.modelForWrite(tenant);
    const base = keyFilter(key);
    const guard = limit === -1 ? base : this.filter({ ...base, count: { $lt: limit } });
    const inc = async () => (await this.run(() => model.updateOne(guard, { $inc: { count: 1 } }).exec())).matchedCount === 1;
    if (await inc()) return true;
    try {
      await this.collection(tenant).insertOne({ ...base, count: 1 });
      return true;
    } catch (e) {
      if (!isDuplicateKeyError(e)) return this.run(() => Promise.reject(e));
    }
    // Another request created the counter meanwhile: it exists now, so a miss means "full".
    return inc();
  }

  /** Gives one use back (compensation, §9.5 step 3); never below 0. */
  async decrement(tenant: string, key: UsageKey): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() => model.updateOne(this.filter({ ...keyFilter(key), count: { $gt: 0 } }), { $inc: { count: -1 } }).exec());
  }

  async removeAllForCode(tenant: string, code: string): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() => model.deleteMany({ code }).exec());
  }
}
