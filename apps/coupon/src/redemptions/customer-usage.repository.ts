import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, mapMongoErrors, TenantModelRegistry, trustedFilter } from '@suite/persistence';
import { USAGE_ENTITY, UsageDocument } from './redemption.schema';

/** The per-customer counting key of §9.2: "no legal entity" is its own bucket (null). */
export interface UsageKey {
  code: string;
  customerNumber: string;
  legalEntityId?: string;
}

function keyFilter(k: UsageKey): { code: string; customerNumber: string; legalEntityId: string | null } {
  return { code: k.code, customerNumber: k.customerNumber, legalEntityId: k.legalEntityId ?? null };
}

/** `<tenant>_coupon_customer_usage`; tenant first (TEN-5). */
@Injectable()
export class CustomerUsageRepository {
  constructor(private readonly registry: TenantModelRegistry) {}

  /** The customer's redemption count under this key (0 when no counter exists). */
  async count(tenant: string, key: UsageKey): Promise<number> {
    const doc = await mapMongoErrors(() => this.registry.model(tenant, USAGE_ENTITY).findOne(keyFilter(key)).lean<UsageDocument>().exec());
    return doc?.count ?? 0;
  }

  /**
   * §9.4 step 2: counts one more use unless the counter already holds `limit` (-1: no limit).
   * Guarded `$inc` first; when no counter matched, insert one at 1. A unique-index refusal of that
   * insert means the counter exists (another request created it meanwhile), so the guarded `$inc`
   * is tried once more and a miss then means the limit is reached. Returns false when full.
   */
  async increment(tenant: string, key: UsageKey, limit: number): Promise<boolean> {
    const model = await this.registry.forWrite(tenant, USAGE_ENTITY);
    const base = keyFilter(key);
    const guard = limit === -1 ? base : trustedFilter({ ...base, count: { $lt: limit } });
    const inc = async () => (await mapMongoErrors(() => model.updateOne(guard, { $inc: { count: 1 } }).exec())).matchedCount === 1;
    if (await inc()) return true;
    try {
      await model.collection.insertOne({ ...base, count: 1 } as never);
      return true;
    } catch (e) {
      if (!isDuplicateKeyError(e)) return mapMongoErrors(() => Promise.reject(e));
    }
    // Another request created the counter meanwhile: it exists now, so a miss means "full".
    return inc();
  }

  /** Gives one use back (compensation, §9.5 step 3); never below 0. */
  async decrement(tenant: string, key: UsageKey): Promise<void> {
    const model = await this.registry.forWrite(tenant, USAGE_ENTITY);
    await mapMongoErrors(() => model.updateOne(trustedFilter({ ...keyFilter(key), count: { $gt: 0 } }), { $inc: { count: -1 } }).exec());
  }

  async removeAllForCode(tenant: string, code: string): Promise<void> {
    const model = await this.registry.forWrite(tenant, USAGE_ENTITY);
    await mapMongoErrors(() => model.deleteMany({ code }).exec());
  }
}
