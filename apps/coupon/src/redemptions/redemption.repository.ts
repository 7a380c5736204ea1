import { Injectable } from '@nestjs/common';
import { Combiner, IdKeyedRepository, isDuplicateKeyError, ItemFailure, PageQuery, TenantModelRegistry } from '@suite/persistence';

import { REDEMPTION_ENTITY, RedemptionDocument } from './redemption.schema';
import { Redemption, setReferences } from './redemption.types';

/** `<tenant>_coupon_redemptions`; tenant first (TEN-5). */
@Injectable()
export class RedemptionRepository extends IdKeyedRepository<RedemptionDocument> {
  /** §9.4 step 3: the records of one tenant inserted meanwhile, in one unordered `insertMany`. */
  private readonly inserts = new Combiner<RedemptionDocument, boolean>((tenant, docs) => this.insertAll(tenant, docs));

  constructor(registry: TenantModelRegistry) {
    super(registry, REDEMPTION_ENTITY);
  }

  /** §9.4 step 3. Returns false when the (code, orderCode) unique index refused it (a duplicate order). */
  async insert(tenant: string, r: Redemption): Promise<boolean> {
    // Optional fields that are unset are left out, never stored as null.
    const doc: RedemptionDocument = {
      _id: r.id,
      code: r.code,
      ...setReferences(r),
      orderTotal: r.orderTotal,
      discount: r.discount,
      redeemedAt: r.redeemedAt,
      ...(r.reservationId !== undefined ? { reservationId: r.reservationId } : {}),
    };
    try {
      return await this.inserts.submit(tenant, doc);
    } catch (e) {
      return this.run(() => Promise.reject(e));
    }
  }

  /**
   * One batch of records, unordered, so each is stored or refused on its own: a duplicate order
   * (11000) is that record's `false`, another write error that record's error; a failure of the
   * whole command is every record's error.
   */
  private async insertAll(tenant: string, docs: RedemptionDocument[]): Promise<Array<boolean | ItemFailure>> {
    await this.modelForWrite(tenant);
    const collection = this.collection(tenant);
    if (docs.length === 1) {
      try {
        await collection.insertOne(docs[0]);
        return [true];
      } catch (e) {
        return [isDuplicateKeyError(e) ? false : new ItemFailure(e)];
      }
    }
    try {
      await collection.insertMany(docs, { ordered: false });
      return docs.map(() => true);
    } catch (e) {
      // The driver's bulk write error, read by shape (mongoose brings its own copy of the driver's classes).
      const failed = new Map<number, unknown>();
      const writeErrors = (e as { writeErrors?: unknown }).writeErrors;
      for (const w of (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as Array<{ index: number }>) {
        failed.set(w.index, w);
      }
      // Without per-record errors the outcome of every record is unknown: the whole batch failed.
      if (failed.size === 0) throw e;
      return docs.map((_, i) => {
        const w = failed.get(i);
        if (w === undefined) return true;
        return isDuplicateKeyError(w) ? false : new ItemFailure(e);
      });
    }
  }

  /** Whether a record of the order exists (`409` for a repeated order, §1.5 step 6). */
  async existsForOrder(tenant: string, code: string, orderCode: string): Promise<boolean> {
    const doc = await this.run(() => this.collection(tenant).findOne({ code, orderCode }, { projection: { _id: 1 } }));
    return doc !== null;
  }

  async find(tenant: string, code: string, id: string): Promise<Redemption | null> {
    const doc = await this.run(() => this.model(tenant).findOne({ _id: id, code }).lean<RedemptionDocument>().exec());
    return doc ? this.toDomain(doc) : null;
  }

  /**
   * §9.5 step 1: removes the record in one single-document delete and returns it. Of concurrent
   * deletes of the same redemption only one gets it back, so only that one gives the use back.
   */
  async take(tenant: string, code: string, id: string): Promise<Redemption | null> {
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() => model.findOneAndDelete({ _id: id, code }).lean<RedemptionDocument>().exec());
    return doc ? this.toDomain(doc) : null;
  }

  /**
   * Rollback (README "Rollback"): marks the record rolled back in one guarded single-document
   * update and moves its order out of the unique (code, orderCode) index, so the order can redeem
   * again. Of concurrent rollbacks exactly one gets the record back (and gives the use back).
   */
  async rollBack(tenant: string, code: string, id: string, reason: string | undefined, now: Date): Promise<Redemption | null> {
    const model = await this.modelForWrite(tenant);
    const set: Record<string, unknown> = { rolledBackAt: now };
    if (reason !== undefined) set.rollbackReason = reason;
    const doc = await this.run(() =>
      model
        .findOneAndUpdate(
          this.filter({ _id: id, code, rolledBackAt: { $exists: false } }),
          { $set: set, $rename: { orderCode: 'rolledBackOrderCode' } },
          { returnDocument: 'after' },
        )
        .lean<RedemptionDocument>()
        .exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  page(tenant: string, query: PageQuery): Promise<{ items: Redemption[]; total?: number }> {
    return this.findPageOf(tenant, query);
  }

  /**
   * Permanent coupon delete (§6.6): removes up to `limit` records of the code and returns them, so
   * the caller can emit one deletion event per record (EVT-6); an empty answer means none is left.
   * Reads first, so a tenant without records gets no collection (TEN-6).
   */
  async takeBatchForCode(tenant: string, code: string, limit: number): Promise<Redemption[]> {
    const docs = await this.run(() => this.model(tenant).find({ code }).sort({ _id: 1 }).limit(limit).lean<RedemptionDocument[]>().exec());
    if (!docs.length) return [];
    const model = await this.modelForWrite(tenant);
    await this.run(() => model.deleteMany(this.filter({ _id: { $in: docs.map((d) => d._id) }, code })).exec());
    return docs.map((d) => this.toDomain(d));
  }
}
