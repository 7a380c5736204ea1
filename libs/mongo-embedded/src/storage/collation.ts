// Collations: MongoDB's locale-aware string comparison (ICU) for query matching, sorts, `$group`
// keys and `distinct`, built on ECMAScript's Intl.Collator (Node ships full ICU). A command's
// `collation` document is validated as MongoDB 7.0 parses it; `{locale: 'simple'}` (or none) is the
// plain binary comparison everything else in the server uses.
//
// mingo compares strings with `===`/`<`, so a collated command runs mingo with an operator context
// whose comparison operators compare strings through the collator: query `$eq`/`$ne`/`$in`/`$nin`/
// `$gt`/`$gte`/`$lt`/`$lte`/`$all` (and everything built on them: `$elemMatch`, `$not`, `$and`,
// `$or`, `$nor`), expression `$eq`/`$ne`/`$gt`/`$gte`/`$lt`/`$lte`/`$cmp`/`$in` (so `$expr` too),
// the `$min`/`$max`/`$addToSet` accumulators, and the `$sort` and `$group` stages. Operators whose
// values hold no string keep mingo's own implementation, so nothing changes for them. `$regex` is
// never collated, as in MongoDB. Operators that would still compare strings binarily are refused
// under a non-simple collation (`refuseUncollated`), never silently run. mingo's own `collation`
// option reaches only its `$sort` (strengths 1-3, no `backwards`/`maxVariable`, other types in
// mingo's order rather than BSON's), so `$sort` is replaced here as well.

import { Context } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey, compareValues, typeRank, TypeRank } from './bson-order';
import { formatValue } from './index-def';
import { Doc, isPlainObject, pathValues } from './paths';
import { typeName } from './validation';

// mingo's raw operator tables, Query and Aggregator. The package index merges its own operator
// context *over* any context passed in (`Context.from(CONTEXT, given)` keeps the first), so the
// collated operators can only replace mingo's through the unwrapped classes. These are subpath
// exports that TypeScript's node10 resolution cannot see, hence the typed requires.
type QueryOp = (selector: string, value: unknown, options: unknown) => (doc: Doc) => boolean;
type ExprOp = (obj: unknown, expr: unknown, options: unknown) => unknown;
type AccOp = (coll: unknown[], expr: unknown, options: unknown) => unknown;
interface LazyIterator {
  transform(fn: (items: unknown[]) => unknown): LazyIterator;
}
type PipelineOp = (coll: LazyIterator, expr: unknown, options: unknown) => LazyIterator;
export interface MingoQuery {
  test(doc: Doc): boolean;
}
export interface MingoAggregator {
  stream(coll: unknown[]): { next(): { done?: boolean; value?: unknown } };
}
/* eslint-disable @typescript-eslint/no-require-imports */
const queryOps = require('mingo/operators/query') as Record<string, QueryOp>;
const expressionOps = require('mingo/operators/expression') as Record<string, ExprOp>;
const accumulatorOps = require('mingo/operators/accumulator') as Record<string, AccOp>;
const pipelineOps = require('mingo/operators/pipeline') as Record<string, PipelineOp>;
const projectionOps = require('mingo/operators/projection') as Record<string, unknown>;
const windowOps = require('mingo/operators/window') as Record<string, unknown>;
const { Query: RawQuery } = require('mingo/query') as { Query: new (criteria: Doc, options: object) => MingoQuery };
const { Aggregator: RawAggregator } = require('mingo/aggregator') as {
  Aggregator: new (pipeline: Doc[], options: object) => MingoAggregator;
};
const { evalExpr } = require('mingo/core') as { evalExpr(obj: unknown, expr: unknown, options: unknown): unknown };
const { Lazy } = require('mingo/lazy') as { Lazy(source: unknown[]): unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

/** The ICU version MongoDB 7.0 ships; a collation naming another `version` is refused (161). */
const ICU_VERSION = '57.1';

const FIELDS = [
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
];
const ENUMS: Record<string, readonly string[]> = {
  caseFirst: ['upper', 'lower', 'off'],
  alternate: ['non-ignorable', 'shifted'],
  maxVariable: ['punct', 'space'],
};
const BOOLS = new Set(['caseLevel', 'numericOrdering', 'normalization', 'backwards']);

/** ICU collation keyword values whose BCP 47 spelling differs. */
const BCP47_TYPE: Record<string, string> = { phonebook: 'phonebk', traditional: 'trad', dictionary: 'dict', gb2312han: 'gb2312' };
const ICU_TYPE: Record<string, string> = Object.fromEntries(Object.entries(BCP47_TYPE).map(([k, v]) => [v, k]));
/**
 * Collation types MongoDB's ICU offers that Intl.Collator cannot use (ECMA-402 forbids `search`
 * and `standard`; newer ICU dropped `big5han` and `gb2312han`): such locales are refused with 115.
 */
const UNAVAILABLE_TYPES = new Set(['search', 'standard', 'big5han', 'gb2312han']);

/** ICU's "space" reordering group (what `maxVariable: 'space'` makes ignorable). */
const SPACES = /[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function reverseGraphemes(s: string): string {
  return Array.from(graphemes.segment(s), (g) => g.segment)
    .reverse()
    .join('');
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return x[i].codePointAt(0)! - y[i].codePointAt(0)!;
  }
  return x.length - y.length;
}

interface Settings {
  locale: string;
  tag: string;
  caseLevel: boolean;
  caseFirst: string;
  strength: number;
  numericOrdering: boolean;
  alternate: string;
  maxVariable: string;
  normalization: boolean;
  backwards: boolean;
}

/** A validated non-simple collation: a string comparator and the operators that use it. */
export class Collation {
  /** Identifies equal collations (for caches keyed by collation). */
  readonly key: string;
  readonly compareStrings: (a: string, b: string) => number;
  private ctx: Context | null = null;

  constructor(
    readonly settings: Settings,
    defaultBackwards: boolean,
  ) {
    this.key = JSON.stringify(settings);
    this.compareStrings = comparator(settings, defaultBackwards);
  }

  /** MongoDB's total order of BSON values, with strings (also inside arrays and documents) collated. */
  compare(a: unknown, b: unknown): number {
    const ra = typeRank(a);
    const rb = typeRank(b);
    if (ra !== rb) return ra - rb;
    if (ra === TypeRank.String) return this.compareStrings(String(a), String(b));
    if (ra === TypeRank.Array) {
      const xa = a as unknown[];
      const xb = b as unknown[];
      for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
        const c = this.compare(xa[i], xb[i]);
        if (c !== 0) return c;
      }
      return xa.length - xb.length;
    }
    if (ra === TypeRank.Object && isPlainObject(a) && isPlainObject(b)) {
      // Field names are never collated; values are.
      const ka = Object.keys(a).filter((k) => a[k] !== undefined);
      const kb = Object.keys(b).filter((k) => b[k] !== undefined);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c =
          typeRank(a[ka[i]]) - typeRank(b[kb[i]]) || (ka[i] < kb[i] ? -1 : ka[i] > kb[i] ? 1 : 0) || this.compare(a[ka[i]], b[kb[i]]);
        if (c !== 0) return c;
      }
      return ka.length - kb.length;
    }
    return compareValues(a, b);
  }

  /** mingo's operators with the collated comparisons in place of its own. */
  get context(): Context {
    if (!this.ctx) {
      this.ctx = Context.init({
        accumulator: { ...accumulatorOps, ...collatedAccumulators(this) },
        expression: { ...expressionOps, ...collatedExpressions(this) },
        pipeline: { ...pipelineOps, ...collatedStages(this) },
        projection: { ...projectionOps },
        query: { ...queryOps, ...collatedQueryOps(this) },
        window: { ...windowOps },
      } as never);
    }
    return this.ctx;
  }
}

/**
 * The string comparison for a collation, as a chain of Intl.Collator comparisons (each step only
 * decides when the previous ones found the strings equal). Intl.Collator has no strength 4/5,
 * `caseLevel` at strength 2, `backwards` or `maxVariable`, so those are composed: quaternary =
 * punctuation difference once the shifted comparison is equal, identical = NFD code points,
 * `backwards` = the secondary level compared on the strings with their graphemes reversed.
 */
function comparator(s: Settings, defaultBackwards: boolean): (a: string, b: string) => number {
  const shifted = s.alternate === 'shifted';
  const base: Intl.CollatorOptions = {
    usage: 'sort',
    numeric: s.numericOrdering,
    caseFirst: s.caseFirst === 'off' ? 'false' : (s.caseFirst as 'upper' | 'lower'),
    ignorePunctuation: shifted && s.maxVariable === 'punct',
  };
  const make = (sensitivity: Intl.CollatorOptions['sensitivity'], opts: Intl.CollatorOptions = base): Intl.Collator =>
    new Intl.Collator(s.tag, { ...opts, sensitivity });
  const stripSpaces = shifted && s.maxVariable === 'space';
  const prep = (x: string): string => {
    let out = s.normalization ? x.normalize('NFD') : x;
    if (stripSpaces) out = out.replace(SPACES, '');
    return out;
  };
  const steps: Array<(a: string, b: string) => number> = [];
  if (s.backwards !== defaultBackwards && s.strength >= 2) {
    const primary = make('base');
    const secondary = make('accent');
    steps.push(primary.compare, (a, b) => secondary.compare(reverseGraphemes(a), reverseGraphemes(b)));
  }
  if (s.strength === 1) steps.push(make(s.caseLevel ? 'case' : 'base').compare);
  else if (s.strength === 2) {
    steps.push(make('accent').compare);
    if (s.caseLevel) steps.push(make('case').compare);
  } else steps.push(make('variant').compare);
  const raw: Array<(a: string, b: string) => number> = [];
  if (s.strength >= 4 && shifted) raw.push(make('variant', { ...base, ignorePunctuation: false }).compare);
  if (s.strength === 5) raw.push((a, b) => compareCodePoints(a.normalize('NFD'), b.normalize('NFD')));
  return (a, b) => {
    if (a === b) return 0;
    const pa = prep(a);
    const pb = prep(b);
    for (const step of steps) {
      const c = step(pa, pb);
      if (c !== 0) return c;
    }
    for (const step of raw) {
      const c = step(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing, as MongoDB 7.0 does it: the IDL parser of the `collation` document (unknown fields
// 40415, missing `locale` 40414, wrong types 14, bad enum values 2, `strength` outside 0..5 51024),
// then ICU's check of the locale ID (2, with "Did you mean" when ICU would use another ID), then
// the option combinations (2).

const cache = new Map<string, Collation | null>();
const CACHE_MAX = 200;

/**
 * The collation a command asks for: null for none or `{locale: 'simple'}`, else the validated
 * collation. `field` names the argument in type errors (e.g. `find.collation`).
 */
export function parseCollation(raw: unknown, field: string): Collation | null {
  if (raw === undefined || raw === null) return null;
  if (!isPlainObject(raw)) {
    throw new CommandError(Codes.TypeMismatch, `BSON field '${field}' is the wrong type '${typeName(raw)}', expected type 'object'`);
  }
  const key = canonicalKey(raw);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const parsed = parseUncached(raw);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, parsed);
  return parsed;
}

function parseUncached(spec: Doc): Collation | null {
  for (const [k, v] of Object.entries(spec)) {
    if (!FIELDS.includes(k)) throw new CommandError(Codes.Location40415, `BSON field 'collation.${k}' is an unknown field.`);
    const wrong = (expected: string): CommandError =>
      new CommandError(Codes.TypeMismatch, `BSON field 'collation.${k}' is the wrong type '${typeName(v)}', expected ${expected}`);
    if (k === 'strength') {
      if (typeRank(v) !== TypeRank.Number || typeof v === 'boolean') throw wrong("types '[long, int, decimal, double]'");
      const n = Math.trunc(Number(v));
      if (!(n >= 0)) throw new CommandError(51024, `BSON field 'collation.strength' value must be >= 0, actual value '${n}'`);
      if (n > 5) throw new CommandError(51024, `BSON field 'collation.strength' value must be <= 5, actual value '${n}'`);
    } else if (BOOLS.has(k)) {
      if (typeof v !== 'boolean') throw wrong("type 'bool'");
    } else {
      if (typeof v !== 'string') throw wrong("type 'string'");
      if (ENUMS[k] && !ENUMS[k].includes(v))
        throw new CommandError(Codes.BadValue, `Enumeration value '${v}' for field 'collation.${k}' is not a valid value.`);
    }
  }
  if (spec.locale === undefined) throw new CommandError(40414, "BSON field 'collation.locale' is missing but a required field");
  const locale = spec.locale as string;
  if (locale.includes('\0'))
    throw new CommandError(Codes.BadValue, `Field 'locale' cannot contain null byte. Collation spec: ${formatValue(spec)}`);
  if (locale === 'simple') return null;
  const tag = localeTag(locale, spec);
  const defaults = new Intl.Collator(tag).resolvedOptions();
  const probe = new Intl.Collator(tag, { sensitivity: 'accent' });
  // Secondary differences read from the end (French accent order): "côte" sorts before "coté".
  const defaultBackwards = probe.compare('côte', 'coté') < 0;
  const strength = spec.strength === undefined ? 3 : Math.trunc(Number(spec.strength));
  if (strength < 1)
    throw new CommandError(Codes.BadValue, `Enumeration value '${strength}' for field 'collation.strength' is not a valid value.`);
  if (spec.version !== undefined && spec.version !== ICU_VERSION) {
    throw new CommandError(
      Codes.IncompatibleCollationVersion,
      `Requested collation version ${String(spec.version)} but the only available collator version was ${ICU_VERSION}. ` +
        `Requested collation spec: ${formatValue(spec)}`,
    );
  }
  const settings: Settings = {
    locale,
    tag,
    caseLevel: spec.caseLevel === true,
    caseFirst: (spec.caseFirst as string | undefined) ?? (defaults.caseFirst === 'false' ? 'off' : String(defaults.caseFirst)),
    strength,
    numericOrdering: (spec.numericOrdering as boolean | undefined) ?? defaults.numeric === true,
    alternate: (spec.alternate as string | undefined) ?? (defaults.ignorePunctuation ? 'shifted' : 'non-ignorable'),
    maxVariable: (spec.maxVariable as string | undefined) ?? 'punct',
    normalization: spec.normalization === true,
    backwards: (spec.backwards as boolean | undefined) ?? defaultBackwards,
  };
  if (settings.backwards && strength === 1) {
    throw new CommandError(Codes.BadValue, `'backwards' is invalid with 'strength' of 1 in: ${formatValue(spec)}`);
  }
  if (settings.caseFirst !== 'off' && !settings.caseLevel && strength <= 2) {
    throw new CommandError(
      Codes.BadValue,
      `'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: ${formatValue(spec)}`,
    );
  }
  return new Collation(settings, defaultBackwards);
}

/**
 * The BCP 47 tag for an ICU locale ID that ICU accepts as it is. ICU refuses (and MongoDB with it)
 * any ID it would have to canonicalize or fall back from; Intl.Collator resolves a tag the same way
 * over the same locale data, so the ID is valid when the resolved tag maps back to it exactly.
 */
function localeTag(locale: string, spec: Doc): string {
  if (locale === '') throw new CommandError(Codes.BadValue, `Field 'locale' cannot be the empty string in: ${formatValue(spec)}`);
  const tag = icuToBcp47(locale);
  let resolved: string | null = null;
  try {
    if (tag) resolved = new Intl.Collator(tag).resolvedOptions().locale;
  } catch {
    resolved = null;
  }
  const back = resolved ? bcp47ToIcu(resolved) : null;
  if (tag && back === locale) return tag;
  const type = /@collation=([a-z0-9]+)$/.exec(locale)?.[1];
  if (tag && type && UNAVAILABLE_TYPES.has(type) && back === locale.slice(0, locale.indexOf('@'))) {
    throw new CommandError(
      Codes.CommandNotSupported,
      `The embedded server does not support the collation locale '${locale}': ICU's '${type}' collation is not available to it.`,
    );
  }
  let msg = `Field 'locale' is invalid in: ${formatValue(spec)}`;
  // ICU falls back to its root locale for unknown languages (no suggestion); Intl to the default.
  let known = false;
  try {
    known = tag !== null && Intl.Collator.supportedLocalesOf([tag]).length > 0;
  } catch {
    known = false; // not even a well-formed tag
  }
  if (back && known) msg += `. Did you mean '${back}'?`;
  throw new CommandError(Codes.BadValue, msg);
}

function icuToBcp47(id: string): string | null {
  const [base, keywords, ...rest] = id.split('@');
  // ICU also reads `-` as a separator (and then asks for the `_` spelling: "Did you mean").
  if (rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(base)) return null;
  const parts = base.split(/[-_]/).filter((p) => p !== '');
  const posix = parts[parts.length - 1] === 'POSIX';
  if (posix) parts.pop();
  const ext: string[] = [];
  if (keywords !== undefined) {
    const m = /^collation=([a-z0-9]+)$/.exec(keywords);
    if (!m) return null;
    ext.push('co', BCP47_TYPE[m[1]] ?? m[1]);
  }
  if (posix) ext.push('va', 'posix');
  return [...parts, ...(ext.length ? ['u', ...ext] : [])].join('-');
}

function bcp47ToIcu(tag: string): string {
  const l = new Intl.Locale(tag);
  let id = [l.language, l.script, l.region].filter(Boolean).join('_');
  if (/-u(-[a-z0-9]+)*-va-posix/.test(tag)) id += '_POSIX';
  if (l.collation) id += `@collation=${ICU_TYPE[l.collation] ?? l.collation}`;
  return id;
}

/** The collation of a command (`body.collation`), validated; null when it is simple. */
export function collationOf(body: Doc, cmd: string): Collation | null {
  return parseCollation(body.collation, `${cmd}.collation`);
}

// ---------------------------------------------------------------------------------------------
// Collated operators.

/** True when a value holds a string, also inside arrays and documents (it then needs the collation). */
export function containsString(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return true;
  if (depth > 64) return false;
  if (Array.isArray(v)) return v.some((x) => containsString(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).some((x) => containsString(x, depth + 1));
  return typeRank(v) === TypeRank.String;
}

/**
 * Maps strings to one representative per collation class (the first one seen), so grouping by
 * `canonicalKey` of the mapped value groups collation-equal values together.
 */
export class CollationClasses {
  private readonly reps: string[] = [];

  constructor(private readonly c: Collation) {}

  string(s: string): string {
    let lo = 0;
    let hi = this.reps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = this.c.compareStrings(this.reps[mid], s);
      if (cmp === 0) return this.reps[mid];
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    this.reps.splice(lo, 0, s);
    return s;
  }

  value(v: unknown): unknown {
    if (typeof v === 'string') return this.string(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (isPlainObject(v)) {
      const out: Doc = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x);
      return out;
    }
    return v;
  }

  /** A hash key equal for collation-equal values. */
  key(v: unknown): string {
    return canonicalKey(this.value(v));
  }
}

function collatedQueryOps(c: Collation): Record<string, QueryOp> {
  /** MongoDB's equality on a path: any reached value, or any element of a reached array. */
  const equals =
    (selector: string, value: unknown) =>
    (doc: Doc): boolean => {
      for (const v of pathValues(doc, selector.split('.')).values) {
        if (c.compare(v, value) === 0) return true;
        if (Array.isArray(v) && v.some((el) => c.compare(el, value) === 0)) return true;
      }
      return false;
    };
  /** A range operator: same type bracket only, as MongoDB compares (`{$gt: 'a'}` never matches 5). */
  const range =
    (name: string, test: (cmp: number) => boolean): QueryOp =>
    (selector, value, options) => {
      if (!containsString(value)) return queryOps[name](selector, value, options);
      const rank = typeRank(value);
      return (doc) =>
        pathValues(doc, selector.split('.')).values.some((v) =>
          [v, ...(Array.isArray(v) ? v : [])].some((x) => typeRank(x) === rank && test(c.compare(x, value))),
        );
    };
  /** `$in` as MongoDB defines it: the string-free values (regexes, null...) keep mingo's `$in`. */
  const anyOf = (selector: string, values: unknown, options: unknown): ((doc: Doc) => boolean) | null => {
    if (!Array.isArray(values) || !values.some((v) => containsString(v))) return null;
    const rest = values.filter((v) => !containsString(v));
    const plain = rest.length ? queryOps.$in(selector, rest, options) : null;
    const eqs = values.filter((v) => containsString(v)).map((v) => equals(selector, v));
    return (doc) => (plain !== null && plain(doc)) || eqs.some((p) => p(doc));
  };
  return {
    $eq: (selector, value, options) => (containsString(value) ? equals(selector, value) : queryOps.$eq(selector, value, options)),
    $ne: (selector, value, options) => {
      if (!containsString(value)) return queryOps.$ne(selector, value, options);
      const eq = equals(selector, value);
      return (doc) => !eq(doc);
    },
    $in: (selector, values, options) => anyOf(selector, values, options) ?? queryOps.$in(selector, values, options),
    $nin: (selector, values, options) => {
      const any = anyOf(selector, values, options);
      if (!any) return queryOps.$nin(selector, values, options);
      return (doc) => !any(doc);
    },
    $gt: range('$gt', (x) => x > 0),
    $gte: range('$gte', (x) => x >= 0),
    $lt: range('$lt', (x) => x < 0),
    $lte: range('$lte', (x) => x <= 0),
    $all: (selector, values, options) => {
      if (!Array.isArray(values) || !values.some((v) => containsString(v) && !(isPlainObject(v) && '$elemMatch' in v))) {
        return queryOps.$all(selector, values, options);
      }
      // `{a: {$all: [x, y]}}` is `{$and: [{a: x}, {a: y}]}`.
      const parts = values.map((v) =>
        containsString(v) && !(isPlainObject(v) && '$elemMatch' in v) ? equals(selector, v) : queryOps.$all(selector, [v], options),
      );
      return (doc) => parts.every((p) => p(doc));
    },
  };
}

function collatedExpressions(c: Collation): Record<string, ExprOp> {
  const literal = (v: unknown): Doc => ({ $literal: v });
  const comparison =
    (name: string, result: (cmp: number) => unknown): ExprOp =>
    (obj, expr, options) => {
      if (!Array.isArray(expr) || expr.length !== 2) return expressionOps[name](obj, expr, options);
      const [a, b] = evalExpr(obj, expr, options) as unknown[];
      if (!containsString(a) && !containsString(b)) return expressionOps[name](obj, [literal(a), literal(b)], options);
      return result(c.compare(a ?? null, b ?? null));
    };
  return {
    $eq: comparison('$eq', (x) => x === 0),
    $ne: comparison('$ne', (x) => x !== 0),
    $gt: comparison('$gt', (x) => x > 0),
    $gte: comparison('$gte', (x) => x >= 0),
    $lt: comparison('$lt', (x) => x < 0),
    $lte: comparison('$lte', (x) => x <= 0),
    $cmp: comparison('$cmp', (x) => Math.sign(x)),
    $in: (obj, expr, options) => {
      if (!Array.isArray(expr) || expr.length !== 2) return expressionOps.$in(obj, expr, options);
      const [v, list] = evalExpr(obj, expr, options) as unknown[];
      if (!Array.isArray(list) || (!containsString(v) && !containsString(list)))
        return expressionOps.$in(obj, [literal(v), literal(list)], options);
      return list.some((x) => c.compare(v ?? null, x) === 0);
    },
    // The `$group` stage's key, mapped to one representative per collation class (see below).
    [GROUP_KEY]: (obj, expr, options) => {
      const { classes, key } = expr as { classes: CollationClasses; key: unknown };
      return classes.value(evalExpr(obj, key, options));
    },
  };
}

const GROUP_KEY = '$__embeddedCollatedGroupKey';

function collatedAccumulators(c: Collation): Record<string, AccOp> {
  const extreme =
    (name: string, sign: number): AccOp =>
    (coll, expr, options) => {
      const values = accumulatorOps.$push(coll, expr, options) as unknown[];
      if (!values.some((v) => containsString(v))) return accumulatorOps[name](values, null, options);
      let best: unknown = null;
      for (const v of values) if (v !== null && v !== undefined && (best === null || sign * c.compare(v, best) > 0)) best = v;
      return best;
    };
  return {
    $max: extreme('$max', 1),
    $min: extreme('$min', -1),
    $addToSet: (coll, expr, options) => {
      const values = accumulatorOps.$push(coll, expr, options) as unknown[];
      if (!values.some((v) => containsString(v))) return accumulatorOps.$addToSet(values, null, options);
      const classes = new CollationClasses(c);
      const seen = new Map<string, unknown>();
      for (const v of values) {
        const k = classes.key(v);
        if (!seen.has(k)) seen.set(k, v);
      }
      return [...seen.values()];
    },
  };
}

function collatedStages(c: Collation): Record<string, PipelineOp> {
  return {
    $sort: (coll, spec, options) => {
      const keys = isPlainObject(spec) ? Object.entries(spec) : [];
      if (keys.length === 0 || !keys.every(([, d]) => d === 1 || d === -1)) return pipelineOps.$sort(coll, spec, options);
      const order = keys.map(([k, d]): [string[], number] => [k.split('.'), d as number]);
      return coll.transform((items) =>
        Lazy(
          sortByKeys(
            items as Doc[],
            order,
            (d) => d,
            (a, b) => c.compare(a, b),
          ),
        ),
      );
    },
    // Documents whose keys are collation-equal form one group, keyed by the first key seen.
    $group: (coll, spec, options) => {
      if (!isPlainObject(spec) || !('_id' in spec)) return pipelineOps.$group(coll, spec, options);
      const classes = new CollationClasses(c);
      return pipelineOps.$group(coll, { ...spec, _id: { [GROUP_KEY]: { classes, key: spec._id } } }, options);
    },
  };
}

/** A sort key of one field: arrays sort by their smallest (ascending) or largest (descending) element. */
function sortKey(doc: Doc, parts: string[], dir: number, compare: (a: unknown, b: unknown) => number): unknown {
  let best: unknown = undefined;
  let first = true;
  for (const v of pathValues(doc, parts).values) {
    for (const el of Array.isArray(v) ? (v.length ? v : [undefined]) : [v]) {
      if (first || (dir > 0 ? compare(el, best) < 0 : compare(el, best) > 0)) best = el;
      first = false;
    }
  }
  return best === undefined ? null : best;
}

/** Sorts stably by `[path parts, direction]` keys in MongoDB's order under `compare`. */
function sortByKeys<T>(items: T[], keys: Array<[string[], number]>, get: (t: T) => Doc, compare: (a: unknown, b: unknown) => number): T[] {
  if (keys.length === 0) return items;
  const keyed = items.map((item) => ({ item, k: keys.map(([p, d]) => sortKey(get(item), p, d, compare)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = compare(a.k[i], b.k[i]);
      if (x !== 0) return x * keys[i][1];
    }
    return 0;
  });
  return keyed.map((e) => e.item);
}

/** A mingo query whose comparisons use the collation. */
export function collatedQuery(filter: Doc, c: Collation, variables?: Doc): MingoQuery {
  return new RawQuery(filter, { scriptEnabled: false, variables, context: c.context });
}

/** A mingo aggregation whose stages and expressions compare strings with the collation. */
export function collatedAggregator(pipeline: Doc[], c: Collation, options: Doc): MingoAggregator {
  return new RawAggregator(pipeline, { ...options, context: c.context });
}

/** The distinct values of `values` under the collation (first one of each class), in collation order. */
export function collatedDistinct(values: unknown[], c: Collation): unknown[] {
  const classes = new CollationClasses(c);
  const seen = new Map<string, unknown>();
  for (const v of values) {
    const k = classes.key(v);
    if (!seen.has(k)) seen.set(k, v);
  }
  return [...seen.values()].sort((a, b) => c.compare(a, b));
}

// ---------------------------------------------------------------------------------------------
// What stays uncollated, refused instead of silently comparing strings binarily.

/** Stages and operators that compare strings without going through the collated context. */
const UNCOLLATED = new Set([
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$setWindowFields',
  '$graphLookup',
  '$densify',
  '$fill',
  '$merge',
  '$indexOfArray',
  '$setEquals',
  '$setIntersection',
  '$setUnion',
  '$setDifference',
  '$setIsSubset',
  '$sortArray',
  '$minN',
  '$maxN',
  '$top',
  '$bottom',
  '$topN',
  '$bottomN',
]);

function unsupported(what: string): CommandError {
  return new CommandError(
    Codes.CommandNotSupported,
    `The embedded server does not support ${what} together with a non-simple collation (it would compare strings without the collation).`,
  );
}

/**
 * Refuses the stages and operators of `value` (a filter or pipeline) that the collated context does
 * not cover: they would compare strings binarily. `$lookup` is refused only in its
 * `localField`/`foreignField` form (its `pipeline` form runs through the collated operators).
 */
export function refuseUncollated(c: Collation | null, value: unknown, depth = 0): void {
  if (!c || depth > 100) return;
  if (Array.isArray(value)) {
    for (const v of value) refuseUncollated(c, v, depth + 1);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (UNCOLLATED.has(k)) throw unsupported(`'${k}'`);
    if (k === '$lookup' && isPlainObject(v) && v.localField !== undefined) throw unsupported("'$lookup' with localField/foreignField");
    refuseUncollated(c, v, depth + 1);
  }
}

/** Update operators mingo's updater applies with its own binary comparisons. */
const UNCOLLATED_UPDATES = ['$pull', '$pullAll', '$addToSet'];
/** Expression operators that compare values, which pipeline updates would evaluate binarily. */
const COMPARING = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$cmp', '$in', '$min', '$max', '$addToSet', '$group', '$sort', '$match'];

/**
 * Refuses the parts of an update statement that would ignore its collation: `$pull`/`$pullAll`/
 * `$addToSet`, positional `$` paths and `arrayFilters` (matched by the updater without it), and
 * pipeline updates that compare values.
 */
export function refuseUncollatedUpdate(c: Collation | null, u: unknown, arrayFilters: unknown): void {
  if (!c) return;
  if (arrayFilters !== undefined && arrayFilters !== null) throw unsupported("'arrayFilters'");
  if (Array.isArray(u)) {
    refuseUncollated(c, u);
    const walk = (v: unknown, depth: number): void => {
      if (depth > 100) return;
      if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
      else if (isPlainObject(v)) {
        for (const [k, x] of Object.entries(v)) {
          if (COMPARING.includes(k)) throw unsupported(`'${k}' in a pipeline update`);
          walk(x, depth + 1);
        }
      }
    };
    walk(u, 0);
    return;
  }
  if (!isPlainObject(u)) return;
  for (const [op, arg] of Object.entries(u)) {
    if (UNCOLLATED_UPDATES.includes(op)) throw unsupported(`the update operator '${op}'`);
    if (op.startsWith('$') && isPlainObject(arg)) {
      for (const path of Object.keys(arg)) {
        if (path.split('.').includes('$')) throw unsupported(`the positional '$' update path '${path}'`);
      }
    }
  }
}

/** Refuses projections that match array elements (positional `$`, `$elemMatch`) under a collation. */
export function refuseUncollatedProjection(c: Collation | null, projection: unknown): void {
  if (!c || !isPlainObject(projection)) return;
  for (const [k, v] of Object.entries(projection)) {
    if (k.split('.').includes('$')) throw unsupported(`the positional '$' projection '${k}'`);
    if (isPlainObject(v) && '$elemMatch' in v) throw unsupported("the '$elemMatch' projection");
  }
}
