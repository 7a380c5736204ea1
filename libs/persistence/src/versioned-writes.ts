import { ApiError } from '@suite/api-kit';
import type { Model } from 'mongoose';
import { isDuplicateKeyError, mapMongoErrors } from './mongo-errors';
import { trustedFilter } from './tenant-model-registry';

/**
 * Single-document writes of versioned resources (META-2, EVT-4: no transactions), shared by the
 * repositories that keep an identity under a unique index (segment assignments and the like).
 * Every function takes a model already opened for one tenant by the TenantModelRegistry, so the
 * tenant scoping stays where it is enforced; filters are the caller's identity keys.
 */

/** A `$set`/`$unset`/`$inc`/`$setOnInsert` update document. */
export interface VersionedUpdate {
  $set: Record<string, unknown>;
  $unset?: Record<string, 1>;
  $inc: { 'metadata.version': 1 };
  $setOnInsert?: Record<string, unknown>;
}

/**
 * The update of a PUT-style write: each `[path, value]` is set, or unset when the value is
 * `undefined` (the write replaces those fields in full); `metadata.modifiedAt` is `now` and the
 * version goes up by one. On insert (an upsert), `$inc` on the missing version yields 1 and
 * `metadata.createdAt` plus `onInsert` are set.
 */
export function versionedUpdate(
  fields: ReadonlyArray<readonly [path: string, value: unknown]>,
  now: Date,
  onInsert: Record<string, unknown> = {},
): VersionedUpdate {
  const $set: Record<string, unknown> = { 'metadata.modifiedAt': now };
  const $unset: Record<string, 1> = {};
  for (const [path, value] of fields) {
    if (value === undefined) $unset[path] = 1;
    else $set[path] = value;
  }
  const update: VersionedUpdate = { $set, $inc: { 'metadata.version': 1 }, $setOnInsert: { 'metadata.createdAt': now, ...onInsert } };
  if (Object.keys($unset).length) update.$unset = $unset;
  return update;
}

/**
 * Creates or updates the document matching `filter` in one `findAndModify` upsert. A concurrent
 * creation of the same identity loses on the unique index (duplicate key) and is retried once,
 * which then finds the twin and updates it.
 */
export async function upsertVersioned<D>(
  model: Model<D>,
  filter: Record<string, unknown>,
  update: VersionedUpdate,
): Promise<{ created: boolean; doc: D }> {
  const run = () =>
    model.collection.findOneAndUpdate(filter as never, update as never, {
      upsert: true,
      returnDocument: 'after',
      includeResultMetadata: true,
    });
  let result;
  try {
    result = await mapMongoErrors(run);
  } catch (e) {
    if (!(e instanceof ApiError && e.errorCode === 'duplicate_resource')) throw e;
    result = await mapMongoErrors(run);
  }
  return { created: result.lastErrorObject?.updatedExisting !== true, doc: result.value as unknown as D };
}

/**
 * Updates an existing document only (never inserts), guarded by `expectedVersion` when given
 * (META-5.4). Null when nothing matched: absent, or the version moved.
 */
export async function updateVersioned<D>(
  model: Model<D>,
  filter: Record<string, unknown>,
  update: VersionedUpdate,
  expectedVersion?: number,
): Promise<D | null> {
  const guarded = expectedVersion === undefined ? filter : { ...filter, 'metadata.version': expectedVersion };
  const { $setOnInsert: _insertOnly, ...existingOnly } = update;
  const doc = await mapMongoErrors(() =>
    model.collection.findOneAndUpdate(guarded as never, existingOnly as never, { returnDocument: 'after', includeResultMetadata: false }),
  );
  return doc as unknown as D | null;
}

/** Inserts a new document; a twin under the unique identity index is `409 duplicate_resource` with `conflictMessage`. */
export async function insertNew<D>(model: Model<D>, doc: D, conflictMessage: string): Promise<void> {
  try {
    // A copy: the driver adds `_id` to the object it is given, and the caller maps `doc` afterwards.
    await model.collection.insertOne({ ...doc } as never);
  } catch (e) {
    if (isDuplicateKeyError(e)) throw ApiError.duplicate(undefined, conflictMessage);
    throw e;
  }
}

/**
 * Removes up to `limit` documents matching `filter` and returns them (cascades): read first, then
 * deleted by `_id`, so every returned document was really there and is really gone.
 */
export async function takeBatch<D>(model: Model<D>, filter: Record<string, unknown>, limit: number): Promise<Array<D & { _id: unknown }>> {
  const docs = await mapMongoErrors(() =>
    model
      .find(trustedFilter(filter) as never)
      .limit(limit)
      .lean<Array<D & { _id: unknown }>>()
      .exec(),
  );
  if (docs.length === 0) return [];
  await mapMongoErrors(() => model.collection.deleteMany({ _id: { $in: docs.map((d) => d._id) } } as never));
  return docs;
}
