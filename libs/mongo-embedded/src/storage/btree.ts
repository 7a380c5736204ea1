// An in-memory B+tree of index entries `(key, rid)`, ordered by key (BSON order) then record id.
// Entries are unique because the record id breaks ties, so non-unique indexes need no lists.
// Leaves are chained for range scans. Deletion does not rebalance: a leaf may become sparse or
// empty (scans skip it); that trades some memory after mass deletes for much simpler code.

import { compareKeys } from './bson-order';

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

export class BTree {
  private root: Node = new Leaf();
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(key: readonly unknown[], rid: number): void {
    const entry: Entry = { key, rid };
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
    while (leaf) {
      const arr = leaf.entries;
      for (; pos < arr.length; pos++) {
        const e = arr[pos];
        if (hi) {
          const c = compareKeys(e.key, hi.key);
          if (c > 0 || (c === 0 && !hi.inclusive)) return;
        }
        yield e;
      }
      leaf = leaf.next;
      pos = 0;
    }
  }

  /** The first entry whose key equals `key` and whose rid differs from `exceptRid`, if any. */
  findOther(key: readonly unknown[], exceptRid: number): Entry | undefined {
    for (const e of this.range({ key, inclusive: true }, { key, inclusive: true })) {
      if (e.rid !== exceptRid) return e;
    }
    return undefined;
  }

  clear(): void {
    this.root = new Leaf();
    this.count = 0;
  }
}
