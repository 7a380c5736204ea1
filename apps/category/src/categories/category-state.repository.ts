import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, mapMongoErrors, TenantModelRegistry, trustedFilter } from '@suite/persistence';
import { CATEGORY_STATE_ENTITY } from './category.schema';

const LOCK_ID = 'hierarchy-lock';
const EPOCH_ID = 'tree-epoch';

/**
 * `<tenant>_category_state`: the per-tenant hierarchy lock (category §4.3) and the tree epoch
 * that lets a process trust its cached tree (any category write bumps it before answering).
 */
@Injectable()
export class CategoryStateRepository {
  constructor(private readonly registry: TenantModelRegistry) {}

  /**
   * One atomic single-document write takes the lock: an upsert whose filter matches only a lapsed
   * lock. If the lock is held, the filter misses the existing document and the upsert's insert
   * collides on `_id` (11000): not acquired. No transaction, no read-then-write race.
   */
  async tryAcquire(tenant: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const model = await this.registry.forWrite(tenant, CATEGORY_STATE_ENTITY);
    try {
      await model
        .updateOne(trustedFilter({ _id: LOCK_ID, expiresAt: { $lt: now } }), { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) } }, { upsert: true })
        .exec();
      return true;
    } catch (e) {
      if (isDuplicateKeyError(e)) return false;
      return mapMongoErrors(() => Promise.reject(e));
    }
  }

  /** Extends the lock if `owner` still holds it; false when it lapsed and someone else took it. */
  async renew(tenant: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const model = this.registry.model(tenant, CATEGORY_STATE_ENTITY);
    const r = await mapMongoErrors(() =>
      model.updateOne({ _id: LOCK_ID, owner }, { $set: { expiresAt: new Date(now.getTime() + ttlMs) } }).exec(),
    );
    return r.matchedCount === 1;
  }

  /** Releases the lock only if `owner` still holds it (a lapsed lock taken over is left alone). */
  async release(tenant: string, owner: string): Promise<void> {
    const model = this.registry.model(tenant, CATEGORY_STATE_ENTITY);
    // The lapse time is set to the epoch rather than deleting, so the next acquire is an update.
    await mapMongoErrors(() => model.updateOne({ _id: LOCK_ID, owner }, { $set: { owner: '', expiresAt: new Date(0) } }).exec());
  }

  /** The tenant's tree epoch (0 when nothing was ever written). Never creates the collection. */
  async epoch(tenant: string): Promise<number> {
    const doc = await mapMongoErrors(() => this.registry.model(tenant, CATEGORY_STATE_ENTITY).findById(EPOCH_ID, { epoch: 1 }).lean().exec());
    return (doc as { epoch?: number } | null)?.epoch ?? 0;
  }

  /** Called after every category write, before the response: caches built on older epochs are stale. */
  async bumpEpoch(tenant: string): Promise<void> {
    const model = await this.registry.forWrite(tenant, CATEGORY_STATE_ENTITY);
    await mapMongoErrors(() => model.updateOne({ _id: EPOCH_ID }, { $inc: { epoch: 1 } }, { upsert: true }).exec());
  }
}
