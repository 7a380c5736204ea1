// The fast paths of point writes and reads: a lookup by a unique index from a filter of plain
// equalities, and an update applier for `$set`, `$unset`, `$inc`, `$push`, `$pull` and
// `$setOnInsert` that copies only the objects on the updated paths. Both answer only the cases
// whose result they know to be exactly the general path's (mingo's update operators, the
// planner plus mingo's matching); anything else returns null and the caller takes the general
// path, which also reports every error. So a fast path never changes a result, only its cost.

import { typeRank, TypeRank, valuesEqual } from './bson-order';
import { Collection } from './collection';
import { IndexDef } from './index-def';
import { Doc, isPlainObject } from './paths';
import { validateUpdate } from './update';

/** mingo's deep equality, which its update operators use to skip writing an unchanged value. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isEqual } = require('mingo/util') as { isEqual(a: unknown, b: unknown): boolean };

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

// ---------------------------------------------------------------------------------------------
// Point lookups.

/** Values an index key proves equal exactly as the query matches them (see query.ts `exactKeyValue`). */
function keyValue(v: unknown): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return true;
    case 'object': {
      const r = typeRank(v);
      return r === TypeRank.Number || r === TypeRank.Date || r === TypeRank.ObjectId || r === TypeRank.Binary;
    }
    default:
      return false;
  }
}

/**
 * Whether `doc` matches the plain equality `{path: want}` as mingo matches it, or undefined when
 * this cannot tell simply (arrays on the path, non-plain intermediate values, numeric wrapper
 * types): the caller then takes the general path.
 */
function equalityMatch(doc: Doc, path: string, want: unknown): boolean | undefined {
  let cur: unknown = doc;
  let start = 0;
  for (;;) {
    const dot = path.indexOf('.', start);
    const part = dot < 0 ? path.slice(start) : path.slice(start, dot);
    if (!isPlainObject(cur)) return undefined;
    cur = hasOwn(cur, part) ? cur[part] : undefined;
    if (dot < 0) break;
    if (cur === undefined || cur === null) return want === null;
    start = dot + 1;
  }
  if (Array.isArray(cur)) return undefined;
  if (want === null) return cur === null || cur === undefined;
  if (cur === undefined || cur === null) return false;
  switch (typeof want) {
    case 'string':
    case 'boolean':
      return cur === want;
    case 'number':
      if (typeof cur === 'number') return cur === want;
      return typeof cur === 'object' && typeRank(cur) === TypeRank.Number ? undefined : false;
    default:
      if (want instanceof Date) return cur instanceof Date ? cur.getTime() === want.getTime() : false;
      return undefined;
  }
}

/** A residual (non-index) equality the fast path checks by itself. */
function residualValue(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v)) || v instanceof Date;
}

/** What a unique lookup found: the record, nothing (`'none'`), or null when it cannot answer. */
export type PointLookup = { rid: number; doc: Doc } | 'none' | null;

/** The unique, complete, single-key index all of whose fields the filter pins to key values. */
function uniqueIndexFor(coll: Collection, filter: Doc): IndexDef | null {
  if (hasOwn(filter, '_id')) return keyValue(filter._id) ? coll.idIndex : null;
  for (const idx of coll.indexes.values()) {
    if (!idx.unique || idx.isPartialOrSparse || idx.multikey) continue;
    if (idx.fields.every((f) => hasOwn(filter, f) && keyValue(filter[f]))) return idx;
  }
  return null;
}

/**
 * Finds the one document a filter of plain equalities selects through a unique index: the
 * filter names every field of a unique, non-sparse, non-partial index that has never held an
 * array (so an absent key proves that no document matches), with scalar values; its other
 * fields are scalar equalities checked on the document found. Returns null for any other filter.
 */
export function uniqueLookup(coll: Collection, filter: Doc): PointLookup {
  const keys = Object.keys(filter);
  if (keys.length === 0 || keys.length > 16) return null;
  for (const k of keys) if (k.length === 0 || k.charCodeAt(0) === 36 /* $ */) return null;
  const idx = uniqueIndexFor(coll, filter);
  if (!idx || idx.multikey) return null;
  for (const k of keys) if (!idx.fields.includes(k) && !residualValue(filter[k])) return null;
  const key = idx.fields.map((f) => filter[f]);
  const entry = idx.tree.findOther(key);
  if (!entry) return 'none';
  const doc = coll.docs.get(entry.rid);
  if (!doc) return 'none';
  for (const k of keys) {
    if (idx.fields.includes(k)) continue;
    const m = equalityMatch(doc, k, filter[k]);
    if (m === undefined) return null;
    if (!m) return 'none';
  }
  return { rid: entry.rid, doc };
}

// ---------------------------------------------------------------------------------------------
// Simple updates.

type StepOp = '$set' | '$unset' | '$inc' | '$push' | '$pull';

interface Step {
  op: StepOp;
  path: string;
  parts: string[];
  /** `$set`: the value; `$inc`: the amount; `$push`: the elements appended. */
  value: unknown;
  /** `$pull`: which elements go. */
  pull?: (el: unknown) => boolean | undefined;
}

/** A compiled simple update: its steps when updating and when inserting (`$setOnInsert`). */
export interface SimpleUpdate {
  update: Step[];
  insert: Step[];
  /** Every path the update may write (index maintenance skips indexes on none of them). */
  paths: string[];
}

const SIMPLE_OPS = new Set(['$set', '$unset', '$inc', '$push', '$pull', '$setOnInsert']);

function simplePath(path: string): string[] | null {
  const parts = path.split('.');
  if (parts[0] === '_id') return null;
  for (const p of parts) {
    if (p.length === 0 || p.charCodeAt(0) === 36 /* $ */ || p in Object.prototype) return null;
  }
  return parts;
}

/** The `$pull` condition as a predicate, for scalar values and plain-equality documents. */
function pullPredicate(spec: unknown): ((el: unknown) => boolean | undefined) | null {
  const scalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v));
  if (scalar(spec)) {
    return (el) => {
      if (typeof el === 'string' || typeof el === 'boolean' || typeof el === 'number' || el === null) return el === spec;
      return undefined;
    };
  }
  if (!isPlainObject(spec)) return null;
  const fields = Object.keys(spec);
  if (fields.length === 0) return null;
  for (const f of fields) if (f.includes('.') || f.charCodeAt(0) === 36 || !scalar(spec[f]) || f in Object.prototype) return null;
  return (el) => {
    if (!isPlainObject(el)) return undefined;
    let all = true;
    for (const f of fields) {
      const v = hasOwn(el, f) ? el[f] : undefined;
      if (v === undefined || v === null) {
        all = false;
        continue;
      }
      if (typeof v === 'object') return undefined;
      if (v !== spec[f]) all = false;
    }
    return all;
  };
}

function compileStep(op: StepOp, path: string, v: unknown): Step | null {
  const parts = simplePath(path);
  if (!parts) return null;
  const step: Step = { op, path, parts, value: v };
  if (op === '$set') {
    if (v === undefined) return null;
  } else if (op === '$inc') {
    if (typeof v !== 'number') return null;
  } else if (op === '$push') {
    if (isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'))) {
      const ks = Object.keys(v);
      if (ks.length !== 1 || ks[0] !== '$each' || !Array.isArray(v.$each)) return null;
      step.value = v.$each;
    } else {
      if (v === undefined) return null;
      step.value = [v];
    }
  } else if (op === '$pull') {
    const pred = pullPredicate(v);
    if (!pred) return null;
    step.pull = pred;
  }
  return step;
}

/**
 * Compiles an update statement's `u` for the fast path, or null when it is not a simple
 * operator update (pipelines, replacements, other operators, positional or `_id` paths,
 * `$push` modifiers, `$pull` conditions beyond plain equalities) or when it is invalid (the
 * general path reports why). The steps come in the order mingo applies the modifier that
 * `operatorModifier` (update.ts) builds: operators in the order of `u`, each one's paths in
 * their order, and when inserting `$setOnInsert` merged into the `$set` (at the place of
 * whichever of the two comes first, its paths first).
 */
export function compileSimpleUpdate(u: unknown): SimpleUpdate | null {
  if (!isPlainObject(u)) return null;
  const ops = Object.keys(u);
  if (ops.length === 0) return null;
  for (const op of ops) if (!SIMPLE_OPS.has(op) || !isPlainObject(u[op])) return null;
  try {
    validateUpdate(u, false);
  } catch {
    return null;
  }
  const update: Step[] = [];
  // The steps when inserting, one group per operator of the modifier, in its key order.
  const groups = new Map<StepOp, Step[]>();
  for (const name of ops) {
    const arg = u[name] as Doc;
    const onInsert = name === '$setOnInsert';
    const op = (onInsert ? '$set' : name) as StepOp;
    let group = groups.get(op);
    if (!group) groups.set(op, (group = []));
    for (const path of Object.keys(arg)) {
      const step = compileStep(op, path, arg[path]);
      if (!step) return null;
      group.push(step);
      if (!onInsert) update.push(step);
    }
  }
  const insert: Step[] = [];
  for (const g of groups.values()) for (const step of g) insert.push(step);
  return { update, insert, paths: insert.map((st) => st.path) };
}

/**
 * Applies a compiled update to `doc` without touching it: the objects on the updated paths are
 * copied, everything else is shared (stored documents are immutable). The result is exactly
 * what the general path stores (mingo's operators on a deep copy): the same field order, the
 * same "unchanged" answers. Null when a step meets something only the general path handles
 * (a non-number under `$inc`, a non-array under `$push`/`$pull`, an array or scalar on the way
 * to a field, ...), including every case the general path turns into an error.
 */
export function applySimpleUpdate(steps: readonly Step[], doc: Doc): { doc: Doc; modified: boolean } | null {
  const root: Doc = { ...doc };
  // The objects this update made (copies and new ones): the only ones it may write to.
  const owned: Doc[] = [root];
  let modified = false;
  for (const step of steps) {
    const { parts, op } = step;
    const builds = op === '$set' || op === '$inc' || op === '$push';
    let cur: Doc | null = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const child: unknown = hasOwn(cur, parts[i]) ? cur[parts[i]] : undefined;
      if (child === undefined) {
        if (!builds) {
          cur = null;
          break;
        }
        const created: Doc = {};
        owned.push(created);
        cur[parts[i]] = created;
        cur = created;
      } else if (isPlainObject(child)) {
        if (owned.includes(child)) cur = child;
        else {
          const copy: Doc = { ...child };
          owned.push(copy);
          cur[parts[i]] = copy;
          cur = copy;
        }
      } else return null;
    }
    if (!cur) continue;
    const key = parts[parts.length - 1];
    const old = hasOwn(cur, key) ? cur[key] : undefined;
    switch (op) {
      case '$set':
        if (isEqual(old, step.value)) break;
        cur[key] = step.value;
        if (old === undefined || !valuesEqual(old, step.value)) modified = true;
        break;
      case '$inc': {
        if (old !== undefined && typeof old !== 'number') return null;
        const next = ((old as number) || 0) + (step.value as number);
        cur[key] = next;
        if (old === undefined || !valuesEqual(old, next)) modified = true;
        break;
      }
      case '$unset':
        if (!hasOwn(cur, key)) break;
        delete cur[key];
        if (old !== undefined) modified = true;
        break;
      case '$push': {
        const each = step.value as unknown[];
        if (old === undefined) {
          cur[key] = each.slice();
          modified = true;
        } else if (Array.isArray(old)) {
          if (each.length === 0) break;
          cur[key] = old.concat(each);
          modified = true;
        } else return null;
        break;
      }
      case '$pull': {
        if (old === undefined) break;
        if (!Array.isArray(old)) return null;
        const kept: unknown[] = [];
        for (const el of old) {
          const hit = step.pull!(el);
          if (hit === undefined) return null;
          if (!hit) kept.push(el);
        }
        if (kept.length === old.length) break;
        cur[key] = kept;
        modified = true;
        break;
      }
    }
  }
  return modified ? { doc: root, modified } : { doc, modified: false };
}
