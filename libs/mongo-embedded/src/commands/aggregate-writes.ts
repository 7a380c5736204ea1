// The writing stages of an aggregation, `$out` and `$merge`, as MongoDB 7.0 runs them: only as
// the last stage, validated before any document is read, and applied after the rest of the
// pipeline has produced its documents. The command then answers with an empty cursor.
//
// - `$out` writes a temporary collection `tmp.agg_out.<uuid>` with the target's options and
//   indexes, then drops the target and renames the temporary collection in its place. A command
//   runs without interruption, so readers see the old or the new collection, never a mix; a
//   failed insert (e.g. a duplicate key) drops the temporary collection and leaves the target as
//   it was. Every step is an ordinary journaled catalog change, so `--data` replays it.
// - `$merge` goes through the output one document at a time and, like MongoDB, is not atomic:
//   documents merged before an error stay merged.

import { ObjectId, UUID } from 'bson';
import { Aggregator } from 'mingo';
import { CommandError, Codes } from '../errors';
import { valuesEqual } from '../storage/bson-order';
import { Collection } from '../storage/collection';
import { Doc, getPath, idFirst, isPlainObject } from '../storage/paths';
import { scan } from '../storage/query';
import { applyUpdate, validateStoredDoc } from '../storage/update';
import { validateForWrite } from '../storage/validation';
import { checkPipelineVariables, undefinedVariableError } from '../storage/variables';
import { CommandContext } from './context';
import { viewNotCollection, viewOf } from './views';

export interface WriteStage {
  op: '$out' | '$merge';
  spec: unknown;
}

const WRITE_STAGES = new Set(['$out', '$merge']);

/** MongoDB's refusal of a writing stage inside a sub-pipeline. */
function nestedWriteError(op: string, where: string): CommandError {
  if (where === '$facet') return new CommandError(40600, `${op} is not allowed to be used within a $facet stage`);
  if (where === '$unionWith') return new CommandError(31441, `${op} is not allowed within a $unionWith's sub-pipeline`);
  return new CommandError(51047, `${op} is not allowed within a $lookup's sub-pipeline`);
}

/** Refuses `$out`/`$merge` in the sub-pipelines of `$facet`, `$lookup` and `$unionWith`. */
function refuseNestedWrites(stages: unknown[], where: string | null, depth = 0): void {
  if (depth > 50) return;
  for (const stage of stages) {
    if (!isPlainObject(stage)) continue;
    for (const [op, arg] of Object.entries(stage)) {
      if (where && WRITE_STAGES.has(op)) throw nestedWriteError(op, where);
      if ((op === '$lookup' || op === '$unionWith') && isPlainObject(arg) && Array.isArray(arg.pipeline))
        refuseNestedWrites(arg.pipeline, op, depth + 1);
      if (op === '$facet' && isPlainObject(arg)) {
        for (const sub of Object.values(arg)) if (Array.isArray(sub)) refuseNestedWrites(sub, '$facet', depth + 1);
      }
    }
  }
}

/**
 * Splits a final `$out`/`$merge` off a pipeline whose stages are already known to be one-field
 * objects. Anywhere else they are refused with MongoDB's codes (mingo has stages of the same
 * names that would write into the arrays its collection resolver hands out).
 */
export function splitWriteStage(pipeline: Doc[]): { read: Doc[]; write: WriteStage | null } {
  refuseNestedWrites(pipeline, null);
  pipeline.forEach((stage, i) => {
    const op = Object.keys(stage)[0];
    if (WRITE_STAGES.has(op) && i !== pipeline.length - 1)
      throw new CommandError(40601, `${op} can only be the final stage in the pipeline`);
  });
  const last = pipeline[pipeline.length - 1];
  const op = last ? Object.keys(last)[0] : '';
  if (op !== '$out' && op !== '$merge') return { read: pipeline, write: null };
  return { read: pipeline.slice(0, -1), write: { op, spec: last[op] } };
}

function bsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return isPlainObject(v) ? 'object' : ((v as { _bsontype?: string })._bsontype?.toLowerCase() ?? typeof v);
}

function wrongType(field: string, v: unknown, expected: string): CommandError {
  return new CommandError(Codes.TypeMismatch, `BSON field '${field}' is the wrong type '${bsonType(v)}', expected type '${expected}'`);
}

const INTERNAL_DBS = new Set(['admin', 'local', 'config']);

function validNamespace(db: string, coll: string): boolean {
  return (
    db !== '' &&
    coll !== '' &&
    !/[/\\. "$\0]/.test(db) &&
    db.length <= 63 &&
    !coll.includes('\0') &&
    !coll.startsWith('.') &&
    !coll.includes('$')
  );
}

interface Target {
  db: string;
  coll: string;
}

/** `{db, coll}` of an `$out`/`$merge` target given as an object (`stage` names it in errors). */
function targetObject(spec: Doc, field: string, defaultDb: string): Target {
  for (const k of Object.keys(spec)) {
    if (k !== 'db' && k !== 'coll' && !(field === '$out' && k === 'timeseries'))
      throw new CommandError(40415, `BSON field '${field}.${k}' is an unknown field.`);
  }
  if (spec.timeseries !== undefined)
    throw new CommandError(
      Codes.CommandNotSupported,
      'The embedded server does not support time-series collections ($out with timeseries).',
    );
  if (spec.coll === undefined) throw new CommandError(40414, `BSON field '${field}.coll' is missing but a required field`);
  if (typeof spec.coll !== 'string') throw wrongType(`${field}.coll`, spec.coll, 'string');
  if (field === '$out' && spec.db === undefined) throw new CommandError(40414, `BSON field '${field}.db' is missing but a required field`);
  if (spec.db !== undefined && typeof spec.db !== 'string') throw wrongType(`${field}.db`, spec.db, 'string');
  return { db: (spec.db as string | undefined) ?? defaultDb, coll: spec.coll };
}

/** A prepared write: validated against the catalog, applied to the pipeline's output. */
export interface PreparedWrite {
  apply(docs: Doc[], variables: Doc | undefined): void;
}

/**
 * Validates a writing stage before the pipeline runs, as MongoDB parses it: the target, the
 * options, the read concern and (for `$merge` on other fields than `_id`) the unique index.
 * `body` is the aggregate command (`readConcern`, `bypassDocumentValidation`).
 */
export function prepareWrite(ctx: CommandContext, stage: WriteStage, body: Doc, variables: Doc | undefined): PreparedWrite {
  const readConcern = body.readConcern;
  if (isPlainObject(readConcern) && readConcern.level === 'linearizable') {
    throw new CommandError(Codes.InvalidOptions, `${stage.op} cannot be used with a 'linearizable' read concern level`);
  }
  // The target's validator applies to what the stage writes, unless the command bypasses it.
  const bypass = body.bypassDocumentValidation === true;
  return stage.op === '$out' ? prepareOut(ctx, stage.spec, bypass) : prepareMerge(ctx, stage.spec, variables, bypass);
}

function prepareOut(ctx: CommandContext, spec: unknown, bypass: boolean): PreparedWrite {
  let target: Target;
  if (typeof spec === 'string') target = { db: ctx.dbName, coll: spec };
  else if (isPlainObject(spec)) target = targetObject(spec, '$out', ctx.dbName);
  else throw new CommandError(16990, `$out only supports a string or object argument, but found ${bsonType(spec)}`);
  const ns = `${target.db}.${target.coll}`;
  if (!validNamespace(target.db, target.coll)) throw new CommandError(Codes.InvalidNamespace, `Invalid $out target namespace, ${ns}`);
  if (target.coll.startsWith('system.')) throw new CommandError(17385, `Can't $out to special collection: ${target.coll}`);
  if (INTERNAL_DBS.has(target.db)) throw new CommandError(31321, `Can't $out to internal database: ${target.db}`);
  if (viewOf(ctx.engine.peek(target.db)?.get(target.coll))) throw viewNotCollection(ns);
  return { apply: (docs) => applyOut(ctx, target, docs, bypass) };
}

/** A document as stored: `_id` first, generated when missing, checked like an insert. */
function storable(doc: Doc): Doc {
  const out = doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc);
  validateStoredDoc(out);
  return out;
}

function applyOut(ctx: CommandContext, target: Target, docs: Doc[], bypass: boolean): void {
  const db = ctx.engine.db(target.db);
  const existing = db.get(target.coll);
  if (viewOf(existing)) throw viewNotCollection(`${target.db}.${target.coll}`);
  const tmpName = `tmp.agg_out.${new UUID().toHexString()}`;
  const tmp = db.create(tmpName, existing ? { ...existing.options } : {});
  try {
    for (const idx of existing?.indexes.values() ?? []) if (idx.name !== '_id_') tmp.addIndex({ ...idx.spec });
    for (const d of docs) {
      const doc = storable(d);
      validateForWrite(tmp, doc, { bypass });
      tmp.insert(doc);
    }
  } catch (e) {
    db.drop(tmpName);
    throw e;
  }
  if (existing) {
    ctx.cursors.killNamespace(existing.ns);
    db.drop(target.coll);
  }
  ctx.engine.rename(target.db, tmpName, target.db, target.coll);
}

type WhenMatched = 'replace' | 'keepExisting' | 'merge' | 'fail' | Doc[];
type WhenNotMatched = 'insert' | 'discard' | 'fail';

/** The mode pairs MongoDB supports (`keepExisting` and `fail` only insert what is new). */
function supportedModes(m: WhenMatched, n: WhenNotMatched): boolean {
  if (m === 'keepExisting' || m === 'fail') return n === 'insert';
  return true;
}

const MERGE_FIELDS = new Set(['into', 'on', 'let', 'whenMatched', 'whenNotMatched', 'targetCollectionVersion']);
const UPDATE_PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

interface MergePlan {
  target: Target;
  on: string[];
  whenMatched: WhenMatched;
  whenNotMatched: WhenNotMatched;
  /** The `let` of a pipeline `whenMatched` (defaults to `{new: '$$ROOT'}`). */
  let: Doc | null;
}

function parseOn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v))
    throw new CommandError(51186, `$merge 'on' field  must be either a string or an array of strings, but found ${bsonType(v)}`);
  if (v.length === 0) throw new CommandError(51187, "If explicitly specifying $merge 'on', must include at least one field");
  const seen = new Set<string>();
  for (const f of v) {
    if (typeof f !== 'string') throw new CommandError(51134, `$merge 'on' array elements must be strings, but found ${bsonType(f)}`);
    if (seen.has(f)) throw new CommandError(31465, `Found a duplicate field '${f}'`);
    seen.add(f);
  }
  return [...seen];
}

function parseMerge(ctx: CommandContext, spec: unknown): MergePlan {
  if (typeof spec === 'string') spec = { into: spec };
  if (!isPlainObject(spec))
    throw new CommandError(Codes.TypeMismatch, `$merge requires a string or object argument, but found ${bsonType(spec)}`);
  for (const k of Object.keys(spec))
    if (!MERGE_FIELDS.has(k)) throw new CommandError(40415, `BSON field '$merge.${k}' is an unknown field.`);
  let target: Target;
  if (spec.into === undefined) throw new CommandError(40414, "BSON field '$merge.into' is missing but a required field");
  if (typeof spec.into === 'string') target = { db: ctx.dbName, coll: spec.into };
  else if (isPlainObject(spec.into)) target = targetObject(spec.into, 'into', ctx.dbName);
  else throw new CommandError(51178, `$merge 'into' field  must be either a string or an object, but found ${bsonType(spec.into)}`);
  let whenMatched: WhenMatched = 'merge';
  const wm = spec.whenMatched;
  if (typeof wm === 'string') {
    if (!['replace', 'keepExisting', 'merge', 'fail'].includes(wm)) {
      throw new CommandError(Codes.BadValue, `Enumeration value '${wm}' for field '$merge.whenMatched' is not a valid value.`);
    }
    whenMatched = wm as WhenMatched;
  } else if (Array.isArray(wm)) {
    wm.forEach((s) => {
      if (!isPlainObject(s)) throw new CommandError(Codes.TypeMismatch, "Each element of the 'pipeline' array must be an object");
      const op = Object.keys(s)[0];
      if (!UPDATE_PIPELINE_STAGES.has(op)) throw new CommandError(Codes.InvalidOptions, `${op} is not allowed to be used within an update`);
    });
    whenMatched = wm as Doc[];
  } else if (wm !== undefined) {
    throw new CommandError(51191, `$merge 'whenMatched' field  must be either a string or an array, but found ${bsonType(wm)}`);
  }
  let whenNotMatched: WhenNotMatched = 'insert';
  const wn = spec.whenNotMatched;
  if (wn !== undefined) {
    if (typeof wn !== 'string') throw wrongType('$merge.whenNotMatched', wn, 'string');
    if (!['insert', 'discard', 'fail'].includes(wn)) {
      throw new CommandError(Codes.BadValue, `Enumeration value '${wn}' for field '$merge.whenNotMatched' is not a valid value.`);
    }
    whenNotMatched = wn as WhenNotMatched;
  }
  const modeName = Array.isArray(whenMatched) ? 'pipeline' : whenMatched;
  if (!supportedModes(whenMatched, whenNotMatched)) {
    throw new CommandError(
      51181,
      `Combination of $merge modes 'whenMatched: ${modeName}' and 'whenNotMatched: ${whenNotMatched}' is not supported`,
    );
  }
  let letSpec: Doc | null = null;
  if (spec.let !== undefined && spec.let !== null) {
    if (!isPlainObject(spec.let)) throw wrongType('$merge.let', spec.let, 'object');
    if (!Array.isArray(whenMatched)) throw new CommandError(51199, `Cannot use 'let' variables with 'whenMatched: ${modeName}' mode`);
    letSpec = spec.let;
  }
  if (Array.isArray(whenMatched)) {
    letSpec = letSpec ?? { new: '$$ROOT' };
    if ('new' in letSpec && letSpec.new !== '$$ROOT') {
      throw new CommandError(51273, "'let' may not define a value for the reserved 'new' variable other than '$$ROOT'");
    }
    // Without `new`, an insert still needs the new document: MongoDB adds it for whenNotMatched: insert.
    if (!('new' in letSpec) && whenNotMatched === 'insert') letSpec = { ...letSpec, new: '$$ROOT' };
  }
  return { target, on: spec.on === undefined ? ['_id'] : parseOn(spec.on), whenMatched, whenNotMatched, let: letSpec };
}

/** MongoDB's "supporting unique index" for `on`: unique, not partial, exactly the `on` fields. */
function hasSupportingIndex(coll: Collection | undefined, on: string[]): boolean {
  if (on.length === 1 && on[0] === '_id') return true;
  if (!coll) return false;
  for (const idx of coll.indexes.values()) {
    if (!idx.unique || idx.spec.partialFilterExpression !== undefined) continue;
    const keys = Object.keys(idx.spec.key);
    if (keys.length === on.length && on.every((f) => keys.includes(f))) return true;
  }
  return false;
}

function prepareMerge(ctx: CommandContext, spec: unknown, cmdVariables: Doc | undefined, bypass: boolean): PreparedWrite {
  const plan = parseMerge(ctx, spec);
  const { target } = plan;
  const ns = `${target.db}.${target.coll}`;
  if (!validNamespace(target.db, target.coll)) throw new CommandError(Codes.InvalidNamespace, `Invalid $merge target namespace: '${ns}'`);
  if (target.coll.startsWith('system.')) throw new CommandError(31319, `Cannot $merge to special collection: ${target.coll}`);
  if (INTERNAL_DBS.has(target.db)) throw new CommandError(31320, `Cannot $merge to internal database: ${target.db}`);
  const existing = ctx.engine.peek(target.db)?.get(target.coll);
  if (viewOf(existing)) throw viewNotCollection(ns);
  if (!hasSupportingIndex(existing, plan.on)) throw new CommandError(51183, 'Cannot find index to verify that join fields will be unique');
  if (Array.isArray(plan.whenMatched)) {
    const names: Doc = { ...cmdVariables };
    for (const k of Object.keys(plan.let ?? {})) names[k] = null;
    checkPipelineVariables(plan.whenMatched, names);
  }
  return { apply: (docs, variables) => applyMerge(ctx, plan, docs, variables, bypass) };
}

/** The `on` values of an output document (MongoDB refuses arrays and nullish values). */
function onKey(doc: Doc, on: string[]): Doc {
  const key: Doc = {};
  for (const f of on) {
    const v = getPath(doc, f);
    if (Array.isArray(v)) throw new CommandError(51185, `$merge write error: 'on' field '${f}' is an array`);
    if (v === undefined || v === null)
      throw new CommandError(51132, `$merge write error: 'on' field '${f}' cannot be missing, null, undefined or an array`);
    key[f] = v;
  }
  return key;
}

/** The stored document whose `on` fields equal `key`, if any. */
function findMatch(coll: Collection, on: string[], key: Doc): { rid: number; doc: Doc } | null {
  if (on.length === 1 && on[0] === '_id') {
    const rid = coll.ridById(key._id);
    const doc = rid === undefined ? undefined : coll.docs.get(rid);
    return rid !== undefined && doc ? { rid, doc } : null;
  }
  const filter: Doc = {};
  for (const [f, v] of Object.entries(key)) filter[f] = { $eq: v };
  for (const row of scan(coll, filter)) {
    // `$eq` also matches an array holding the value; the unique index keys the whole value.
    if (on.every((f) => valuesEqual(getPath(row.doc, f), key[f]))) return { rid: row.rid, doc: row.doc };
  }
  return null;
}

/** The values of a pipeline `whenMatched`'s `let` for each output document (`$$ROOT` = that document). */
function letValues(letSpec: Doc, docs: Doc[], variables: Doc | undefined): Doc[] {
  try {
    // An object expression keeps literals as they are (a `$project` would read 1 as an inclusion).
    return new Aggregator([{ $replaceWith: { v: letSpec } }], { scriptEnabled: false, variables })
      .run(docs)
      .map((r) => ((r as Doc).v as Doc) ?? {});
  } catch (e) {
    throw undefinedVariableError(e) ?? new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
  }
}

function contextError(e: unknown, plan: MergePlan): unknown {
  if (!(e instanceof CommandError)) return e;
  if (e.code === Codes.ImmutableField) {
    return new CommandError(
      e.code,
      `$merge failed to update the matching document, did you attempt to modify the _id or the shard key? :: caused by :: ${e.message}`,
      e.extra,
    );
  }
  if (e.code === Codes.DuplicateKey) {
    const pattern = isPlainObject(e.extra.keyPattern) ? Object.keys(e.extra.keyPattern) : [];
    const onFields = pattern.length === plan.on.length && plan.on.every((f) => pattern.includes(f));
    const what =
      plan.whenMatched === 'fail' && onFields
        ? "$merge with whenMatched: fail found an existing document with the same values for the 'on' fields"
        : '$merge failed due to a DuplicateKey error';
    return new CommandError(e.code, `${what} :: caused by :: ${e.message}`, e.extra);
  }
  return e;
}

/** `whenMatched: 'merge'`: the new document's top-level fields `$set` on the stored one. */
function mergeInto(stored: Doc, doc: Doc): { doc: Doc; modified: boolean } | null {
  const { _id, ...fields } = doc;
  if (_id !== undefined && !valuesEqual(_id, stored._id)) {
    throw new CommandError(Codes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return Object.keys(fields).length ? applyUpdate(stored, { $set: fields }) : null;
}

function applyMerge(ctx: CommandContext, plan: MergePlan, docs: Doc[], variables: Doc | undefined, bypass: boolean): void {
  const db = ctx.engine.db(plan.target.db);
  const onId = plan.on.includes('_id');
  const pipeline = Array.isArray(plan.whenMatched) ? plan.whenMatched : null;
  const lets = pipeline && plan.let ? letValues(plan.let, docs, variables) : null;
  const insert = (coll: Collection, doc: Doc): void => {
    const stored = storable(doc);
    validateForWrite(coll, stored, { bypass });
    coll.insert(stored);
  };
  for (let i = 0; i < docs.length; i++) {
    let doc = docs[i];
    // Like MongoDB: a document without `_id` gets one before it is matched on `_id`.
    if (onId && doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    const key = onKey(doc, plan.on);
    const coll = db.get(plan.target.coll);
    const match = coll ? findMatch(coll, plan.on, key) : null;
    try {
      if (match && coll) {
        let next: { doc: Doc; modified: boolean } | null = null;
        if (plan.whenMatched === 'keepExisting') continue;
        if (plan.whenMatched === 'fail') insert(coll, doc);
        else if (plan.whenMatched === 'replace') next = applyUpdate(match.doc, doc._id === undefined ? doc : idFirst(doc));
        else if (plan.whenMatched === 'merge') next = mergeInto(match.doc, doc);
        else next = applyUpdate(match.doc, pipeline!, { variables: { ...variables, ...lets![i] } });
        if (next?.modified) {
          validateForWrite(coll, next.doc, { bypass, before: match.doc });
          coll.replace(match.rid, next.doc);
        }
      } else if (plan.whenNotMatched === 'insert') {
        insert(db.getOrCreate(plan.target.coll), doc);
      } else if (plan.whenNotMatched === 'fail') {
        throw new CommandError(
          Codes.MergeStageNoMatchingDocument,
          '$merge could not find a matching document in the target collection for at least one document in the source collection',
        );
      }
    } catch (e) {
      throw contextError(e, plan);
    }
  }
}
