import { Injectable } from '@nestjs/common';
import { cursorBatches, isDuplicateKeyError, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { newCouponDocument } from '../coupons/coupon.repository';
import { COUPON_ENTITY, CouponDocument } from '../coupons/coupon.schema';
import type { CouponFields } from '../coupons/coupon.types';

/** What one batch insert did: how many coupons it wrote, and which codes were taken already. */
export interface BatchResult {
  inserted: number;
  taken: string[];
}

/**
 * A campaign's coupons in `<tenant>_coupons`: normal coupons (every coupon operation works on
 * them) that carry the internal `campaignId`. Written straight through the driver in unordered
 * batches for speed; read only by campaign id or code. Tenant first in every method (TEN-5).
 */
@Injectable()
export class CampaignCouponRepository extends TenantRepository<CouponDocument, string> {
  constructor(registry: TenantModelRegistry) {
    super(registry, COUPON_ENTITY);
  }

  protected toDomain(doc: CouponDocument): string {
    return doc._id;
  }

  /** The truth about a campaign's progress: how many coupons carry its id (soft-deleted ones included). */
  countForCampaign(tenant: string, campaignId: string): Promise<number> {
    return this.countWhere(tenant, { campaignId });
  }

  /**
   * The stored codes that differ from a code of the pattern only by case, upper-cased: codes with
   * a lower-case letter, which a case-sensitive tenant (or one that was) may hold. The unique `_id`
   * cannot see them, so the generator keeps them out itself. One scan of the collection.
   */
  async caseVariants(tenant: string, patternSource: string): Promise<Set<string>> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ $and: [{ _id: { $regex: patternSource, $options: 'i' } }, { _id: { $regex: '[a-z]' } }] }), {
          projection: { _id: 1 },
        })
        .toArray(),
    );
    return new Set(docs.map((d) => String(d._id).toUpperCase()));
  }

  /**
   * Inserts one coupon per code with zeroed counters, unordered, so a taken code only loses its own
   * document; the taken codes are reported, any other failure is thrown.
   */
  async insertBatch(tenant: string, campaignId: string, codes: readonly string[], fields: CouponFields, now: Date): Promise<BatchResult> {
    if (codes.length === 0) return { inserted: 0, taken: [] };
    await this.modelForWrite(tenant);
    const base = newCouponDocument(fields, {
      referralCoupon: false,
      metadata: { version: 0, createdAt: now, modifiedAt: now },
      campaignId,
    });
    const docs = codes.map((code) => ({ _id: code, ...base }));
    try {
      const r = await this.collection(tenant).insertMany(docs, { ordered: false });
      return { inserted: r.insertedCount, taken: [] };
    } catch (e) {
      const writeErrors = (e as { writeErrors?: unknown }).writeErrors;
      const errors = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as Array<{
        index: number;
        code?: number;
      }>;
      if (!errors.length || !errors.every((w) => isDuplicateKeyError(w))) return this.run(() => Promise.reject(e));
      return { inserted: codes.length - errors.length, taken: errors.map((w) => codes[w.index]) };
    }
  }

  /**
   * The campaign's codes in code order, `batchSize` at a time, through a cursor: memory stays
   * constant however large the campaign. `activeOnly` leaves soft-deleted coupons out.
   */
  codes(tenant: string, campaignId: string, batchSize: number, activeOnly: boolean): AsyncGenerator<string[]> {
    const filter = activeOnly ? { campaignId, deleted: false } : { campaignId };
    const cursor = this.collection(tenant).find(this.driverFilter(filter), { projection: { _id: 1 }, sort: { _id: 1 }, batchSize });
    return cursorBatches(cursor, batchSize, (doc) => String(doc._id));
  }

  /**
   * Permanent delete of the never-redeemed coupons among `codes` (their codes become free). A
   * coupon redeemed meanwhile (the counter moved first, §9.4) no longer matches and is kept.
   */
  async removeUnredeemed(tenant: string, campaignId: string, codes: readonly string[]): Promise<number> {
    const model = await this.modelForWrite(tenant);
    const r = await this.run(() => model.deleteMany(this.filter({ _id: { $in: codes }, campaignId, redemptionCount: 0 })).exec());
    return r.deletedCount;
  }

  /** Soft delete (§6.6) of the not yet deleted coupons among `codes`. */
  async softDelete(tenant: string, campaignId: string, codes: readonly string[], now: Date): Promise<number> {
    const model = await this.modelForWrite(tenant);
    const r = await this.run(() =>
      model
        .updateMany(this.filter({ _id: { $in: codes }, campaignId, deleted: false }), { $set: { deleted: true, deletedAt: now } })
        .exec(),
    );
    return r.modifiedCount;
  }

  /**
   * Removes `extra` never-redeemed coupons of the campaign (the last codes in code order): the
   * safety net should two instances ever have written at once (a lease outlived by a stalled
   * insert), so the campaign still ends with exactly the requested count.
   */
  async trim(tenant: string, campaignId: string, extra: number): Promise<number> {
    const model = await this.modelForWrite(tenant);
    const docs = await this.run(() =>
      model
        .find(this.filter({ campaignId, redemptionCount: 0 }), { _id: 1 })
        .sort({ _id: -1 })
        .limit(extra)
        .lean<Array<{ _id: string }>>()
        .exec(),
    );
    return this.removeUnredeemed(
      tenant,
      campaignId,
      docs.map((d) => d._id),
    );
  }
}
