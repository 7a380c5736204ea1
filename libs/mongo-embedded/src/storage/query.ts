// Query execution: a small planner picks an index for top-level equality / `$in` / range
// predicates (also inside a top-level `$and`), scans only the matching key ranges, and verifies
// each candidate with mingo. Without a usable index it scans the collection. `maxTimeMS` is
// enforced by checking the clock while scanning.

import { serialize } from 'bson';
import { Query } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey, compareValues, MAX_BOUND, MIN_BOUND, TypeBound, typeRank, TypeRank } from './bson-order';
import { Bound } from './btree';
import { Collation, collatedQuery, containsString } from './collation';
import { Collection } from './collection';
import { IndexDef } from './index-def';
import { Doc, isPlainObject, pathValues } from './paths';
import { undefinedVariableError } from './variables';

export interface Row {
  rid: number;
  doc: Doc;
}

/** What the last execution did, reported by `explain` and used by tests to prove index use. */
export interface PlanStats {
  indexName: string | null;
  keysExamined: number;
  docsExamined: number;
}

interface Range {
  lo?: unknown;
  loInc: boolean;
  hi?: unknown;
  hiInc: boolean;
}

interface FieldPred {
  eq?: unknown[];
  /** The filter value `eq` was taken from (to tell which condition the index keys answer). */
  eqSource?: unknown;
  range?: Range;
}

function hasOperators(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys[0].startsWith('$');
}

/** Values usable as index equality keys: scalars and embedded documents, not arrays or regexes. */
function indexableEq(v: unknown): boolean {
  if (v === undefined || Array.isArray(v) || v instanceof RegExp) return false;
  const r = typeRank(v);
  return r !== TypeRank.RegExp && r !== TypeRank.MinKey && r !== TypeRank.MaxKey;
}

/**
 * Index keys are binary (simple collation): under a collation a predicate on strings cannot be
 * answered from them, so `collated` leaves such predicates to the (collated) verification.
 */
function collectPreds(filter: Doc, out: Map<string, FieldPred>, collated = false): void {
  const usable = (v: unknown): boolean => !collated || !containsString(v);
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) collectPreds(sub, out, collated);
      continue;
    }
    if (field.startsWith('$')) continue;
    const pred = out.get(field) ?? {};
    if (!hasOperators(cond)) {
      if (indexableEq(cond) && !pred.eq && usable(cond)) {
        pred.eq = [cond];
        pred.eqSource = cond;
      }
    } else {
      for (const [op, arg] of Object.entries(cond)) {
        if (op === '$eq' && indexableEq(arg) && usable(arg)) {
          if (!pred.eq) {
            pred.eq = [arg];
            pred.eqSource = cond;
          }
        } else if (op === '$in' && Array.isArray(arg) && arg.length > 0 && arg.every(indexableEq) && usable(arg)) {
          if (!pred.eq) {
            pred.eq = arg;
            pred.eqSource = cond;
          }
        } else if (
          (op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') &&
          indexableEq(arg) &&
          arg !== null &&
          !isPlainObject(arg) &&
          usable(arg)
        ) {
          const r = (pred.range ??= { loInc: true, hiInc: true });
          if (op === '$gt' || op === '$gte') {
            if (r.lo === undefined || compareValues(arg, r.lo) > 0) {
              r.lo = arg;
              r.loInc = op === '$gte';
            }
          } else if (r.hi === undefined || compareValues(arg, r.hi) < 0) {
            r.hi = arg;
            r.hiInc = op === '$lte';
          }
        }
      }
    }
    if (pred.eq || pred.range) out.set(field, pred);
  }
}

interface Plan {
  /** Index scans whose union holds every match (one part, or one per `$or` branch). */
  parts: Array<{
    index: IndexDef;
    bounds: Array<[Bound, Bound]>;
    /** How many leading index fields the bounds pin to single values (per bound). */
    eqCount: number;
    /** Whether the field after them is bounded by a range. */
    ranged: boolean;
  }>;
  /**
   * What each candidate must still be verified against: the filter minus the conditions the
   * index bounds prove; null when the bounds alone prove a match.
   */
  residual: Doc | null;
}

/**
 * The plan for a filter: an index on its top-level predicates, else, for a top-level `$or`
 * whose every branch can use an index, the union of those index scans.
 */
function planFor(coll: Collection, filter: Doc, collated = false): Plan | null {
  const direct = planIndex(coll, filter, collated);
  if (direct) return direct;
  const or = filter.$or;
  if (!Array.isArray(or) || or.length === 0 || or.length > 64) return null;
  const parts: Plan['parts'] = [];
  for (const branch of or) {
    if (!isPlainObject(branch)) return null;
    const p = planIndex(coll, branch, collated);
    if (!p) return null;
    parts.push(...p.parts);
  }
  return { parts, residual: filter };
}

/**
 * Most equality-prefix combinations (product of the `$in` sizes) a plan scans as point ranges.
 * Each is one B+tree descent (~1 µs), so 100,000 stays in the tens of milliseconds, while falling
 * back to a scan verifies a large `$in` linearly against every document (an 8,000-id `$in` over
 * a big collection took seconds).
 */
const MAX_COMBINATIONS = 100_000;

function planIndex(coll: Collection, filter: Doc, collated = false): Plan | null {
  const preds = new Map<string, FieldPred>();
  collectPreds(filter, preds, collated);
  if (preds.size === 0) return null;
  let best: { idx: IndexDef; score: number; eqCount: number; range?: Range } | null = null;
  for (const idx of coll.indexes.values()) {
    if (idx.isPartialOrSparse) continue;
    let eqCount = 0;
    let combos = 1;
    let range: Range | undefined;
    for (const f of idx.fields) {
      const p = preds.get(f);
      if (p?.eq && combos * p.eq.length <= MAX_COMBINATIONS) {
        eqCount++;
        combos *= p.eq.length;
        continue;
      }
      if (p?.range) range = p.range;
      break;
    }
    if (eqCount === 0 && !range) continue;
    let score = eqCount * 10 + (range ? 5 : 0);
    if (idx.unique && eqCount === idx.fields.length) score += 100;
    if (!best || score > best.score || (score === best.score && idx.fields.length < best.idx.fields.length)) {
      best = { idx, score, eqCount, range };
    }
  }
  if (!best) return null;
  const { idx, eqCount } = best;
  let range = best.range;
  if (range && idx.multikey && range.lo !== undefined && range.hi !== undefined) {
    // On a multikey path `{$gt: a, $lt: b}` may be satisfied by two different elements, so the
    // bounds must not be intersected: keep the lower one and let verification do the rest.
    range = { lo: range.lo, loInc: range.loInc, hiInc: true };
  }
  let prefixes: unknown[][] = [[]];
  for (let i = 0; i < eqCount; i++) {
    const vals = preds.get(idx.fields[i])!.eq!;
    const next: unknown[][] = [];
    for (const p of prefixes) for (const v of vals) next.push([...p, v]);
    prefixes = next;
  }
  // Sort and de-duplicate equality prefixes so `$in` with repeated values is scanned once.
  const seen = new Set<string>();
  prefixes = prefixes.filter((p) => {
    const k = p.map(canonicalKey).join('|');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const rest = idx.fields.length - eqCount - (range ? 1 : 0);
  const bounds: Array<[Bound, Bound]> = prefixes.map((p) => {
    if (!range) {
      return [
        { key: [...p, ...fill(rest, MIN_BOUND)], inclusive: true },
        { key: [...p, ...fill(rest, MAX_BOUND)], inclusive: true },
      ];
    }
    const lo = range.lo !== undefined ? range.lo : new TypeBound(typeRank(range.hi), false);
    const hi = range.hi !== undefined ? range.hi : new TypeBound(typeRank(range.lo), true);
    const loInc = range.lo === undefined || range.loInc;
    const hiInc = range.hi === undefined || range.hiInc;
    return [
      { key: [...p, lo, ...fill(rest, loInc ? MIN_BOUND : MAX_BOUND)], inclusive: loInc },
      { key: [...p, hi, ...fill(rest, hiInc ? MAX_BOUND : MIN_BOUND)], inclusive: hiInc },
    ];
  });
  return { parts: [{ index: idx, bounds, eqCount, ranged: range !== undefined }], residual: residualFilter(filter, idx, eqCount, preds) };
}

function fill(n: number, v: unknown): unknown[] {
  return n > 0 ? new Array(n).fill(v) : [];
}

/** True for the index-key values whose index hit is exactly a query match (no re-check needed). */
function exactKeyValue(v: unknown): boolean {
  const r = typeRank(v);
  return r !== TypeRank.Null && r !== TypeRank.Object && r !== TypeRank.Array && r !== TypeRank.RegExp;
}

/**
 * The part of `filter` the index scan does not already prove. A top-level condition on one of the
 * first `eqCount` index fields that is a scalar equality (`v`, `{$eq: v}`) or `{$in: [scalars]}`
 * is fully answered by the index keys (a multikey hit on an element is also a match for
 * MongoDB), so it is dropped; only what remains is verified per candidate. That keeps a large
 * `$in` (thousands of `_id`s) from being re-tested against every candidate. The condition is
 * dropped only when it is the very one the plan took its keys from (`eqSource`), never a second
 * condition on the same field. Returns null when nothing remains.
 */
function residualFilter(filter: Doc, idx: IndexDef, eqCount: number, preds: Map<string, FieldPred>): Doc | null {
  const proven = new Set<string>();
  for (let i = 0; i < eqCount; i++) {
    const f = idx.fields[i];
    if (!Object.prototype.hasOwnProperty.call(filter, f)) continue;
    const cond = filter[f];
    if (preds.get(f)?.eqSource !== cond) continue;
    let values: unknown[];
    if (hasOperators(cond)) {
      const ops = Object.keys(cond);
      if (ops.length !== 1) continue;
      if (ops[0] === '$eq') values = [cond.$eq];
      else if (ops[0] === '$in' && Array.isArray(cond.$in)) values = cond.$in;
      else continue;
    } else values = [cond];
    if (values.every(exactKeyValue)) proven.add(f);
  }
  if (proven.size === 0) return filter;
  const rest: Doc = {};
  let any = false;
  for (const k of Object.keys(filter)) {
    if (proven.has(k)) continue;
    rest[k] = filter[k];
    any = true;
  }
  return any ? rest : null;
}

/**
 * Compiled filters of one command, by their exact BSON encoding. Building a mingo `Query` copies
 * mingo's whole operator context, which dominated batches of small statements (200 guarded
 * upserts share one residual `{ver: {$lt: n}}`). BSON bytes keep types apart (`1` vs `"1"` vs
 * Long), so equal keys mean equal filters. The memo lives for one command only: a process-wide
 * cache made every distinct query (e.g. ranges) pay for its upkeep. Filters with
 * `$expr`/`$where`/`$function`, stateful (g/y) regexes or `undefined` values are not shared.
 */
export type FilterMemo = Map<string, { test(doc: Doc): boolean }>;
const FILTER_MEMO_MAX = 1000;

/** Compiles a filter with mingo; unknown operators become BadValue as MongoDB reports them. */
export function compileFilter(filter: unknown, memo?: FilterMemo, variables?: Doc, collation?: Collation | null): (doc: Doc) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw new CommandError(Codes.TypeMismatch, "BSON field 'filter' is the wrong type, expected type 'object'");
  if (Object.keys(filter).length === 0) return () => true;
  validateFilter(filter);
  // Filters that can read `let` variables (`$expr`) are never memoized, so variables cannot leak.
  const bytes = memo ? filterCacheKey(filter) : null;
  const key = bytes !== null && collation ? collation.key + bytes : bytes;
  let q = key === null ? undefined : memo!.get(key);
  if (!q) {
    try {
      if (collation) q = collatedQuery(filter, collation, variables);
      else q = new Query(filter, variables ? { scriptEnabled: false, variables } : { scriptEnabled: false });
    } catch (e) {
      throw new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
    }
    if (key !== null && memo!.size < FILTER_MEMO_MAX) memo!.set(key, q);
  }
  const compiled = q;
  return (doc) => compiled.test(doc);
}

function filterCacheKey(filter: Doc): string | null {
  if (!cacheableFilterValue(filter, 0)) return null;
  try {
    return Buffer.from(serialize(filter)).toString('latin1');
  } catch {
    return null;
  }
}

function cacheableFilterValue(v: unknown, depth: number): boolean {
  if (depth > 32 || v === undefined || typeof v === 'function') return false;
  if (v instanceof RegExp) return !v.global && !v.sticky;
  if (Array.isArray(v)) return v.every((x) => cacheableFilterValue(x, depth + 1));
  if (!isPlainObject(v)) return true;
  for (const k of Object.keys(v)) {
    if (k === '$expr' || k === '$where' || k === '$function' || k === '$accumulator') return false;
    if (!cacheableFilterValue(v[k], depth + 1)) return false;
  }
  return true;
}

/** Argument shapes mingo tolerates but MongoDB rejects with BadValue. */
function validateFilter(filter: Doc): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' || k === '$or' || k === '$nor') {
      if (!Array.isArray(v) || v.length === 0) throw new CommandError(Codes.BadValue, `${k} must be a nonempty array`);
      for (const sub of v) {
        if (!isPlainObject(sub)) throw new CommandError(Codes.BadValue, `$or/$and/$nor entries need to be full objects`);
        validateFilter(sub);
      }
    } else if (hasOperators(v)) {
      for (const [op, arg] of Object.entries(v)) {
        if ((op === '$in' || op === '$nin' || op === '$all') && !Array.isArray(arg))
          throw new CommandError(Codes.BadValue, `${op} needs an array`);
        if (op === '$not' && hasOperators(arg)) validateFilter({ [k]: arg });
        if (op === '$elemMatch' && !isPlainObject(arg)) throw new CommandError(Codes.BadValue, '$elemMatch needs an Object');
      }
    }
  }
}

export interface ScanOptions {
  /** Absolute time (ms since epoch) after which the scan fails with MaxTimeMSExpired. */
  deadline?: number;
  /** Stop after this many matches (only when the caller does not sort). */
  stopAfter?: number;
  stats?: PlanStats;
  /** Shares compiled filters between the statements of one command. */
  memo?: FilterMemo;
  /** The command's evaluated `let` variables, read by `$expr`. */
  variables?: Doc;
  /** The statement's collation (null or absent: simple, binary). */
  collation?: Collation | null;
}

/** Throws MaxTimeMSExpired when the deadline has passed. */
export function checkDeadline(deadline: number | undefined): void {
  if (deadline !== undefined && Date.now() > deadline) {
    throw new CommandError(Codes.MaxTimeMSExpired, 'operation exceeded time limit');
  }
}

/** Every stored document matching `filter`, via an index when one applies. */
export function scan(coll: Collection, filter: Doc | undefined, opts: ScanOptions = {}): Row[] {
  const f = filter ?? {};
  if ((opts.stopAfter ?? Infinity) <= 0) return [];
  return runPlan(coll, f, planFor(coll, f, !!opts.collation), opts);
}

/**
 * The first `want` matches of `filter` in `sort` order, read in the order of an index that gives
 * it, as MongoDB's planner does when an index provides the sort (no SORT stage): the plan's index
 * pins its leading fields to one value each (a single bound, no range), and the sort names the
 * index's next fields, ascending (the B+tree keeps every field ascending), none of which has ever
 * held an array in this index (each document then has exactly one key under the prefix, and key
 * order is sort order: missing sorts as null, as in the key). Ties keep index order, as the
 * general path's stable sort of an index scan does. Null when no index gives the order: the
 * caller then sorts every match. A page of 100 of 10,000 matches reads 100 of them, not all.
 */
export function scanInSortOrder(
  coll: Collection,
  filter: Doc,
  sort: Array<[string[], number]>,
  want: number,
  opts: ScanOptions = {},
): Row[] | null {
  if (want <= 0 || sort.length === 0 || opts.collation) return null;
  const plan = planFor(coll, filter, false);
  if (!plan || plan.parts.length !== 1) return null;
  const { index, bounds, eqCount, ranged } = plan.parts[0];
  if (bounds.length !== 1) return null;
  // A sorted field the bound pins to one value orders nothing (MongoDB's planner drops it too), so
  // `{segmentId: 'a', customerId: {$gt: 'c1'}}` by segmentId, customerId reads in index order. Not
  // a field that has held an array: an array sorts by its smallest element, not the pinned one.
  const pinned = new Set(index.fields.slice(0, eqCount).filter((f) => !index.multikeyFields.has(f)));
  sort = sort.filter(([parts]) => !pinned.has(parts.join('.')));
  // A range on the first sorted field keeps the index order (one bound: one stretch of the tree);
  // a range on a field the sort does not start with does not (the loop below refuses it).
  if (eqCount + sort.length > index.fields.length) return null;
  if (ranged && sort.length && sort[0][0].join('.') !== index.fields[eqCount]) return null;
  for (let i = 0; i < sort.length; i++) {
    const [parts, direction] = sort[i];
    const field = index.fields[eqCount + i];
    if (direction !== 1 || parts.join('.') !== field || index.multikeyFields.has(field)) return null;
  }
  return runPlan(coll, filter, plan, { ...opts, stopAfter: want });
}

/**
 * How many stored documents match `filter`: the number of index entries in the plan's bounds when
 * the bounds alone prove a match (no residual filter; a document met twice, through several
 * bounds or array elements, counted once), without reading the documents, as MongoDB's COUNT_SCAN
 * does; otherwise the scan's matches.
 */
export function countMatches(coll: Collection, filter: Doc, opts: ScanOptions = {}): number {
  const plan = Object.keys(filter).length && !opts.collation && opts.stopAfter === undefined ? planFor(coll, filter, false) : null;
  if (!plan || plan.residual !== null) return scan(coll, filter, opts).length;
  validateFilter(filter);
  const stats = opts.stats ?? { indexName: null, keysExamined: 0, docsExamined: 0 };
  stats.indexName = [...new Set(plan.parts.map((p) => p.index.name))].join(',');
  const seen = mayRepeat(plan) ? new Set<number>() : null;
  let n = 0;
  for (const { index, bounds } of plan.parts)
    for (const [lo, hi] of bounds)
      for (const e of index.tree.range(lo, hi)) {
        stats.keysExamined++;
        if ((stats.keysExamined & 255) === 0) checkDeadline(opts.deadline);
        if (seen) {
          if (seen.has(e.rid)) continue;
          seen.add(e.rid);
        }
        n++;
      }
  return n;
}

/**
 * Whether a scan of `plan` can meet a document twice: through several index scans or bounds, or
 * within one bound through the keys of a field that has held an array, unless that field is
 * pinned to one value by the bound (a document's keys are distinct, so it has one key there).
 */
function mayRepeat(plan: Plan): boolean {
  if (plan.parts.length > 1 || plan.parts[0].bounds.length > 1) return true;
  const { index, eqCount } = plan.parts[0];
  if (!index.multikey) return false;
  for (let i = eqCount; i < index.fields.length; i++) if (index.multikeyFields.has(index.fields[i])) return true;
  return false;
}

/** The matches of `f` through `plan` (a collection scan without one), in scan order. */
function runPlan(coll: Collection, f: Doc, plan: Plan | null, opts: ScanOptions): Row[] {
  const stats = opts.stats ?? { indexName: null, keysExamined: 0, docsExamined: 0 };
  const out: Row[] = [];
  const stopAfter = opts.stopAfter ?? Infinity;
  // Parse errors anywhere in the filter are reported even when the index proves part of it.
  if (plan && plan.residual !== f) validateFilter(f);
  const residual = plan ? plan.residual : f;
  const match = residual ? compileFilter(residual, opts.memo, opts.variables, opts.collation) : null;
  let n = 0;
  if (plan) {
    stats.indexName = [...new Set(plan.parts.map((p) => p.index.name))].join(',');
    const seen = mayRepeat(plan) ? new Set<number>() : null;
    for (const { index, bounds } of plan.parts)
      for (const [lo, hi] of bounds) {
        for (const e of index.tree.range(lo, hi)) {
          stats.keysExamined++;
          if ((++n & 255) === 0) checkDeadline(opts.deadline);
          if (seen) {
            if (seen.has(e.rid)) continue;
            seen.add(e.rid);
          }
          const doc = coll.docs.get(e.rid);
          if (!doc) continue;
          stats.docsExamined++;
          if (match && !match(doc)) continue;
          out.push({ rid: e.rid, doc });
          if (out.length >= stopAfter) return out;
        }
      }
    return out;
  }
  stats.indexName = null;
  for (const [rid, doc] of coll.docs) {
    if ((++n & 255) === 0) checkDeadline(opts.deadline);
    stats.docsExamined++;
    if (match && !match(doc)) continue;
    out.push({ rid, doc });
    if (out.length >= stopAfter) return out;
  }
  return out;
}

/** Sort key of one field: arrays sort by their smallest (ascending) or largest (descending) element. */
function sortValue(doc: Doc, parts: string[], dir: number, compare: (a: unknown, b: unknown) => number): unknown {
  const { values } = pathValues(doc, parts);
  if (values.length === 0) return null;
  let best: unknown = undefined;
  let first = true;
  for (const v of values) {
    const els = Array.isArray(v) ? (v.length ? v : [undefined]) : [v];
    for (const el of els) {
      if (first || (dir > 0 ? compare(el, best) < 0 : compare(el, best) > 0)) best = el;
      first = false;
    }
  }
  return best === undefined ? null : best;
}

/** Validates a sort spec and returns `[path parts, direction]` pairs. */
export function parseSort(sort: unknown): Array<[string[], number]> {
  if (sort === undefined || sort === null) return [];
  if (!isPlainObject(sort)) throw new CommandError(Codes.TypeMismatch, 'Expected field sort to be of type object');
  const out: Array<[string[], number]> = [];
  for (const [k, v] of Object.entries(sort)) {
    const n = typeof v === 'number' ? v : typeRank(v) === TypeRank.Number ? Number(v) : NaN;
    if (n === 1 || n === -1) out.push([k.split('.'), n]);
    else if (isPlainObject(v) && '$meta' in v) continue;
    else throw new CommandError(Codes.BadValue, `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
  }
  return out;
}

/** Sorts documents in MongoDB's order (stable, so ties keep their scan order); `compare` collates. */
export function sortDocs<T>(items: T[], sort: Array<[string[], number]>, get: (t: T) => Doc, compare = compareValues): T[] {
  if (sort.length === 0) return items;
  const keyed = items.map((item) => ({ item, keys: sort.map(([p, d]) => sortValue(get(item), p, d, compare)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const c = compare(a.keys[i], b.keys[i]);
      if (c !== 0) return c * sort[i][1];
    }
    return 0;
  });
  return keyed.map((k) => k.item);
}

/**
 * `$slice` and `$elemMatch` projections, done here because mingo differs from MongoDB on both:
 * `$slice` is neither an inclusion nor an exclusion (alone or beside exclusions every other field
 * is returned; beside inclusions the sliced field is included too), and `$elemMatch` (an
 * inclusion) takes any query on the elements, `{$gt: 2}` on scalars included. The rest of the
 * projection runs first; then slices cut and element matches pick from the stored document.
 */
function compileOperatorProjection(entries: Array<[string, unknown]>, filter: Doc | undefined, variables?: Doc): (doc: Doc) => Doc {
  const isOp = (v: unknown, op: string): boolean => isPlainObject(v) && op in v;
  const cuts = entries
    .filter(([, v]) => isOp(v, '$slice'))
    .map(([path, v]) => ({ key: path, path: path.split('.'), cut: sliceArgs(path, (v as Doc).$slice) }));
  const picks = entries
    .filter(([, v]) => isOp(v, '$elemMatch'))
    .map(([key, v]) => ({ key, match: elemMatcher(key, (v as Doc).$elemMatch) }));
  const rest = entries.filter(([, v]) => !isOp(v, '$slice') && !isOp(v, '$elemMatch'));
  const inclusion = picks.length > 0 || rest.some(([k, v]) => k !== '_id' && (isPlainObject(v) || k.endsWith('.$') || Boolean(v)));
  if (inclusion) for (const { key } of [...cuts, ...picks]) rest.push([key, 1]);
  const base = rest.length ? compileProjection(Object.fromEntries(rest), filter, variables) : null;
  return (doc) => {
    const out = base ? base(doc) : { ...doc };
    for (const { path, cut } of cuts) applySlice(out, path, 0, cut);
    for (const { key, match } of picks) {
      const found = Array.isArray(doc[key]) ? (doc[key] as unknown[]).find(match) : undefined;
      if (found === undefined) delete out[key];
      else out[key] = [found];
    }
    return out;
  };
}

/** Tests one array element against an `$elemMatch` projection condition. */
function elemMatcher(key: string, cond: unknown): (el: unknown) => boolean {
  if (key.includes('.')) throw new CommandError(Codes.BadValue, 'Cannot use $elemMatch projection on a nested field.');
  if (!isPlainObject(cond)) throw new CommandError(Codes.BadValue, 'elemMatch: Invalid argument, object required.');
  let q: Query;
  try {
    q = new Query({ v: { $elemMatch: cond } }, { scriptEnabled: false });
  } catch (e) {
    throw new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
  }
  return (el) => q.test({ v: [el] });
}

function sliceArgs(path: string, arg: unknown): (a: unknown[]) => unknown[] {
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (num(arg)) {
    const n = Math.trunc(arg);
    return (a) => (n >= 0 ? a.slice(0, n) : a.slice(Math.max(0, a.length + n)));
  }
  if (Array.isArray(arg) && arg.length === 2 && num(arg[0]) && num(arg[1])) {
    const skip = Math.trunc(arg[0]);
    const limit = Math.trunc(arg[1]);
    if (limit <= 0) throw new CommandError(Codes.BadValue, `Invalid $slice syntax: the limit of ${path} must be positive`);
    return (a) => {
      const from = skip >= 0 ? Math.min(skip, a.length) : Math.max(0, a.length + skip);
      return a.slice(from, from + limit);
    };
  }
  throw new CommandError(Codes.BadValue, `Invalid $slice syntax for ${path}: expected a number or [skip, limit]`);
}

/** Slices the array at `path` in place; through arrays of subdocuments as MongoDB does. */
function applySlice(node: unknown, path: string[], i: number, cut: (a: unknown[]) => unknown[]): void {
  if (Array.isArray(node)) {
    for (const el of node) applySlice(el, path, i, cut);
    return;
  }
  if (!isPlainObject(node) || !(path[i] in node)) return;
  const obj = node as Doc;
  if (i === path.length - 1) {
    if (Array.isArray(obj[path[i]])) obj[path[i]] = cut(obj[path[i]] as unknown[]);
    return;
  }
  // Copy on the way down: the projected document may share subdocuments with the stored one.
  const child = obj[path[i]];
  obj[path[i]] = Array.isArray(child)
    ? child.map((c) => (isPlainObject(c) ? { ...c } : c))
    : isPlainObject(child)
      ? { ...(child as Doc) }
      : child;
  applySlice(obj[path[i]], path, i + 1, cut);
}

/**
 * Applies a find-style projection. Simple top-level inclusion/exclusion is done here; anything
 * else (dotted paths, `$slice`, `$elemMatch`, positional `$`) goes through mingo. Included fields
 * keep the document's field order, as MongoDB returns them.
 */
export function compileProjection(projection: unknown, filter: Doc | undefined, variables?: Doc): ((doc: Doc) => Doc) | null {
  if (projection === undefined || projection === null) return null;
  if (!isPlainObject(projection)) throw new CommandError(Codes.TypeMismatch, 'Expected field projection to be of type object');
  const entries = Object.entries(projection);
  if (entries.length === 0) return null;
  if (entries.some(([, v]) => isPlainObject(v) && ('$slice' in v || '$elemMatch' in v))) {
    return compileOperatorProjection(entries, filter, variables);
  }
  const simple = entries.every(([k, v]) => !k.includes('.') && !k.includes('$') && (typeof v === 'number' || typeof v === 'boolean'));
  if (simple) {
    const includeId = !entries.some(([k, v]) => k === '_id' && !v);
    const inclusions = entries.filter(([k, v]) => k !== '_id' && v);
    const exclusions = entries.filter(([k, v]) => k !== '_id' && !v);
    if (inclusions.length && exclusions.length) {
      throw new CommandError(31254, `Cannot do exclusion on field ${exclusions[0][0]} in inclusion projection`);
    }
    if (inclusions.length || (entries.length === 1 && entries[0][0] === '_id' && entries[0][1])) {
      const want = new Set(inclusions.map(([k]) => k));
      return (doc) => {
        const out: Doc = {};
        for (const k of Object.keys(doc)) if ((k === '_id' && includeId) || want.has(k)) out[k] = doc[k];
        return out;
      };
    }
    const drop = new Set(exclusions.map(([k]) => k));
    if (!includeId) drop.add('_id');
    return (doc) => {
      const out: Doc = {};
      for (const k of Object.keys(doc)) if (!drop.has(k)) out[k] = doc[k];
      return out;
    };
  }
  const dotted = dottedInclusion(entries);
  if (dotted) return dotted;
  let q: Query;
  try {
    q = new Query(filter ?? {}, variables ? { scriptEnabled: false, variables } : { scriptEnabled: false });
  } catch (e) {
    throw new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
  }
  return (doc) => {
    let projected: Doc;
    try {
      projected = (q.find([doc], projection).next() as Doc | undefined) ?? {};
    } catch (e) {
      const undef = undefinedVariableError(e);
      if (undef) throw undef;
      throw new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
    }
    const out: Doc = {};
    for (const k of Object.keys(doc)) if (k in projected) out[k] = projected[k];
    for (const k of Object.keys(projected)) if (!(k in out)) out[k] = projected[k];
    return out;
  };
}

/** The fields an inclusion projection keeps: `true` for a whole field, a subtree for dotted paths below it. */
type InclusionTree = { [field: string]: true | InclusionTree };

/**
 * An inclusion projection of plain and dotted paths (`{customerId: 1, 'metadata.createdAt': 1}`),
 * without operators, positional `$` or a path that is a prefix of another (those keep the general
 * projector and its errors): compiled once into a tree and applied by walking the document, in
 * the document's field order, as MongoDB does. Below a dotted path, an embedded document keeps only
 * the named fields (and stays, empty, when it has none of them); an array keeps its documents so
 * projected and drops its other elements; any other value drops the field. Null when the
 * projection is not of that shape.
 */
function dottedInclusion(entries: Array<[string, unknown]>): ((doc: Doc) => Doc) | null {
  let includeId = true;
  const tree: InclusionTree = {};
  for (const [path, v] of entries) {
    if (!(typeof v === 'number' || typeof v === 'boolean')) return null;
    if (path === '_id') {
      includeId = Boolean(v);
      continue;
    }
    if (!v || path.includes('$') || path.startsWith('.') || path.endsWith('.') || path.includes('..')) return null;
    const parts = path.split('.');
    let node = tree;
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const existing = node[parts[i]];
      if (existing === true || (last && existing !== undefined)) return null; // a path collision: the general projector refuses it
      if (last) node[parts[i]] = true;
      else node = (node[parts[i]] as InclusionTree | undefined) ?? (node[parts[i]] = {});
    }
  }
  if (Object.keys(tree).length === 0) return null;
  if (includeId && tree._id === undefined) tree._id = true;
  return (doc) => projectTree(doc, tree);
}

function projectTree(doc: Doc, tree: InclusionTree): Doc {
  const out: Doc = {};
  for (const k of Object.keys(doc)) {
    const want = tree[k];
    if (want === undefined) continue;
    if (want === true) {
      out[k] = doc[k];
      continue;
    }
    const v = doc[k];
    if (Array.isArray(v)) out[k] = projectArray(v, want);
    else if (isPlainObject(v)) out[k] = projectTree(v, want);
  }
  return out;
}

function projectArray(values: unknown[], tree: InclusionTree): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(projectArray(v, tree));
    else if (isPlainObject(v)) out.push(projectTree(v, tree));
  }
  return out;
}
