import { Injectable } from '@nestjs/common';
import {
  Combiner,
  eachAlone,
  isDuplicateKeyError,
  ItemFailure,
  PageQuery,
  TenantModelRegistry,
  TenantRepository,
} from '@suite/persistence';

import { COUPON_ENTITY, CouponDocument } from './coupon.schema';
import type { Coupon, CouponFields, Hold } from './coupon.types';

/** Outcome of inserting a coupon: a duplicate code and a second active referral coupon differ (§4.2, §12.2). */
export type InsertOutcome = 'inserted' | 'duplicate_code' | 'duplicate_referral';

export interface CouponPage {
  items: Coupon[];
  total?: number;
}

/** Hex keeps any legal-entity id safe as an update path segment (no `.`/`$`). */
export function legalEntityKey(legalEntityId: string): string {
  return Buffer.from(legalEntityId, 'utf8').toString('hex');
}

function decodeCounts(counts: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [hex, n] of Object.entries(counts ?? {})) out[Buffer.from(hex, 'hex').toString('utf8')] = n;
  return out;
}

/** The expression counting the holds that are still live at `now`. */
export function liveHoldCount(field: string, now: Date): Record<string, unknown> {
  return { $size: { $filter: { input: { $ifNull: [field, []] }, as: 'h', cond: { $gt: ['$$h.until', now] } } } };
}

/**
 * The guard "a use is left" of §9.4 step 1, with reservations: no limit, or `remaining` (limit −
 * uses) above the live holds. The common case without holds is decided without `$expr`.
 */
function useLeft(now: Date): Record<string, unknown> {
  return {
    $or: [
      { maxRedemptions: -1 },
      { remaining: { $gt: 0 }, holds: { $in: [null, []] } },
      { remaining: { $gt: 0 }, $expr: { $gt: ['$remaining', liveHoldCount('$holds', now)] } },
    ],
  };
}

/** The guard of {@link useLeft} for `n` uses taken at once: no limit, or at least `n` left beside the live holds. */
function usesLeft(n: number, now: Date): Record<string, unknown> {
  return {
    $or: [
      { maxRedemptions: -1 },
      { remaining: { $gte: n }, holds: { $in: [null, []] } },
      { remaining: { $gte: n }, $expr: { $gte: [{ $subtract: ['$remaining', liveHoldCount('$holds', now)] }, n] } },
    ],
  };
}

/** One redemption's use of §9.4 step 1, waiting to be taken together with others of the same coupon. */
interface UseRequest {
  tenant: string;
  code: string;
  legalEntityId?: string;
  now: Date;
}

/** A read of one coupon, waiting to be combined with other reads of the tenant. */
interface ReadRequest {
  tenant: string;
  code: string;
}

/** The optional writable fields: absent ones are `$unset` on update and left out on insert. */
const OPTIONAL_FIELDS = ['description', 'discountPercentage', 'discountAbsolute', 'issuedTo', 'mixins'] as const;

/** Writable fields as stored: optional fields that are absent are `$unset` on update. */
function storedFields(fields: CouponFields): { set: Record<string, unknown>; unset: Record<string, ''> } {
  const { mixinSchemas, ...rest } = fields;
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const key of OPTIONAL_FIELDS) {
    if (rest[key] === undefined) unset[key] = '';
  }
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) set[k] = v;
  if (mixinSchemas && Object.keys(mixinSchemas).length) set['metadata.mixins'] = mixinSchemas;
  else unset['metadata.mixins'] = '';
  return { set, unset };
}

/**
 * A new coupon as stored, without its `_id`: the writable fields (absent optional ones left out),
 * `metadata.mixins`, zeroed counters. One shape for every insert (a create, a referral coupon, a
 * campaign's batch).
 */
export function newCouponDocument(
  fields: CouponFields,
  extra: { referralCoupon: boolean; metadata: Coupon['metadata']; campaignId?: string },
): Omit<CouponDocument, '_id'> {
  const { mixinSchemas, ...writable } = fields;
  const metadata = { ...extra.metadata };
  if (mixinSchemas && Object.keys(mixinSchemas).length) metadata.mixins = mixinSchemas;
  const doc: Omit<CouponDocument, '_id'> = {
    ...writable,
    metadata,
    redemptionCount: 0,
    remaining: fields.maxRedemptions,
    leCounts: {},
    referralCoupon: extra.referralCoupon,
    deleted: false,
    ...(extra.campaignId !== undefined ? { campaignId: extra.campaignId } : {}),
  };
  for (const key of OPTIONAL_FIELDS) if (doc[key] === undefined) delete doc[key];
  return doc;
}

/**
 * `<tenant>_coupons`. Tenant first in every method (TEN-5); reads never create the collection.
 * All bookkeeping writes are single-document atomic updates with guards (coupon §9.4).
 */
@Injectable()
export class CouponRepository extends TenantRepository<CouponDocument, Coupon> {
  /**
   * Reads of one tenant's coupons, one `$in` query per round trip under load ({@link Combiner}:
   * each read is sent after it was asked for, so it is as fresh as a read of its own).
   */
  private readonly reads = new Combiner<ReadRequest, Coupon | null>((_, items) => this.readMany(items));
  /** §9.4 step 1 on one coupon: the uses asked for meanwhile, taken in one guarded update when all fit. */
  private readonly uses = new Combiner<UseRequest, boolean>((_, items) => this.takeUses(items));

  constructor(registry: TenantModelRegistry) {
    super(registry, COUPON_ENTITY);
  }

  protected toDomain(doc: CouponDocument): Coupon {
    const { _id, remaining: _remaining, leCounts, holds, ...rest } = doc;
    return { ...rest, code: _id, legalEntityCounts: decodeCounts(leCounts), holds: holds ?? [] };
  }

  /** A coupon by its stored code, soft-deleted ones included. */
  findByCode(tenant: string, code: string): Promise<Coupon | null> {
    return this.reads.submit(tenant, { tenant, code });
  }

  /**
   * The coupons of one batch of reads in one query (a point read for one code). A code asked for
   * twice gets its own copy each time, so no caller sees another's changes to it.
   */
  private async readMany(items: ReadRequest[]): Promise<Array<Coupon | null>> {
    const { tenant } = items[0];
    const codes = [...new Set(items.map((i) => i.code))];
    const found =
      codes.length === 1
        ? [await this.findOneDoc(tenant, { _id: codes[0] })]
        : (
            await this.run(() =>
              this.collection(tenant)
                .find(this.driverFilter({ _id: { $in: codes } }))
                .toArray(),
            )
          ).map((d) => this.toDomain(d as CouponDocument));
    const byCode = new Map(found.filter((c): c is Coupon => c !== null).map((c) => [c.code, c]));
    const handedOut = new Set<string>();
    return items.map(({ code }) => {
      const coupon = byCode.get(code);
      if (!coupon) return null;
      if (handedOut.has(code)) return structuredClone(coupon);
      handedOut.add(code);
      return coupon;
    });
  }

  /** The customer's active referral coupon (§12.1). */
  async findActiveReferral(tenant: string, customerNumber: string): Promise<Coupon | null> {
    const doc = await this.run(() =>
      this.model(tenant).findOne({ referralCoupon: true, issuedTo: customerNumber, deleted: false }).lean<CouponDocument>().exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /** Inserts a new coupon with zeroed counters; duplicates are reported, not thrown. */
  async insert(
    tenant: string,
    code: string,
    fields: CouponFields,
    extra: { referralCoupon: boolean; metadata: Coupon['metadata'] },
  ): Promise<InsertOutcome> {
    await this.modelForWrite(tenant);
    const doc: CouponDocument = { _id: code, ...newCouponDocument(fields, extra) };
    try {
      await this.collection(tenant).insertOne(doc);
      return 'inserted';
    } catch (e) {
      if (!isDuplicateKeyError(e)) return this.run(() => Promise.reject(e));
      const keyPattern = (e as { keyPattern?: Record<string, unknown> }).keyPattern ?? {};
      return 'issuedTo' in keyPattern ? 'duplicate_referral' : 'duplicate_code';
    }
  }

  /** One page of coupons under a filter built by the service (q already compiled). */
  page(tenant: string, query: PageQuery): Promise<CouponPage> {
    return this.findPageOf(tenant, query);
  }

  /**
   * Qualifications' candidates (README): not deleted, within the compiled `q`, in code order, at
   * most `limit`; every coupon for `'all'`, otherwise the automatic ones, those issued to the
   * customer or listing it in `validFor`, and the named codes (stored forms). One query whose
   * every `$or` branch has an index.
   */
  async findCandidates(
    tenant: string,
    who: 'all' | { customerNumber?: string; codes: readonly string[] },
    q: Record<string, unknown>,
    limit: number,
    maxTimeMS: number,
  ): Promise<Coupon[]> {
    const narrowed = (branch: Record<string, unknown>) => ({ ...branch, deleted: false, ...(Object.keys(q).length ? { $and: [q] } : {}) });
    let filter: Record<string, unknown>;
    if (who === 'all') {
      filter = narrowed({});
    } else {
      const branches: Array<Record<string, unknown>> = [{ automatic: true }];
      if (who.customerNumber !== undefined)
        branches.push({ issuedTo: who.customerNumber }, { 'restrictions.validFor': who.customerNumber });
      if (who.codes.length) branches.push({ _id: { $in: [...who.codes] } });
      filter = { $or: branches.map(narrowed) };
    }
    const page = await this.findPageOf(tenant, { filter, sort: [['_id', 1]], skip: 0, limit, maxTimeMS });
    return page.items;
  }

  /**
   * Replaces the writable fields (PUT/PATCH, §6.4–6.5), guarded by the version that was read, so
   * the read-merge-write is safe against other updates. Redemptions do not change the version and
   * must never make an update fail (§6.5), so they are not part of the guard:
   * - `remaining` (= maxRedemptions − redemptionCount) is moved by the change of the limit with
   *   `$inc`, which stays exact whatever concurrent redemptions and releases do to it meanwhile;
   * - the §4.5 rules that depend on the count are made atomic by conditions on the count itself:
   *   a limit never ends below the current count, and a change that is only allowed on an
   *   unredeemed coupon (`requireUnredeemed`) requires the count to still be 0.
   * Returns null when the guard missed (the caller re-reads and decides again).
   */
  async updateFields(
    tenant: string,
    code: string,
    guard: { version: number; maxRedemptions: number; requireUnredeemed: boolean },
    fields: CouponFields,
    now: Date,
  ): Promise<Coupon | null> {
    const model = await this.modelForWrite(tenant);
    const { set, unset } = storedFields(fields);
    set['metadata.version'] = guard.version + 1;
    set['metadata.modifiedAt'] = now;
    const update: Record<string, unknown> = { $set: set, $inc: { remaining: fields.maxRedemptions - guard.maxRedemptions } };
    if (Object.keys(unset).length) update.$unset = unset;
    const filter: Record<string, unknown> = { _id: code, deleted: false, 'metadata.version': guard.version };
    if (guard.requireUnredeemed) filter.redemptionCount = 0;
    else if (fields.maxRedemptions !== -1) filter.redemptionCount = { $lte: fields.maxRedemptions };
    const doc = await this.run(() =>
      model.findOneAndUpdate(this.filter(filter), update, { returnDocument: 'after' }).lean<CouponDocument>().exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /** Soft delete (§6.6); null when the coupon is missing or already deleted. */
  async softDelete(tenant: string, code: string, now: Date): Promise<Coupon | null> {
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() =>
      model
        .findOneAndUpdate(
          this.filter({ _id: code, deleted: false }),
          { $set: { deleted: true, deletedAt: now } },
          { returnDocument: 'after' },
        )
        .lean<CouponDocument>()
        .exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /** Permanent delete of the coupon document (its redemptions and counters are removed first by the caller). */
  async remove(tenant: string, code: string): Promise<boolean> {
    const model = await this.modelForWrite(tenant);
    const r = await this.run(() => model.deleteOne({ _id: code }).exec());
    return r.deletedCount === 1;
  }

  /**
   * §9.4 step 1: takes one use in one atomic update, only while the coupon is not deleted and has
   * a use left that no live reservation holds. Also counts the legal entity. Returns false when
   * the guard matched nothing.
   */
  async reserve(tenant: string, code: string, legalEntityId: string | undefined, now: Date): Promise<boolean> {
    return this.uses.submit(`${tenant}/${code}`, { tenant, code, legalEntityId, now });
  }

  /**
   * The uses of one batch: all in one update guarded by "`n` uses left" when there are several,
   * counting every one and its legal entity. When they do not all fit (or there is one), one
   * guarded update each decides exactly which get a use, as if each had come alone.
   */
  private async takeUses(items: UseRequest[]): Promise<Array<boolean | ItemFailure>> {
    const { tenant, code } = items[0];
    if (items.length > 1 && (await this.takeAtOnce(tenant, code, items))) return items.map(() => true);
    return eachAlone(items, (i) => this.takeAtOnce(tenant, code, [i]));
  }

  /**
   * Takes `items.length` uses in one atomic update, or none (false). Live holds are counted at the
   * earliest `now` of the batch, which counts at least as many of them as each request would.
   */
  private async takeAtOnce(tenant: string, code: string, items: UseRequest[]): Promise<boolean> {
    await this.modelForWrite(tenant);
    const n = items.length;
    const inc: Record<string, number> = { redemptionCount: n, remaining: -n };
    for (const { legalEntityId } of items) {
      if (legalEntityId === undefined) continue;
      const path = `leCounts.${legalEntityKey(legalEntityId)}`;
      inc[path] = (inc[path] ?? 0) + 1;
    }
    const now = new Date(Math.min(...items.map((i) => i.now.getTime())));
    const guard = { _id: code, deleted: false, ...(n === 1 ? useLeft(now) : usesLeft(n, now)) };
    const r = await this.run(() => this.collection(tenant).updateOne(this.driverFilter(guard), { $inc: inc }));
    return r.matchedCount === 1;
  }

  /**
   * A reservation's hold on the global limit (README "Reservations"): under the same guard as
   * {@link reserve}, appends the hold and drops the expired ones in one atomic pipeline update, so
   * the array stays as short as the live holds. Returns false when the guard matched nothing.
   */
  async hold(tenant: string, code: string, hold: Hold, now: Date): Promise<boolean> {
    const model = await this.modelForWrite(tenant);
    const kept = { $filter: { input: { $ifNull: ['$holds', []] }, as: 'h', cond: { $gt: ['$$h.until', now] } } };
    const r = await this.run(() =>
      model
        .updateOne(
          this.filter({ _id: code, deleted: false, ...useLeft(now) }),
          [{ $set: { holds: { $concatArrays: [kept, [{ $literal: { id: hold.id, until: hold.until } }]] } } }],
          { updatePipeline: true },
        )
        .exec(),
    );
    return r.matchedCount === 1;
  }

  /**
   * Turns a live hold into a use in one atomic update (the hold stops counting as the use starts),
   * so a redemption that names its reservation never fails for the global limit. False when the
   * hold is gone or expired.
   */
  async consumeHold(tenant: string, code: string, holdId: string, legalEntityId: string | undefined, now: Date): Promise<boolean> {
    const model = await this.modelForWrite(tenant);
    const inc: Record<string, number> = { redemptionCount: 1, remaining: -1 };
    if (legalEntityId !== undefined) inc[`leCounts.${legalEntityKey(legalEntityId)}`] = 1;
    const r = await this.run(() =>
      model
        .updateOne(this.filter({ _id: code, holds: { $elemMatch: { id: holdId, until: { $gt: now } } } }), {
          $pull: { holds: { id: holdId } },
          $inc: inc,
        })
        .exec(),
    );
    return r.matchedCount === 1;
  }

  /** Drops a hold (release of a reservation, or compensation of {@link hold}); idempotent. */
  async dropHold(tenant: string, code: string, holdId: string): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() => model.updateOne({ _id: code }, { $pull: { holds: { id: holdId } } }).exec());
  }

  /** Gives one use back (compensation of {@link reserve}, and §9.5 step 2). */
  async release(tenant: string, code: string, legalEntityId: string | undefined): Promise<void> {
    const model = await this.modelForWrite(tenant);
    const inc: Record<string, number> = { redemptionCount: -1, remaining: 1 };
    if (legalEntityId !== undefined) inc[`leCounts.${legalEntityKey(legalEntityId)}`] = -1;
    await this.run(() => model.updateOne({ _id: code }, { $inc: inc }).exec());
  }
}
