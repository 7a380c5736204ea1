// `collMod`: a collection's validator, `validationLevel` and `validationAction`, and the `hidden`
// flag and TTL of an index. Options MongoDB 7.0 has but this server does not implement are
// refused with 115 CommandNotSupported naming them; unknown fields fail as MongoDB's parser fails.

import { CommandError, Codes } from '../errors';
import { canonicalKey } from '../storage/bson-order';
import { Collection } from '../storage/collection';
import { Doc, isPlainObject } from '../storage/paths';
import { parseValidationOptions } from '../storage/validation';
import { collName, CommandContext } from './context';
import { viewOf } from './views';

/** Options `collMod` knows in MongoDB 7.0 but the embedded server does not implement. */
const UNSUPPORTED_COLLMOD_OPTIONS = [
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'timeseries',
  'timeseriesBucketsMayHaveMixedSchemaData',
  'cappedSize',
  'cappedMax',
  'dryRun',
  'encryptedFields',
];
const COLLMOD_OPTIONS = ['validator', 'validationLevel', 'validationAction', 'index', 'viewOn', 'pipeline'];

/**
 * `collMod`: sets or changes a collection's validator, `validationLevel` and `validationAction`,
 * and an index's `hidden` flag or TTL. Every change is journaled with the collection.
 */
export function collMod(ctx: CommandContext, body: Doc): Doc {
  const name = collName(body, 'collMod');
  for (const k of Object.keys(body)) {
    if (k === 'collMod' || COLLMOD_OPTIONS.includes(k)) continue;
    if (UNSUPPORTED_COLLMOD_OPTIONS.includes(k))
      throw new CommandError(Codes.CommandNotSupported, `The embedded server does not support the collMod option '${k}'.`);
    throw new CommandError(Codes.Location40415, `BSON field 'collMod.${k}' is an unknown field.`);
  }
  const coll = ctx.engine.peek(ctx.dbName)?.get(name);
  if (!coll) throw new CommandError(Codes.NamespaceNotFound, `ns does not exist: ${ctx.dbName}.${name}`);
  const isView = viewOf(coll) !== null;
  for (const k of Object.keys(body)) {
    if (k === 'collMod') continue;
    const viewOption = k === 'viewOn' || k === 'pipeline';
    if (isView && !viewOption) throw new CommandError(Codes.InvalidOptions, `option not supported on a view: ${k}`);
    if (!isView && viewOption) throw new CommandError(Codes.InvalidOptions, `option only supported on a view: ${k}`);
    if (viewOption) {
      throw new CommandError(
        Codes.CommandNotSupported,
        `The embedded server does not support collMod of a view's '${k}'; drop and re-create the view.`,
      );
    }
  }
  const validation = parseValidationOptions(body, 'collMod');
  const reply = body.index !== undefined ? collModIndex(coll, body.index) : {};
  if (body.validator !== undefined || Object.keys(validation).length > 0) {
    const next: Doc = { ...coll.options, ...validation };
    // An empty validator removes the rules, as MongoDB does.
    if (body.validator !== undefined && validation.validator === undefined) delete next.validator;
    coll.setOptions(next);
  }
  return reply;
}

/** `collMod` `index`: changes `hidden` and `expireAfterSeconds` of one index. */
function collModIndex(coll: Collection, raw: unknown): Doc {
  if (!isPlainObject(raw))
    throw new CommandError(Codes.TypeMismatch, "BSON field 'collMod.index' is the wrong type, expected type 'object'");
  for (const k of Object.keys(raw)) {
    if (k === 'unique' || k === 'prepareUnique' || k === 'forceNonUnique') {
      throw new CommandError(Codes.CommandNotSupported, `The embedded server does not support the collMod index option '${k}'.`);
    }
    if (!['keyPattern', 'name', 'hidden', 'expireAfterSeconds'].includes(k))
      throw new CommandError(Codes.Location40415, `BSON field 'collMod.index.${k}' is an unknown field.`);
  }
  if (raw.keyPattern !== undefined && raw.name !== undefined)
    throw new CommandError(Codes.InvalidOptions, 'Cannot specify both key pattern and name.');
  if (raw.keyPattern === undefined && raw.name === undefined)
    throw new CommandError(Codes.InvalidOptions, 'Must specify either index name or key pattern.');
  if (raw.hidden === undefined && raw.expireAfterSeconds === undefined) {
    throw new CommandError(Codes.InvalidOptions, 'no expireAfterSeconds, hidden, prepareUnique, or unique field');
  }
  let idx;
  if (raw.name !== undefined) {
    idx = coll.indexes.get(String(raw.name));
    if (!idx) throw new CommandError(Codes.IndexNotFound, `cannot find index ${String(raw.name)} for ns ${coll.ns}`);
  } else {
    if (!isPlainObject(raw.keyPattern))
      throw new CommandError(Codes.TypeMismatch, "BSON field 'collMod.index.keyPattern' is the wrong type, expected type 'object'");
    const key = canonicalKey(raw.keyPattern);
    idx = [...coll.indexes.values()].find((i) => canonicalKey(i.spec.key) === key);
    if (!idx) throw new CommandError(Codes.IndexNotFound, `cannot find index ${JSON.stringify(raw.keyPattern)} for ns ${coll.ns}`);
  }
  const reply: Doc = {};
  const changes: Doc = {};
  if (raw.hidden !== undefined) {
    if (typeof raw.hidden !== 'boolean')
      throw new CommandError(Codes.TypeMismatch, "BSON field 'collMod.index.hidden' is the wrong type, expected type 'bool'");
    if (idx.name === '_id_') throw new CommandError(Codes.BadValue, "can't hide _id index");
    const old = idx.spec.hidden === true;
    if (old !== raw.hidden) {
      changes.hidden = raw.hidden ? true : null;
      reply.hidden_old = old;
      reply.hidden_new = raw.hidden;
    }
  }
  if (raw.expireAfterSeconds !== undefined) {
    const secs = raw.expireAfterSeconds;
    if (typeof secs !== 'number' || !Number.isFinite(secs) || secs < 0) {
      throw new CommandError(Codes.InvalidOptions, `TTL index 'expireAfterSeconds' option must be a non-negative number: ${String(secs)}`);
    }
    if (idx.name === '_id_')
      throw new CommandError(Codes.InvalidOptions, "The field 'expireAfterSeconds' is not valid for an _id index specification.");
    if (idx.fields.length !== 1)
      throw new CommandError(Codes.InvalidOptions, 'TTL indexes are single-field indexes, compound indexes do not support TTL.');
    const old = idx.spec.expireAfterSeconds;
    if (old !== secs) {
      changes.expireAfterSeconds = secs;
      if (old !== undefined) reply.expireAfterSeconds_old = old;
      reply.expireAfterSeconds_new = secs;
    }
  }
  if (Object.keys(changes).length) coll.setIndexOptions(idx.name, changes);
  return reply;
}
