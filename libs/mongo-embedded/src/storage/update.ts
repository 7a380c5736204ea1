// Update application on top of mingo's update operators: validation MongoDB does before applying
// (unknown modifiers, conflicting paths, the immutable `_id`), replacement documents, pipeline
// updates, and the construction of upsert documents from a filter's equality fields.

import { ObjectId } from 'bson';
import { Aggregator } from 'mingo';
import { CommandError, Codes } from '../errors';
import { valuesEqual, typeRank, TypeRank } from './bson-order';
import { formatValue } from './index-def';
import { cloneDeep, Doc, getPath, idFirst, isPlainObject, setPath } from './paths';
import { undefinedVariableError } from './variables';

/** The query options mingo's updater takes (see `UPDATER_OPTIONS`). */
interface UpdaterQueryOptions {
  scriptEnabled: boolean;
  idKey: string;
}

/**
 * mingo's updater, loaded without the package index's wrapper: the index merges mingo's whole
 * operator context (hundreds of entries) into every update call, which cost more than the update
 * itself for small statements. The updater adds the query and comparison operators it needs
 * (arrayFilters, `$pull` conditions, positional `$`) by itself. `mingo/updater` is a subpath
 * export of the package; TypeScript's node10 resolution cannot see its types, hence the typed
 * require.
 */
interface MingoUpdater {
  update(
    obj: Doc,
    modifier: Doc,
    arrayFilters: Doc[] | undefined,
    condition: Doc | undefined,
    options: { cloneMode: 'deep'; queryOptions: UpdaterQueryOptions },
  ): string[];
  updateMany(
    docs: Doc[],
    condition: Doc,
    modifier: Doc,
    config: { arrayFilters?: Doc[]; cloneMode: 'deep' },
    options: UpdaterQueryOptions,
  ): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const updater = require('mingo/updater') as MingoUpdater;

/**
 * mingo refuses every update operator on its `idKey` path, even `$set: {_id: <same value>}` and
 * `$set: {_id: ...}` while building an upsert, which MongoDB both accepts. A NUL field name cannot
 * occur in BSON, so naming it the id key turns mingo's check off; the `_id` rule is applied after
 * the update instead (unchanged value, or any value while inserting).
 */
const UPDATER_OPTIONS: UpdaterQueryOptions = { scriptEnabled: false, idKey: '\u0000' };

const MODIFIERS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);

export type UpdateSpec = Doc | Doc[];

/** Classifies `u` and validates it as MongoDB does before any document is touched. */
export function validateUpdate(u: unknown, multi: boolean): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject)) throw new CommandError(Codes.FailedToParse, 'Each element of the update pipeline must be an object');
    return u as Doc[];
  }
  if (!isPlainObject(u)) throw new CommandError(Codes.FailedToParse, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) {
    if (multi) throw new CommandError(Codes.FailedToParse, 'multi update is not supported for replacement-style update');
    return u;
  }
  if (ops.length !== keys.length) {
    const plain = keys.find((k) => !k.startsWith('$'))!;
    throw new CommandError(
      Codes.DollarPrefixedFieldName,
      `The dollar ($) prefixed field '${ops[0]}' in '${ops[0]}' is not allowed in the context of an ` +
        `update's replacement document. Consider using an aggregation pipeline with $replaceWith.` +
        (plain ? '' : ''),
    );
  }
  const paths: string[] = [];
  for (const op of ops) {
    if (!MODIFIERS.has(op)) {
      throw new CommandError(
        Codes.FailedToParse,
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    const arg = u[op];
    if (!isPlainObject(arg))
      throw new CommandError(Codes.FailedToParse, `Modifiers operate on fields but we found type ${typeof arg} instead.`);
    for (const p of Object.keys(arg)) {
      paths.push(p);
      if (op === '$rename') paths.push(String(arg[p]));
    }
  }
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a === b || b.startsWith(a + '.')) {
      throw new CommandError(Codes.ConflictingUpdateOperators, `Updating the path '${b}' would create a conflict at '${a}'`);
    }
  }
  return u;
}

function hasPositional(u: Doc): boolean {
  for (const [op, arg] of Object.entries(u)) {
    if (!op.startsWith('$') || !isPlainObject(arg)) continue;
    for (const p of Object.keys(arg)) if (p.split('.').includes('$')) return true;
  }
  return false;
}

export interface ApplyOptions {
  arrayFilters?: Doc[];
  /** The query filter, needed by the positional `$` operator. */
  filter?: Doc;
  /** True when building the document of an upsert: `$setOnInsert` applies. */
  inserting?: boolean;
  /** The command's `let` variables (and the statement's `c` constants), read by pipeline updates. */
  variables?: Doc;
}

/** Applies an update to a copy of `doc`; returns the new document and whether it changed. */
export function applyUpdate(doc: Doc, u: UpdateSpec, opts: ApplyOptions = {}): { doc: Doc; modified: boolean } {
  const { results, error } = applyUpdateMany([doc], u, opts);
  if (error) throw error;
  return results[0];
}

function operatorModifier(u: Doc, inserting: boolean): Doc {
  const modifier: Doc = {};
  for (const [op, arg] of Object.entries(u)) {
    if (op === '$setOnInsert') {
      if (inserting) modifier.$set = { ...((modifier.$set as Doc) ?? {}), ...(arg as Doc) };
      continue;
    }
    if (op === '$set' && modifier.$set) modifier.$set = { ...(modifier.$set as Doc), ...(arg as Doc) };
    else modifier[op] = arg;
  }
  return modifier;
}

/**
 * Applies one update to copies of several documents (a multi-update). mingo sets up its operator
 * context per call, so one call for the whole batch is much cheaper than one per document. When
 * document k cannot be updated, the results for documents before k are returned together with
 * the error, so the caller applies those and stops, as MongoDB does.
 */
export function applyUpdateMany(
  docs: Doc[],
  u: UpdateSpec,
  opts: ApplyOptions = {},
): { results: Array<{ doc: Doc; modified: boolean }>; error?: CommandError } {
  const results: Array<{ doc: Doc; modified: boolean }> = [];
  const fail = (e: unknown): { results: typeof results; error: CommandError } => ({
    results,
    error: e instanceof CommandError ? e : new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e)),
  });
  if (Array.isArray(u) || !Object.keys(u).some((k) => k.startsWith('$'))) {
    // One Aggregator per statement: building mingo's operator context is the expensive part, and
    // running it once per document keeps the per-document error position exact.
    let agg: Aggregator | null = null;
    if (Array.isArray(u)) {
      try {
        agg = new Aggregator(u, opts.variables ? { scriptEnabled: false, variables: opts.variables } : { scriptEnabled: false });
      } catch (e) {
        return fail(new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e)));
      }
    }
    for (const doc of docs) {
      try {
        results.push(agg ? pipelineUpdate(doc, agg) : replacement(doc, u as Doc));
      } catch (e) {
        return fail(e);
      }
    }
    return { results };
  }
  const modifier = operatorModifier(u, opts.inserting === true);
  const clones: Doc[] = [];
  let error: CommandError | undefined;
  for (const doc of docs) {
    const c = cloneDeep(doc);
    try {
      checkOperandTypes(c, modifier);
    } catch (e) {
      error = fail(e).error;
      break;
    }
    clones.push(c);
  }
  if (clones.length) {
    const positional = hasPositional(u);
    try {
      if (clones.length === 1) {
        const condition = positional ? opts.filter : undefined;
        updater.update(clones[0], modifier, opts.arrayFilters, condition, { cloneMode: 'deep', queryOptions: UPDATER_OPTIONS });
      } else {
        const condition = positional && opts.filter ? opts.filter : {};
        updater.updateMany(clones, condition, modifier, { arrayFilters: opts.arrayFilters, cloneMode: 'deep' }, UPDATER_OPTIONS);
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/immutable field '_id'/.test(msg)) return fail(immutableId());
      return fail(new CommandError(/type|numeric|number/i.test(msg) ? Codes.TypeMismatch : Codes.BadValue, msg));
    }
  }
  for (let i = 0; i < clones.length; i++) {
    const next = clones[i];
    const before = docs[i];
    const modified = !valuesEqual(next, before);
    try {
      if (modified && before._id !== undefined && !valuesEqual(next._id, before._id)) throw immutableId();
      validateStoredDoc(next, 'update');
    } catch (e) {
      return fail(e);
    }
    results.push({ doc: modified ? next : before, modified });
  }
  return error ? { results, error } : { results };
}

/**
 * A pipeline's output replaces the document as a replacement does: an output without `_id` keeps
 * the original one (`$replaceRoot`, `$project` without `_id`), and only a different value is 66.
 */
function pipelineUpdate(doc: Doc, agg: Aggregator): { doc: Doc; modified: boolean } {
  let out: Doc[];
  try {
    out = agg.run([cloneDeep(doc)]) as Doc[];
  } catch (e) {
    throw undefinedVariableError(e) ?? new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
  }
  let next = idFirst(out[0] ?? {});
  if (next._id === undefined && doc._id !== undefined) next = { _id: doc._id, ...next };
  validateStoredDoc(next, 'update');
  if (doc._id !== undefined && !valuesEqual(next._id, doc._id)) throw idAltered(next._id);
  return { doc: next, modified: !valuesEqual(next, doc) };
}

function replacement(doc: Doc, u: Doc): { doc: Doc; modified: boolean } {
  const next: Doc = { _id: doc._id, ...cloneDeep(u) };
  if (next._id === undefined) delete next._id;
  validateStoredDoc(next, 'update');
  if ('_id' in u && doc._id !== undefined && !valuesEqual(u._id, doc._id)) throw idAltered(u._id);
  return { doc: next, modified: !valuesEqual(next, doc) };
}

const NUMERIC_OPS = ['$inc', '$mul'];
const ARRAY_OPS = ['$push', '$addToSet', '$pull', '$pullAll', '$pop'];

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as { _bsontype?: string })._bsontype ?? (v instanceof Date ? 'date' : 'object');
  return typeof v === 'number' ? 'double' : typeof v;
}

/**
 * MongoDB refuses `$inc` on a non-number and array operators on a non-array instead of coercing;
 * mingo is lenient there, so those cases are checked before it runs.
 */
function checkOperandTypes(doc: Doc, modifier: Doc): void {
  for (const [op, arg] of Object.entries(modifier)) {
    const numeric = NUMERIC_OPS.includes(op);
    if (!numeric && !ARRAY_OPS.includes(op)) continue;
    for (const p of Object.keys(arg as Doc)) {
      if (p.split('.').some((x) => x.startsWith('$'))) continue;
      const cur = getPath(doc, p);
      if (cur === undefined) continue;
      const field = p.split('.').pop();
      if (numeric && typeRank(cur) !== TypeRank.Number) {
        throw new CommandError(
          Codes.TypeMismatch,
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} ` +
            `has the field '${field}' of non-numeric type ${typeName(cur)}`,
        );
      }
      if (!numeric && !Array.isArray(cur)) {
        throw new CommandError(
          Codes.BadValue,
          `The field '${field}' must be an array but is of type ${typeName(cur)} in document {_id: ${formatValue(doc._id)}}`,
        );
      }
    }
  }
}

/** An update operator (`$set: {_id: ...}`) that would change `_id`. */
function immutableId(): CommandError {
  return new CommandError(Codes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
}

/** A replacement or pipeline whose result carries a different `_id` (MongoDB names the new value). */
function idAltered(id: unknown): CommandError {
  const msg = `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(id)}`;
  return new CommandError(Codes.ImmutableField, msg);
}

/**
 * The first `$`-prefixed field name inside an `_id` object at any depth (arrays included), as
 * MongoDB's `storageValidEmbedded` finds it; a DBRef (`$ref` string, `$id`, optional `$db` string,
 * in that order) is allowed. `top` says whether the offending field is a direct child of `_id`.
 */
function dollarFieldInId(v: unknown, top: boolean, depth = 0): { name: string; top: boolean } | null {
  if (depth > 200) return null;
  if (Array.isArray(v)) {
    for (const el of v) {
      const found = dollarFieldInId(el, false, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (!isPlainObject(v)) return null;
  const keys = Object.keys(v);
  let skip = 0;
  if (keys[0] === '$ref' && typeof v.$ref === 'string' && keys[1] === '$id') skip = keys[2] === '$db' && typeof v.$db === 'string' ? 3 : 2;
  for (let i = 0; i < keys.length; i++) {
    if (i >= skip && keys[i].startsWith('$')) return { name: keys[i], top };
    const found = dollarFieldInId(v[keys[i]], false, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Checks what MongoDB refuses to store: an array or regex `_id`, and `$`-prefixed field names
 * inside an `_id` object (5.0+ allows them elsewhere). An insert reports the storage rule; an
 * update or upsert reports a `$`-field directly under `_id` as a replacement-document error, as
 * MongoDB's update path does, and deeper ones by the storage rule.
 */
export function validateStoredDoc(doc: Doc, op: 'insert' | 'update' = 'insert'): void {
  const id = doc._id;
  if (id === undefined) return;
  const r = typeRank(id);
  if (r === TypeRank.Array) throw new CommandError(Codes.InvalidIdField, "The '_id' value cannot be of type array");
  if (r === TypeRank.RegExp) throw new CommandError(Codes.InvalidIdField, "The '_id' value cannot be of type regex");
  if (!isPlainObject(id)) return;
  const found = dollarFieldInId(id, true);
  if (!found) return;
  if (op === 'update' && found.top) {
    throw new CommandError(
      Codes.DollarPrefixedFieldName,
      `The dollar ($) prefixed field '${found.name}' in '_id.${found.name}' is not allowed in the context of an update's ` +
        'replacement document. Consider using an aggregation pipeline with $replaceWith.',
    );
  }
  const msg = `_id fields may not contain '$'-prefixed fields: ${found.name} is not valid for storage.`;
  throw new CommandError(Codes.DollarPrefixedFieldName, msg);
}

/** The equality fields of a filter (top level and inside `$and`), as an upsert's seed document. */
export function upsertSeed(filter: Doc, into: Doc): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) upsertSeed(sub, into);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
      if ('$eq' in v) setPath(into, k, cloneDeep(v.$eq));
      continue;
    }
    if (v instanceof RegExp || typeRank(v) === TypeRank.RegExp) continue;
    setPath(into, k, cloneDeep(v));
  }
}

/** Builds the document an upsert inserts: filter equalities + the update (incl. `$setOnInsert`). */
export function buildUpsertDoc(filter: Doc, u: UpdateSpec, arrayFilters?: Doc[], variables?: Doc): Doc {
  let doc: Doc;
  if (!Array.isArray(u) && !Object.keys(u).some((k) => k.startsWith('$'))) {
    const seed: Doc = {};
    upsertSeed(filter, seed);
    doc = cloneDeep(u);
    if (doc._id === undefined && seed._id !== undefined) doc = { _id: seed._id, ...doc };
  } else {
    const seed: Doc = {};
    upsertSeed(filter, seed);
    doc = applyUpdate(seed, u, { arrayFilters, inserting: true, filter, variables }).doc;
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  doc = idFirst(doc);
  validateStoredDoc(doc, 'update');
  return doc;
}
