import { Injectable } from '@nestjs/common';
import { Combiner, eachAlone, isDuplicateKeyError, ItemFailure, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import type { Document, UpdateFilter } from 'mongodb';
import type { PipelineStage, UpdateQuery } from 'mongoose';

import { liveHoldCount } from '../coupons/coupon.repository';
import { Hold, liveHolds } from '../coupons/coupon.types';
import { USAGE_ENTITY, UsageDocument } from './customer-usage.schema';
import type { CustomerUsage, UsageKey } from './customer-usage.types';

/** The stored key: "no legal entity" is `null`, its own bucket (§9.2). */
function keyFilter(k: UsageKey): { code: string; customerNumber: string; legalEntityId: string | null } {
  return { code: k.code, customerNumber: k.customerNumber, legalEntityId: k.legalEntityId ?? null };
}

/**
 * The counter of `key` with room for `n` more uses under `limit` (-1: none) beside its holds that
 * are live at `now`; counts are whole numbers, so "at most limit − n" is "below limit − n + 1".
 */
function roomFor(key: UsageKey, limit: number, n: number, now: Date): Record<string, unknown> {
  const base = keyFilter(key);
  if (limit === -1) return base;
  return {
    ...base,
    count: { $lte: limit - n },
    $or: [{ holds: { $in: [null, []] } }, { $expr: { $lte: [{ $add: ['$count', liveHoldCount('$holds', now)] }, limit - n] } }],
  };
}

/** One use of §9.4 step 2, waiting to be counted together with others of the same counter. */
interface CountRequest {
  tenant: string;
  key: UsageKey;
  /** The per-customer limit the request read (-1: none). */
  limit: number;
  now: Date;
}

/** `<tenant>_coupon_customer_usage`; tenant first (TEN-5). */
@Injectable()
export class CustomerUsageRepository extends TenantRepository<UsageDocument, CustomerUsage> {
  /** §9.4 step 2 on one counter: the uses asked for meanwhile, counted in one guarded update when all fit. */
  private readonly counts = new Combiner<CountRequest, boolean>((_, items) => this.countUses(items));

  constructor(registry: TenantModelRegistry) {
    super(registry, USAGE_ENTITY);
  }

  protected toDomain(doc: UsageDocument): CustomerUsage {
    const usage: CustomerUsage = { code: doc.code, customerNumber: doc.customerNumber, count: doc.count };
    if (doc.legalEntityId !== null) usage.legalEntityId = doc.legalEntityId;
    return usage;
  }

  /** The customer's uses under this key plus the reservations still holding one at `now` (0 without a counter). */
  async count(tenant: string, key: UsageKey, now: Date): Promise<number> {
    const doc = await this.run(() => this.model(tenant).findOne(keyFilter(key)).lean<UsageDocument>().exec());
    return doc ? doc.count + liveHolds(doc.holds, now) : 0;
  }

  /**
   * {@link count} for many coupons in one query (qualifications): the customer's uses plus live
   * holds per code in one legal-entity bucket; codes without a counter are left out (0).
   */
  async countsFor(tenant: string, who: Omit<UsageKey, 'code'>, codes: readonly string[], now: Date): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (codes.length === 0) return counts;
    const filter = { customerNumber: who.customerNumber, legalEntityId: who.legalEntityId ?? null, code: { $in: [...codes] } };
    const docs = await this.run(() => this.model(tenant).find(this.filter(filter)).lean<UsageDocument[]>().exec());
    for (const doc of docs) counts.set(doc.code, doc.count + liveHolds(doc.holds, now));
    return counts;
  }

  /**
   * §9.4 step 2: counts one more use unless the uses plus the live holds already reach `limit`
   * (-1: no limit). Guarded `$inc` first; when no counter matched, insert one at 1. A unique-index
   * refusal of that insert means the counter exists (another request created it meanwhile), so the
   * guarded `$inc` is tried once more and a miss then means the limit is reached. False when full.
   */
  async increment(tenant: string, key: UsageKey, limit: number, now: Date): Promise<boolean> {
    const k = keyFilter(key);
    return this.counts.submit(JSON.stringify([tenant, k.code, k.customerNumber, k.legalEntityId]), { tenant, key, limit, now });
  }

  /**
   * The uses of one batch: when there are several, all in one `$inc` guarded by room for all of
   * them under the lowest limit the requests read, with live holds counted at the earliest `now`
   * (so never more than each request alone would allow). When that misses (they do not all fit,
   * or the counter does not exist yet) or there is one, each is counted as if it came alone.
   */
  private async countUses(items: CountRequest[]): Promise<Array<boolean | ItemFailure>> {
    const { tenant, key } = items[0];
    const n = items.length;
    if (n > 1) {
      const limits = items.map((i) => i.limit).filter((l) => l !== -1);
      const limit = limits.length ? Math.min(...limits) : -1;
      const now = new Date(Math.min(...items.map((i) => i.now.getTime())));
      await this.modelForWrite(tenant);
      const guard = roomFor(key, limit, n, now);
      const r = await this.run(() => this.collection(tenant).updateOne(this.driverFilter(guard), { $inc: { count: n } }));
      if (r.matchedCount === 1) return items.map(() => true);
    }
    return eachAlone(items, (i) => this.guardedWrite(i.tenant, i.key, i.limit, i.now, { $inc: { count: 1 } }, { count: 1 }));
  }

  /**
   * A reservation's hold on the per-customer limit, under the same guard as {@link increment};
   * expired holds are dropped in the same atomic pipeline update. False when full.
   */
  async hold(tenant: string, key: UsageKey, limit: number, hold: Hold, now: Date): Promise<boolean> {
    const kept = { $filter: { input: { $ifNull: ['$holds', []] }, as: 'h', cond: { $gt: ['$$h.until', now] } } };
    const entry = { id: hold.id, until: hold.until };
    return this.guardedWrite(tenant, key, limit, now, [{ $set: { holds: { $concatArrays: [kept, [{ $literal: entry }]] } } }], {
      count: 0,
      holds: [entry],
    });
  }

  /** Turns a live hold into a use in one atomic update; false when the hold is gone or expired. */
  async consumeHold(tenant: string, key: UsageKey, holdId: string, now: Date): Promise<boolean> {
    const model = await this.modelForWrite(tenant);
    const r = await this.run(() =>
      model
        .updateOne(this.filter({ ...keyFilter(key), holds: { $elemMatch: { id: holdId, until: { $gt: now } } } }), {
          $pull: { holds: { id: holdId } },
          $inc: { count: 1 },
        })
        .exec(),
    );
    return r.matchedCount === 1;
  }

  /** Drops a hold (release, or compensation of {@link hold}); idempotent. */
  async dropHold(tenant: string, key: UsageKey, holdId: string): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() => model.updateOne(keyFilter(key), { $pull: { holds: { id: holdId } } }).exec());
  }

  /** The guarded single-document write of {@link increment} and {@link hold}, creating the counter when missing. */
  private async guardedWrite(
    tenant: string,
    key: UsageKey,
    limit: number,
    now: Date,
    update: UpdateQuery<UsageDocument> | PipelineStage[],
    created: Pick<UsageDocument, 'count' | 'holds'>,
  ): Promise<boolean> {
    await this.modelForWrite(tenant);
    const base = keyFilter(key);
    const guard = roomFor(key, limit, 1, now);
    // Straight to the driver: the filter and the update are built here, nothing needs casting.
    const write = async () =>
      (
        await this.run(() =>
          this.collection(tenant).updateOne(this.driverFilter(guard), update as UpdateFilter<UsageDocument & Document> | Document[]),
        )
      ).matchedCount === 1;
    if (await write()) return true;
    try {
      await this.collection(tenant).insertOne({ ...base, ...created });
      return true;
    } catch (e) {
      if (!isDuplicateKeyError(e)) return this.run(() => Promise.reject(e));
    }
    // Another request created the counter meanwhile: it exists now, so a miss means "full".
    return write();
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
