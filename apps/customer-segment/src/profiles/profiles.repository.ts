import { Injectable } from '@nestjs/common';
import type { Document } from 'mongodb';
import { ApiError } from '@suite/api-kit';
import {
  TenantModelRegistry,
  TenantRepository,
  isDuplicateKeyError,
  updateVersioned,
  upsertVersioned,
  versionedUpdate,
} from '@suite/persistence';
import { PROFILE_ENTITY, ProfileDocument } from './profile.schema';
import { Profile, ProfileKey, ProfileWrite, profileDocId } from './profile.types';

/** The import line last written into a document: a resumed upload does not apply it again. */
export interface ImportMarker {
  job: string;
  line: number;
}

/** How many merged guest sessions a customer profile remembers (replays of older merges are 404: the guest is gone). */
const MERGED_GUESTS_KEPT = 100;

/** Shopper profiles of one tenant (`<tenant>_segment_profiles`); tenant first, every write one guarded command. */
@Injectable()
export class ProfilesRepository extends TenantRepository<ProfileDocument, Profile> {
  constructor(registry: TenantModelRegistry) {
    super(registry, PROFILE_ENTITY);
  }

  protected toDomain(doc: ProfileDocument): Profile {
    const key: ProfileKey =
      doc.kind === 'guest'
        ? { kind: 'guest', sessionId: doc.sessionId! }
        : { kind: 'customer', customerId: doc.customerId!, legalEntityId: doc.legalEntityId ?? null };
    const profile: Profile = { key, attributes: doc.attributes ?? {}, metadata: doc.metadata };
    if (doc.mixins !== undefined && doc.mixins !== null) profile.mixins = doc.mixins;
    return profile;
  }

  findOne(tenant: string, key: ProfileKey): Promise<Profile | null> {
    return this.findOneDoc(tenant, { _id: profileDocId(key) });
  }

  /** The stored document itself (the merge needs its bookkeeping fields). */
  async findDoc(tenant: string, key: ProfileKey): Promise<ProfileDocument | null> {
    return this.run(() =>
      this.collection(tenant).findOne(this.driverFilter({ _id: profileDocId(key) })),
    ) as Promise<ProfileDocument | null>;
  }

  /**
   * Creates or replaces without a version precondition (one `findAndModify` upsert). A guest whose
   * merge has begun is not matched, and its `_id` then refuses the insert: `409`.
   */
  async upsert(tenant: string, key: ProfileKey, write: ProfileWrite, now: Date): Promise<{ created: boolean; value: Profile }> {
    const model = await this.modelForWrite(tenant);
    try {
      const { created, doc } = await upsertVersioned(model, this.identity(key), this.update(key, write, now));
      return { created, value: this.toDomain(doc) };
    } catch (e) {
      if (e instanceof ApiError && e.errorCode === 'duplicate_resource') throw mergeInProgress(key);
      throw e;
    }
  }

  /**
   * An import's upsert (README "Bulk in and out"): the profile remembers the last import line
   * written into it, and a line of that import already written (a resumed upload) matches nothing,
   * so it is never applied twice: then `applied` is false.
   */
  async upsertImported(
    tenant: string,
    key: ProfileKey,
    write: ProfileWrite,
    now: Date,
    marker: ImportMarker,
  ): Promise<{ applied: boolean; created: boolean }> {
    const model = await this.modelForWrite(tenant);
    const update = this.update(key, write, now);
    update.$set.imported = marker;
    const filter = { ...this.identity(key), $or: [{ 'imported.job': { $ne: marker.job } }, { 'imported.line': { $lt: marker.line } }] };
    try {
      const { created } = await upsertVersioned(model, filter, update);
      return { applied: true, created };
    } catch (e) {
      if (!(e instanceof ApiError && e.errorCode === 'duplicate_resource')) throw e;
      const stored = await this.findDoc(tenant, key);
      if (stored?.imported?.job === marker.job && stored.imported.line >= marker.line) return { applied: false, created: false };
      if (stored?.mergingInto !== undefined) throw mergeInProgress(key);
      throw e;
    }
  }

  /** Replaces an existing profile, guarded by `expectedVersion` when given; null when nothing matched. */
  async updateExisting(tenant: string, key: ProfileKey, write: ProfileWrite, now: Date, expectedVersion?: number): Promise<Profile | null> {
    const doc = await updateVersioned(await this.modelForWrite(tenant), this.identity(key), this.update(key, write, now), expectedVersion);
    return doc ? this.toDomain(doc) : null;
  }

  /** Inserts a new profile at version 1; a concurrent twin is `409`. */
  async insert(tenant: string, key: ProfileKey, write: ProfileWrite, now: Date, mergedGuest?: string): Promise<Profile> {
    const doc: ProfileDocument = {
      ...this.identityFields(key),
      attributes: write.attributes,
      metadata: { version: 1, createdAt: now, modifiedAt: now },
    };
    if (key.kind === 'customer') doc.evaluationDue = now;
    if (write.mixins !== undefined) doc.mixins = write.mixins;
    if (write.metadataMixins !== undefined) doc.metadata.mixins = write.metadataMixins;
    if (mergedGuest !== undefined) doc.mergedGuests = [mergedGuest];
    await this.modelForWrite(tenant);
    try {
      await this.collection(tenant).insertOne({ ...doc });
    } catch (e) {
      if (isDuplicateKeyError(e)) throw ApiError.duplicate(profileDocId(key), 'The profile already exists.');
      throw e;
    }
    return this.toDomain(doc);
  }

  /** Deletes one profile; returns it or null. A guest whose merge has begun is deleted by the merge only. */
  async delete(tenant: string, key: ProfileKey): Promise<Profile | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndDelete(this.driverFilter(this.identity(key)), { includeResultMetadata: false }),
    );
    return doc ? this.toDomain(doc as ProfileDocument) : null;
  }

  /**
   * Records that the rule membership was brought in line with version `version` of the profile;
   * false when the profile moved on meanwhile (its membership is then evaluated again).
   */
  async markEvaluated(tenant: string, key: ProfileKey, version: number): Promise<boolean> {
    const r = await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: profileDocId(key), 'metadata.version': version }), {
        $set: { evaluatedVersion: version },
        $unset: { evaluationDue: 1 },
      }),
    );
    return r.matchedCount === 1;
  }

  /**
   * Customer profiles in `_id` order after `after` (the re-evaluation job's batches); with `where`
   * (a rule's filter over `attributes`/`mixins`), only those the database finds satisfying it.
   */
  customerBatch(tenant: string, after: string | null, limit: number, where: Record<string, unknown> = {}): Promise<ProfileDocument[]> {
    const filter = after === null ? { ...where, kind: 'customer' } : { ...where, kind: 'customer', _id: { $gt: after } };
    return this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter(filter), { projection: { mergedGuests: 0 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray(),
    ) as Promise<ProfileDocument[]>;
  }

  /** The current versions of some profiles (the job re-evaluates those written while it decided). */
  async versionsOf(tenant: string, ids: string[]): Promise<Map<string, number>> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ _id: { $in: ids } }), { projection: { 'metadata.version': 1 } })
        .toArray(),
    );
    return new Map(docs.map((d) => [d._id, d.metadata.version]));
  }

  /** Customer profiles by their keys (the job's look at its segment's members), without the merge history. */
  async customersByKey(
    tenant: string,
    keys: Array<{ customerId: string; legalEntityId: string | null }>,
  ): Promise<Map<string, ProfileDocument>> {
    if (keys.length === 0) return new Map();
    const ids = keys.map((k) => profileDocId({ kind: 'customer', ...k }));
    const docs = (await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ _id: { $in: ids } }), { projection: { mergedGuests: 0 } })
        .toArray(),
    )) as ProfileDocument[];
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Customer profiles after `after` (null: from the first) up to and including `through` in `_id` order (the job's progress). */
  countCustomersBetween(tenant: string, after: string | null, through: string): Promise<number> {
    // Customer profiles are exactly the `_id`s after `customer/` (guests' start with `guest/`): one range of the `_id` index.
    const from = after ?? profileDocId({ kind: 'customer', customerId: '', legalEntityId: null });
    return this.countMatching(tenant, { _id: { $gt: from, $lte: through } });
  }

  /** Customer profiles whose evaluation has been due since `before` at least (the sweep's), oldest first. */
  async evaluationsDue(tenant: string, before: Date, limit: number): Promise<ProfileKey[]> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ evaluationDue: { $lte: before } }), { projection: { kind: 1, customerId: 1, legalEntityId: 1 } })
        .sort({ evaluationDue: 1 })
        .limit(limit)
        .toArray(),
    );
    return docs
      .filter((d) => d.kind === 'customer')
      .map((d) => ({ kind: 'customer', customerId: d.customerId!, legalEntityId: d.legalEntityId ?? null }));
  }

  /** Customer profiles of the tenant (the job's total). */
  countCustomers(tenant: string): Promise<number> {
    return this.countMatching(tenant, { kind: 'customer' });
  }

  // ---- the merge of a guest into a customer -------------------------------------------------

  /** Marks a guest as merging into `target` (guarded by the version read); null when the guest moved or is gone. */
  async markMerging(tenant: string, sessionId: string, version: number, target: string): Promise<ProfileDocument | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndUpdate(
        this.driverFilter({
          _id: profileDocId({ kind: 'guest', sessionId }),
          'metadata.version': version,
          mergingInto: { $exists: false },
        }),
        { $set: { mergingInto: target }, $inc: { 'metadata.version': 1 } },
        { returnDocument: 'after', includeResultMetadata: false },
      ),
    );
    return doc as ProfileDocument | null;
  }

  /**
   * Writes the merged state into an existing customer profile, guarded by the version read and by
   * the guest not being merged in already (a replayed merge changes nothing). Null when it missed.
   */
  async applyMerge(
    tenant: string,
    key: ProfileKey,
    version: number,
    sessionId: string,
    write: ProfileWrite,
    now: Date,
  ): Promise<Profile | null> {
    const update = this.update(key, write, now);
    const { $setOnInsert: _insertOnly, ...existingOnly } = update;
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndUpdate(
        this.driverFilter({ _id: profileDocId(key), 'metadata.version': version, mergedGuests: { $ne: sessionId } }),
        { ...existingOnly, $push: { mergedGuests: { $each: [sessionId], $slice: -MERGED_GUESTS_KEPT } } } as Document,
        { returnDocument: 'after', includeResultMetadata: false },
      ),
    );
    return doc ? this.toDomain(doc as ProfileDocument) : null;
  }

  /** Ends a merge: the marked guest is deleted (guarded by the mark, so nothing written after it is lost). */
  async finishMerge(tenant: string, sessionId: string, target: string): Promise<void> {
    await this.run(() =>
      this.collection(tenant).deleteOne(this.driverFilter({ _id: profileDocId({ kind: 'guest', sessionId }), mergingInto: target })),
    );
  }

  private identity(key: ProfileKey): Record<string, unknown> {
    // A guest in a merge is matched by nothing but the merge itself.
    return key.kind === 'guest' ? { _id: profileDocId(key), mergingInto: { $exists: false } } : { _id: profileDocId(key) };
  }

  private identityFields(key: ProfileKey): Pick<ProfileDocument, '_id' | 'kind' | 'customerId' | 'legalEntityId' | 'sessionId'> {
    if (key.kind === 'guest') return { _id: profileDocId(key), kind: 'guest', sessionId: key.sessionId };
    return { _id: profileDocId(key), kind: 'customer', customerId: key.customerId, legalEntityId: key.legalEntityId };
  }

  private update(key: ProfileKey, write: ProfileWrite, now: Date) {
    const { _id, ...onInsert } = this.identityFields(key);
    const fields: Array<[string, unknown]> = [
      ['attributes', write.attributes],
      ['mixins', write.mixins],
      ['metadata.mixins', write.metadataMixins],
    ];
    // A customer's membership follows its profile: due until the write's evaluation is done.
    if (key.kind === 'customer') fields.push(['evaluationDue', now]);
    return versionedUpdate(fields, now, onInsert);
  }
}

/** A write to a guest whose merge into a customer has begun. */
export function mergeInProgress(key: ProfileKey): ApiError {
  return new ApiError('version_conflict', 'The guest profile is being merged into a customer profile; write to the customer profile.', {
    resourceId: profileDocId(key),
  });
}
