// An in-memory B+tree of index entries `(key, rid)`, ordered by key (BSON order) then record id.
// Entries are unique because the record id breaks ties, so non-unique indexes need no lists.
// Leaves are chained for range scans. Deletion does not rebalance: a leaf may become sparse or
// empty (scans skip it); that trades some memory after mass deletes for much simpler code.

import { canonicalKey, compareKeys, toNumber, typeRank, TypeRank } from './bson-order';

export interface Entry {
  readonly key: readonly unknown[];
  readonly rid: number;
}

const LEAF_MAX = 128;
const INNER_MAX = 128;

class Leaf {
  entries: Entry[] = [];
  next: Leaf | null = null;
}

class Inner {
  /** seps[i] is the smallest entry of children[i + 1]. */
  seps: Entry[] = [];
  children: Node[] = [];
}

type Node = Leaf | Inner;

function compareEntries(a: Entry, b: Entry): number {
  return compareKeys(a.key, b.key) || a.rid - b.rid;
}

/** Position of the first entry of `arr` (sorted) that is not below `entry`. */
function entryLowerBound(arr: readonly Entry[], entry: Entry): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(arr[mid], entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Position of the first entry of `arr` (sorted) whose key is at or (`strict`) after `key`. */
function keyLowerBound(arr: readonly Entry[], key: readonly unknown[], strict: boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(arr[mid].key, key);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A key bound of a range scan; `inclusive` says whether entries equal to `key` are inside. */
export interface Bound {
  key: readonly unknown[];
  inclusive: boolean;
}

/**
 * A single-field key as a JS Map key when it is a number or a string (also a `Long` or a
 * `Decimal128`, compared as numbers, and a symbol, compared as a string), else undefined.
 */
function primitiveKey(key: readonly unknown[]): number | string | undefined {
  if (key.length !== 1) return undefined;
  const v = key[0];
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return undefined;
  const r = typeRank(v);
  if (r === TypeRank.Number) return toNumber(v);
  if (r === TypeRank.String) return String(v);
  return undefined;
}

/**
 * An ObjectId's 12 bytes as 8 characters of 12 bits each, read from the four 24-bit words bson 7
 * keeps (its `id` getter allocates a buffer), else from its bytes.
 */
function objectIdChars(v: unknown): string {
  const o = v as { i0?: unknown; i1: number; i2: number; i3: number; id: Uint8Array };
  let w: number[];
  if (typeof o.i0 === 'number') w = [o.i0, o.i1, o.i2, o.i3];
  else {
    const b = o.id;
    w = [0, 3, 6, 9].map((i) => (b[i] << 16) | (b[i + 1] << 8) | b[i + 2]);
  }
  return String.fromCharCode(w[0] >>> 12, w[0] & 0xfff, w[1] >>> 12, w[1] & 0xfff, w[2] >>> 12, w[2] & 0xfff, w[3] >>> 12, w[3] & 0xfff);
}

/** One part of a composite hash key: equal exactly for values equal under compareValues. */
function hashPart(v: unknown): string {
  if (typeof v === 'string') return 's' + v;
  if (typeof v === 'number') return 'd' + String(v); // String(-0) is '0', as BSON compares them
  if (v !== null && typeof v === 'object' && typeRank(v) === TypeRank.ObjectId) return 'o' + objectIdChars(v);
  return canonicalKey(v);
}

/**
 * Any key as a string that is equal for equal keys (compareKeys === 0) and only for them. The
 * parts of a compound key are prefixed with their length, so no value can run into the next one
 * (all keys of one index have the same number of parts).
 */
function compositeKey(key: readonly unknown[]): string {
  if (key.length === 1) return hashPart(key[0]);
  let out = '';
  for (const part of key) {
    const c = hashPart(part);
    out += c.length + ':' + c;
  }
  return out;
}

/**
 * The record of each key of a unique index, by hash: a point lookup or a unique check is one
 * Map probe instead of a descent through the tree (a dozen or more dependent memory reads and
 * comparisons). It mirrors the tree's entries exactly. Numbers and strings are their own Map
 * keys (SameValueZero equates 0/-0 and NaN/NaN, as BSON comparison does); other keys are
 * canonical strings in a second map, so they can never meet a string value.
 */
class UniqueHash {
  private readonly prim = new Map<number | string, number>();
  private readonly other = new Map<string, number>();
  /** The string of the last key array seen: a unique check and the insert that follows share it. */
  private lastKey: readonly unknown[] | null = null;
  private lastString = '';

  private composite(key: readonly unknown[]): string {
    if (key !== this.lastKey) {
      this.lastString = compositeKey(key);
      this.lastKey = key;
    }
    return this.lastString;
  }

  get(key: readonly unknown[]): number | undefined {
    const p = primitiveKey(key);
    return p !== undefined ? this.prim.get(p) : this.other.get(this.composite(key));
  }

  set(key: readonly unknown[], rid: number): void {
    const p = primitiveKey(key);
    if (p !== undefined) this.prim.set(p, rid);
    else this.other.set(this.composite(key), rid);
  }

  delete(key: readonly unknown[], rid: number): void {
    const p = primitiveKey(key);
    if (p !== undefined) {
      if (this.prim.get(p) === rid) this.prim.delete(p);
    } else {
      const c = this.composite(key);
      if (this.other.get(c) === rid) this.other.delete(c);
    }
  }

  clear(): void {
    this.prim.clear();
    this.other.clear();
    this.lastKey = null;
  }
}

export class BTree {
  private root: Node = new Leaf();
  /** The leaf holding the largest entries (keys that only grow, such as ObjectIds, land here). */
  private last: Leaf = this.root as Leaf;
  private count = 0;
  /** For a unique index (at most one entry per key): the entries by key. */
  private readonly hash: UniqueHash | null;

  constructor(unique = false) {
    this.hash = unique ? new UniqueHash() : null;
  }

  get size(): number {
    return this.count;
  }

  insert(key: readonly unknown[], rid: number): void {
    this.hash?.set(key, rid);
    const entry: Entry = { key, rid };
    // An entry above every other one (increasing keys: ObjectIds, timestamps) goes to the end of
    // the last leaf without a descent, unless that leaf is full and must split.
    const tail = this.last.entries;
    if (tail.length > 0 && tail.length < LEAF_MAX && compareEntries(entry, tail[tail.length - 1]) > 0) {
      tail.push(entry);
      this.count++;
      return;
    }
    const split = this.insertInto(this.root, entry);
    if (split) {
      const root = new Inner();
      root.children = [this.root, split.node];
      root.seps = [split.sep];
      this.root = root;
    }
    this.count++;
  }

  private insertInto(node: Node, entry: Entry): { sep: Entry; node: Node } | null {
    if (node instanceof Leaf) {
      const arr = node.entries;
      arr.splice(entryLowerBound(arr, entry), 0, entry);
      if (arr.length <= LEAF_MAX) return null;
      const right = new Leaf();
      right.entries = arr.splice(arr.length >>> 1);
      right.next = node.next;
      node.next = right;
      if (this.last === node) this.last = right;
      return { sep: right.entries[0], node: right };
    }
    const i = this.childIndex(node, entry);
    const split = this.insertInto(node.children[i], entry);
    if (!split) return null;
    node.seps.splice(i, 0, split.sep);
    node.children.splice(i + 1, 0, split.node);
    if (node.children.length <= INNER_MAX) return null;
    const mid = node.seps.length >>> 1;
    const right = new Inner();
    const up = node.seps[mid];
    right.seps = node.seps.splice(mid + 1);
    node.seps.length = mid;
    right.children = node.children.splice(mid + 1);
    return { sep: up, node: right };
  }

  /** Index of the child whose range holds `entry`: the number of separators <= entry. */
  private childIndex(node: Inner, entry: Entry): number {
    const seps = node.seps;
    let lo = 0;
    let hi = seps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(seps[mid], entry) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  remove(key: readonly unknown[], rid: number): boolean {
    const entry: Entry = { key, rid };
    let node = this.root;
    while (node instanceof Inner) node = node.children[this.childIndex(node, entry)];
    const arr = node.entries;
    const lo = entryLowerBound(arr, entry);
    if (lo < arr.length && compareEntries(arr[lo], entry) === 0) {
      this.hash?.delete(key, rid);
      arr.splice(lo, 1);
      this.count--;
      return true;
    }
    return false;
  }

  /** Iterates entries with lo <= key <= hi (bounds optional, each inclusive or exclusive). */
  *range(lo: Bound | null, hi: Bound | null): Generator<Entry> {
    let leaf: Leaf | null;
    let pos: number;
    if (lo) {
      const strict = !lo.inclusive;
      let node = this.root;
      while (node instanceof Inner) node = node.children[keyLowerBound(node.seps, lo.key, strict)];
      leaf = node;
      pos = keyLowerBound(leaf.entries, lo.key, strict);
    } else {
      let node = this.root;
      while (node instanceof Inner) node = node.children[0];
      leaf = node;
      pos = 0;
    }
    // Where the range ends, found by one descent: the first entry above `hi` (at or above it when
    // exclusive), so the walk needs no key comparison per entry (a count over 10,000 index
    // entries spent most of its time comparing each one with the bound).
    let endLeaf: Leaf | null = null;
    let endPos = 0;
    if (lo && hi) {
      // An empty range (above its own end): the walk below would not meet its end.
      const c = compareKeys(lo.key, hi.key);
      if (c > 0 || (c === 0 && !(lo.inclusive && hi.inclusive))) return;
    }
    if (hi) {
      const strict = hi.inclusive;
      let node = this.root;
      while (node instanceof Inner) node = node.children[keyLowerBound(node.seps, hi.key, strict)];
      endLeaf = node;
      endPos = keyLowerBound(endLeaf.entries, hi.key, strict);
    }
    while (leaf) {
      const arr = leaf.entries;
      const stop = leaf === endLeaf ? endPos : arr.length;
      for (; pos < stop; pos++) yield arr[pos];
      if (leaf === endLeaf) return;
      leaf = leaf.next;
      pos = 0;
    }
  }

  /**
   * The first entry whose key equals `key` and whose rid differs from `exceptRid`, if any. A
   * plain descent and leaf walk (no generator, no bound objects): unique checks and point
   * lookups run it for every write and every point read.
   */
  findOther(key: readonly unknown[], exceptRid = -1): Entry | undefined {
    if (this.hash) {
      // A key above the largest one (an appended, increasing key) is nowhere: no hash probe.
      const tail = this.last.entries;
      if (tail.length > 0 && compareKeys(key, tail[tail.length - 1].key) > 0) return undefined;
      const rid = this.hash.get(key);
      return rid === undefined || rid === exceptRid ? undefined : { key, rid };
    }
    let node = this.root;
    while (node instanceof Inner) node = node.children[keyLowerBound(node.seps, key, false)];
    let leaf: Leaf | null = node;
    let pos = keyLowerBound(leaf.entries, key, false);
    while (leaf) {
      const arr = leaf.entries;
      for (; pos < arr.length; pos++) {
        const e = arr[pos];
        if (compareKeys(e.key, key) !== 0) return undefined;
        if (e.rid !== exceptRid) return e;
      }
      leaf = leaf.next;
      pos = 0;
    }
    return undefined;
  }

  clear(): void {
    this.hash?.clear();
    this.root = this.last = new Leaf();
    this.count = 0;
  }
}
