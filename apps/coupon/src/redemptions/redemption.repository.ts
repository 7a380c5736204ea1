import { Injectable } from '@nestjs/common';
import { findPage, isDuplicateKeyError, mapMongoErrors, TenantModelRegistry, trustedFilter } from '@suite/persistence';
import { REDEMPTION_ENTITY, RedemptionDocument } from './redemption.schema';
import type { Redemption } from './redemption.types';

function toRedemption(doc: RedemptionDocument): Redemption {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

/** `<tenant>_coupon_redemptions`; tenant first (TEN-5). */
@Injectable()
export class RedemptionRepository {
  constructor(private readonly registry: TenantModelRegistry) {}

  /** §9.4 step 3. Returns false when the (code, orderCode) unique index refused it (a duplicate order). */
  async insert(tenant: string, r: Redemption): Promise<boolean> {
    const model = await this.registry.forWrite(tenant, REDEMPTION_ENTITY);
    const { id, ...rest } = r;
    const doc: Record<string, unknown> = { _id: id };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) doc[k] = v;
    try {
      await model.collection.insertOne(doc as never);
      return true;
    } catch (e) {
      if (isDuplicateKeyError(e)) return false;
      return mapMongoErrors(() => Promise.reject(e));
    }
  }

  async existsForOrder(tenant: string, code: string, orderCode: string): Promise<boolean> {
    const doc = await mapMongoErrors(() => this.registry.model(tenant, REDEMPTION_ENTITY).findOne({ code, orderCode }, { _id: 1 }).lean().exec());
    return doc !== null;
  }

  async find(tenant: string, code: string, id: string): Promise<Redemption | null> {
    const doc = await mapMongoErrors(() => this.registry.model(tenant, REDEMPTION_ENTITY).findOne({ _id: id, code }).lean<RedemptionDocument>().exec());
    return doc ? toRedemption(doc) : null;
  }

  /**
   * §9.5 step 1: removes the record in one single-document delete and returns it. Of concurrent
   * deletes of the same redemption only one gets it back, so only that one gives the use back.
   */
  async take(tenant: string, code: string, id: string): Promise<Redemption | null> {
    const model = await this.registry.forWrite(tenant, REDEMPTION_ENTITY);
    const doc = await mapMongoErrors(() => model.findOneAndDelete({ _id: id, code }).lean<RedemptionDocument>().exec());
    return doc ? toRedemption(doc) : null;
  }

  async page(tenant: string, query: { filter: Record<string, unknown>; sort: Record<string, 1 | -1>; skip: number; limit: number; withTotal: boolean; maxTimeMS: number }): Promise<{ items: Redemption[]; total?: number }> {
    const { items, total } = await findPage<RedemptionDocument>(this.registry.model(tenant, REDEMPTION_ENTITY), {
      filter: query.filter,
      sort: Object.entries(query.sort),
      skip: query.skip,
      limit: query.limit,
      withTotal: query.withTotal,
      maxTimeMS: query.maxTimeMS,
    });
    return { items: items.map(toRedemption), total };
  }

  /**
   * Permanent coupon delete (§6.6): removes up to `limit` records of the code and returns them, so
   * the caller can emit one deletion event per record (EVT-6); an empty answer means none is left.
   * Reads first, so a tenant without records gets no collection (TEN-6).
   */
  async takeBatchForCode(tenant: string, code: string, limit: number): Promise<Redemption[]> {
    const docs = await mapMongoErrors(() => this.registry.model(tenant, REDEMPTION_ENTITY).find({ code }).sort({ _id: 1 }).limit(limit).lean<RedemptionDocument[]>().exec());
    if (!docs.length) return [];
    const model = await this.registry.forWrite(tenant, REDEMPTION_ENTITY);
    await mapMongoErrors(() => model.deleteMany(trustedFilter({ _id: { $in: docs.map((d) => d._id) }, code })).exec());
    return docs.map(toRedemption);
  }
}
