// One secondary (or `_id`) index: its spec as clients see it in `listIndexes`, key extraction with
// multikey/sparse/partial semantics, and the B+tree holding `(key, rid)` entries.

import { Query } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey, typeRank, TypeRank } from './bson-order';
import { BTree } from './btree';
import { Doc, isPlainObject, pathValues } from './paths';

/** The index document as stored and listed (`{ v, key, name, unique?, sparse?, ... }`). */
export interface IndexSpec {
  v: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

export class IndexDef {
  readonly fields: string[];
  private readonly parts: string[][];
  readonly tree: BTree;
  readonly unique: boolean;
  readonly sparse: boolean;
  private readonly partial: Query | null;
  /** True once any indexed document had an array on an indexed path. */
  multikey = false;
  /** The fields on which an indexed document had an array (their keys are not one per document). */
  readonly multikeyFields = new Set<string>();
  /** Every field a top-level name (no dots) and no partial filter: keys are read directly. */
  private readonly flat: boolean;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.parts = this.fields.map((f) => f.split('.'));
    this.unique = spec.unique === true || spec.name === '_id_';
    this.tree = new BTree(this.unique);
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : null;
    this.flat = this.partial === null && this.fields.every((f) => !f.includes('.'));
  }

  /** True when a change of the (dotted) `path` can change this index's keys or membership. */
  touches(path: string): boolean {
    if (this.partial) return true;
    for (const f of this.fields) {
      if (f === path || f.startsWith(path + '.') || path.startsWith(f + '.')) return true;
    }
    return false;
  }

  get name(): string {
    return this.spec.name;
  }

  get isPartialOrSparse(): boolean {
    return this.sparse || this.partial !== null;
  }

  /**
   * The index keys of a document, or null when the document is not in this index (sparse with
   * every field missing, or not matching the partial filter). Multikey paths yield one key per
   * array element; duplicates within one document are collapsed, as MongoDB does.
   */
  keysFor(doc: Doc): unknown[][] | null {
    if (this.flat) {
      // The common case, top-level scalar fields: one key, read without path walking.
      const key: unknown[] = new Array(this.fields.length);
      let present = false;
      let simple = true;
      for (let i = 0; i < this.fields.length; i++) {
        const v = Object.prototype.hasOwnProperty.call(doc, this.fields[i]) ? doc[this.fields[i]] : undefined;
        if (Array.isArray(v)) {
          simple = false;
          break;
        }
        if (v !== undefined) present = true;
        key[i] = v === undefined ? null : v;
      }
      if (simple) return this.sparse && !present ? null : [key];
    }
    if (this.partial && !this.partial.test(doc)) return null;
    const perField: unknown[][] = [];
    let present = false;
    let arrayFields = 0;
    for (let i = 0; i < this.parts.length; i++) {
      const { values, arrays } = pathValues(doc, this.parts[i]);
      if (values.length > 0) present = true;
      const expanded: unknown[] = [];
      let isArray = arrays;
      if (values.length === 0) expanded.push(null);
      for (const v of values) {
        if (Array.isArray(v)) {
          isArray = true;
          if (v.length === 0) expanded.push(undefined);
          else for (const el of v) expanded.push(el);
        } else expanded.push(v === undefined ? null : v);
      }
      if (isArray) {
        this.multikey = true;
        this.multikeyFields.add(this.fields[i]);
        if (expanded.length > 1) arrayFields++;
      }
      perField.push(expanded);
    }
    if (this.sparse && !present) return null;
    if (arrayFields > 1) {
      throw new CommandError(Codes.CannotIndexParallelArrays, `cannot index parallel arrays [${this.fields.join('] [')}]`);
    }
    if (perField.length === 1) {
      const vals = perField[0];
      if (vals.length === 1) return [[vals[0]]];
      return dedupe(vals.map((v) => [v]));
    }
    let keys: unknown[][] = [[]];
    for (const vals of perField) {
      const next: unknown[][] = [];
      for (const k of keys) for (const v of vals) next.push([...k, v]);
      keys = next;
    }
    return keys.length > 1 ? dedupe(keys) : keys;
  }

  /** The duplicate-key error for `key`, worded exactly as MongoDB words it. */
  duplicateError(ns: string, key: readonly unknown[]): CommandError {
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => (keyValue[f] = key[i] === undefined ? null : key[i]));
    const shown = this.fields.map((f, i) => `${f}: ${formatValue(key[i])}`).join(', ');
    return new CommandError(Codes.DuplicateKey, `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`, {
      keyPattern: { ...this.spec.key },
      keyValue,
    });
  }
}

function dedupe(keys: unknown[][]): unknown[][] {
  const seen = new Set<string>();
  const out: unknown[][] = [];
  for (const k of keys) {
    const s = k.map(canonicalKey).join('|');
    if (!seen.has(s)) {
      seen.add(s);
      out.push(k);
    }
  }
  return out;
}

/** Formats a value the way MongoDB's error messages show it (`"str"`, `ObjectId('..')`, ...). */
export function formatValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeRank(v)) {
    case TypeRank.String:
      return JSON.stringify(String(v));
    case TypeRank.Number:
    case TypeRank.Boolean:
      return String(v);
    case TypeRank.ObjectId:
      return `ObjectId('${String(v)}')`;
    case TypeRank.Date:
      return `new Date(${(v as Date).getTime()})`;
    case TypeRank.Array:
      return '[ ' + (v as unknown[]).map(formatValue).join(', ') + ' ]';
    default:
      if (isPlainObject(v)) {
        const entries = Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`);
        return entries.length ? '{ ' + entries.join(', ') + ' }' : '{}';
      }
      return String(v);
  }
}

/** Validates an index key pattern; only ascending/descending (and hashed, as ascending) keys. */
export function validateKeyPattern(key: unknown): asserts key is Record<string, unknown> {
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new CommandError(Codes.CannotCreateIndex, 'Index keys cannot be an empty field.');
  }
  for (const [f, dir] of Object.entries(key)) {
    if (f === '' || f.startsWith('$'))
      throw new CommandError(Codes.CannotCreateIndex, `Index key contains an illegal field name: field name starts with '$'.`);
    if (dir === 1 || dir === -1 || (typeof dir === 'number' && dir !== 0) || dir === 'hashed') continue;
    if (typeof dir === 'object' && dir !== null && typeRank(dir) === TypeRank.Number) continue;
    throw new CommandError(
      Codes.CannotCreateIndex,
      `Index type ${JSON.stringify(dir)} on field '${f}' is not supported by ` +
        `the embedded server (only ascending, descending and hashed indexes).`,
    );
  }
}
