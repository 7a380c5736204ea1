import { Injectable } from '@nestjs/common';
import type { Document } from 'mongodb';
import { Combiner, isDuplicateKeyError, TenantModelRegistry } from '@suite/persistence';
import { RecordRepository } from '../common/record.repository';
import { CATEGORY_STATE_ENTITY, CategoryStateRecord } from './category.schema';

const LOCK_ID = 'hierarchy-lock';
const EPOCH_ID = 'tree-epoch';

/**
 * The tree's epoch, its newest log entry and the categories whose assignment paths are being
 * rewritten (shared by the readers of one lookup: read only).
 */
export interface EpochState {
  readonly epoch: number;
  readonly last?: ChangeLogEntry;
  readonly pathsPending: readonly string[];
}

/**
 * `<tenant>_category_state`: the per-tenant hierarchy lock (category §4.3) and the tree epoch
 * that lets a process trust its cached tree (any category write bumps it before answering).
 */
@Injectable()
export class CategoryStateRepository extends RecordRepository<CategoryStateRecord> {
  constructor(registry: TenantModelRegistry) {
    super(registry, CATEGORY_STATE_ENTITY);
  }

  /**
   * One atomic single-document write takes the lock: an upsert whose filter matches only a lapsed
   * lock. If the lock is held, the filter misses the existing document and the upsert's insert
   * collides on `_id` (11000): not acquired. No transaction, no read-then-write race.
   */
  async tryAcquire(tenant: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const model = await this.modelForWrite(tenant);
    try {
      await model
        .updateOne(
          this.filter({ _id: LOCK_ID, expiresAt: { $lt: now } }),
          { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) } },
          { upsert: true },
        )
        .exec();
      return true;
    } catch (e) {
      if (isDuplicateKeyError(e)) return false;
      return this.run(() => Promise.reject(e));
    }
  }

  /** Extends the lock if `owner` still holds it; false when it lapsed and someone else took it. */
  async renew(tenant: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const r = await this.run(() =>
      this.model(tenant)
        .updateOne(this.filter({ _id: LOCK_ID, owner }), { $set: { expiresAt: new Date(now.getTime() + ttlMs) } })
        .exec(),
    );
    return r.matchedCount === 1;
  }

  /** Releases the lock only if `owner` still holds it (a lapsed lock taken over is left alone). */
  async release(tenant: string, owner: string): Promise<void> {
    // The lapse time is set to the epoch rather than deleting, so the next acquire is an update.
    await this.run(() =>
      this.model(tenant)
        .updateOne(this.filter({ _id: LOCK_ID, owner }), { $set: { owner: '', expiresAt: new Date(0) } })
        .exec(),
    );
  }

  /** The tenant's tree epoch (0 when nothing was ever written). Never creates the collection. */
  async epoch(tenant: string): Promise<number> {
    const doc = await this.run(() => this.model(tenant).findById(EPOCH_ID, { epoch: 1 }).lean<CategoryStateRecord>().exec());
    return doc?.epoch ?? 0;
  }

  /**
   * Called after every category write, before the response: caches built on older epochs are
   * stale. `changedIds` are the categories whose snapshot-visible state (anything but the
   * materialised ancestry) the write changed, created or deleted; they are appended to a bounded
   * change log in the same atomic update that moves the epoch, so every epoch step has exactly
   * one log entry and readers can catch up incrementally. Omitted (or too many ids): the entry
   * says "everything", and readers reload in full.
   */
  async bumpEpoch(tenant: string, changedIds?: readonly string[]): Promise<void> {
    await this.modelForWrite(tenant);
    const ids = changedIds && changedIds.length <= MAX_IDS_PER_ENTRY ? [...new Set(changedIds)] : undefined;
    // One pipeline update: the epoch moves and the entry is stamped with the epoch it produced,
    // atomically. Readers trust only an unbroken run of stamps, so a bump that logged nothing
    // (an older version of this service during a rollout) forces a full reload, never a wrong
    // catch-up. Through the driver: everything here is built by this method (ids are literals).
    await this.run(() =>
      this.collection(tenant).updateOne(
        this.driverFilter({ _id: EPOCH_ID }),
        [
          { $set: { epoch: { $add: [{ $ifNull: ['$epoch', 0] }, 1] } } },
          {
            $set: {
              changes: {
                $slice: [
                  {
                    $concatArrays: [
                      { $ifNull: ['$changes', []] },
                      [ids ? { e: '$epoch', ids: { $literal: ids } } : { e: '$epoch', all: true }],
                    ],
                  },
                  -CHANGE_LOG_LENGTH,
                ],
              },
            },
          },
        ],
        { upsert: true },
      ),
    );
  }

  /**
   * The epoch, the newest log entry (enough to catch up one step) and the categories whose
   * assignment paths are being rewritten: one point lookup.
   */
  epochAndLast(tenant: string): Promise<EpochState> {
    return this.epochReads.submit(tenant, undefined);
  }

  /**
   * Every read of the tree's state starts with this lookup, so the ones of a tenant asked in the
   * same turn of the event loop share one command (`Combiner`: sent after each of them was asked,
   * so never older than its request). `perTurn`, because the storefront asks it through op 22
   * while the database is busiest: waiting for the command in flight cost more than it saved
   * there (#15, root README).
   */
  private readonly epochReads = new Combiner<void, EpochState>(
    async (tenant, items) => {
      const doc = await this.run(() =>
        this.collection(tenant).findOne(this.driverFilter({ _id: EPOCH_ID }), {
          projection: { epoch: 1, changes: { $slice: -1 }, pathsPending: 1 },
        }),
      );
      const { epoch = 0, changes = [], pathsPending = [] } = doc ?? {};
      const state: EpochState = { epoch, last: changes[changes.length - 1], pathsPending };
      return items.map(() => state);
    },
    100,
    'perTurn',
  );

  /**
   * Before a write that rewrites the assignment paths below `id` (a move, a delete that promotes
   * children): until `clearPathsPending`, listings do not trust the paths. A writer that dies
   * midway leaves the mark, and op 24 of the tree clears it after repairing the paths.
   */
  async markPathsPending(tenant: string, id: string): Promise<void> {
    await this.modelForWrite(tenant);
    await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: EPOCH_ID }), { $addToSet: { pathsPending: id } }, { upsert: true }),
    );
  }

  async clearPathsPending(tenant: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: EPOCH_ID }), { $pullAll: { pathsPending: [...ids] } } as Document),
    );
  }

  /**
   * The current epoch and the ids changed since epoch `since`: `changed` is undefined when the
   * log does not cover every step after `since` (too far behind, a step without its stamped
   * entry, or an entry that says "everything") — reload in full.
   */
  async changesSince(tenant: string, since: number): Promise<{ epoch: number; changed?: string[] }> {
    const doc = await this.run(() =>
      this.collection(tenant).findOne(this.driverFilter({ _id: EPOCH_ID }), { projection: { epoch: 1, changes: 1 } }),
    );
    const { epoch = 0, changes = [] } = doc ?? {};
    return { epoch, changed: idsSince(changes, since, epoch) };
  }
}

/**
 * The ids of the log's entries for epochs `since + 1 … epoch`, or undefined unless every one of
 * those steps has its stamped entry and none says "everything".
 */
export function idsSince(changes: readonly ChangeLogEntry[], since: number, epoch: number): string[] | undefined {
  if (since > epoch) return undefined;
  const ids = new Set<string>();
  let expect = since + 1;
  for (const entry of changes) {
    if (typeof entry.e !== 'number' || entry.e < expect) continue;
    if (entry.e !== expect || entry.all || !Array.isArray(entry.ids)) return undefined;
    for (const id of entry.ids) ids.add(id);
    expect++;
  }
  return expect === epoch + 1 ? [...ids] : undefined;
}

/** One epoch step in the change log: the epoch it produced and the ids it changed, or `all` (reload everything). */
export interface ChangeLogEntry {
  e?: number;
  ids?: string[];
  all?: true;
}

/** Epoch steps kept in the log; a reader further behind reloads in full. */
export const CHANGE_LOG_LENGTH = 64;
/** Above this many ids one step logs "everything" (keeps the state document small). */
export const MAX_IDS_PER_ENTRY = 256;
