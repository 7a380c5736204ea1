import { isDuplicateKeyError } from '../mongo-errors';
import { TenantModelRegistry } from '../tenant-model-registry';
import { TenantRepository } from '../tenant-repository';
import { IDEMPOTENCY_KEY_ENTITY, IdempotencyKeyDocument } from './idempotency-key.schema';
import type { StoredOutcome } from './stored-outcome';

/** A stored key record as the coordinator reads it: the document with its `_id` as `id`. */
export type IdempotencyRecord = Omit<IdempotencyKeyDocument, '_id' | 'completedAt'> & { id: string };

/**
 * `<tenant>_idempotency_keys`, tenant first (TEN-5). Every write is one atomic single-document
 * operation (EVT-4: no transactions): the insert decides who runs a key first (the unique `_id`),
 * and every later change is conditional on the `owner` of the claim that wrote the record, so a
 * holder that lost its lease can no longer touch the record of the one that took it over.
 */
export class IdempotencyKeyRepository extends TenantRepository<IdempotencyKeyDocument, IdempotencyRecord> {
  constructor(registry: TenantModelRegistry) {
    super(registry, IDEMPOTENCY_KEY_ENTITY);
  }

  protected toDomain(doc: IdempotencyKeyDocument): IdempotencyRecord {
    const record: IdempotencyRecord = {
      id: doc._id,
      fingerprint: doc.fingerprint,
      state: doc.state,
      owner: doc.owner,
      createdAt: doc.createdAt,
      expiresAt: doc.expiresAt,
    };
    if (doc.lockedUntil) record.lockedUntil = doc.lockedUntil;
    if (doc.outcome) record.outcome = doc.outcome;
    return record;
  }

  /** The record of a key, or null; never creates the collection (TEN-6). */
  find(tenant: string, id: string): Promise<IdempotencyRecord | null> {
    return this.findOneDoc(tenant, { _id: id });
  }

  /** Inserts a new record; false when one with this id exists (someone else claimed the key first). */
  async insert(tenant: string, record: IdempotencyRecord): Promise<boolean> {
    await this.modelForWrite(tenant);
    try {
      await this.collection(tenant).insertOne(toDocument(record));
      return true;
    } catch (e) {
      if (isDuplicateKeyError(e)) return false;
      return this.run(() => Promise.reject(e));
    }
  }

  /**
   * Overwrites the record written by the claim `owner` (an expired record, or a lapsed lease);
   * false when another claim got there first.
   */
  async replace(tenant: string, owner: string, record: IdempotencyRecord): Promise<boolean> {
    await this.modelForWrite(tenant);
    const { _id, ...rest } = toDocument(record);
    const r = await this.run(() => this.collection(tenant).replaceOne(this.driverFilter({ _id, owner }), rest));
    return r.matchedCount === 1;
  }

  /** Extends the lease of a running record the claim `owner` still holds; false when it no longer does. */
  async renew(tenant: string, id: string, owner: string, lockedUntil: Date): Promise<boolean> {
    const r = await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: id, owner, state: 'running' }), { $set: { lockedUntil } }),
    );
    return r.matchedCount === 1;
  }

  /** Stores the outcome of the running record the claim `owner` holds; false when it no longer holds it. */
  async complete(tenant: string, id: string, owner: string, outcome: StoredOutcome, at: Date): Promise<boolean> {
    const r = await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: id, owner, state: 'running' }), {
        $set: { state: 'done', outcome, completedAt: at },
        $unset: { lockedUntil: '' },
      }),
    );
    return r.matchedCount === 1;
  }

  /** Removes the running record the claim `owner` holds, so that a retry executes again. */
  async release(tenant: string, id: string, owner: string): Promise<void> {
    await this.run(() => this.collection(tenant).deleteOne(this.driverFilter({ _id: id, owner, state: 'running' })));
  }
}

/** The stored form; absent properties stay absent (the driver would store `undefined` as `null`). */
function toDocument(record: IdempotencyRecord): IdempotencyKeyDocument {
  const { id, ...rest } = record;
  const doc = { _id: id, ...rest } as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (doc[k] === undefined) delete doc[k];
  return doc as unknown as IdempotencyKeyDocument;
}
