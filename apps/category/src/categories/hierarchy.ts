import type { CategoryRecord } from './category.types';

/** Subtrees whose descendants a snapshot remembers (`visibleSubtree`). */
const MAX_REMEMBERED_SUBTREES = 64;

/** Sibling order (§3.6): position, then creation time, then id. */
export function compareSiblings(a: CategoryRecord, b: CategoryRecord): number {
  const pa = a.position ?? 0;
  const pb = b.position ?? 0;
  if (pa !== pb) return pa - pb;
  const ca = new Date(a.metadata.createdAt).getTime();
  const cb = new Date(b.metadata.createdAt).getTime();
  if (ca !== cb) return ca - cb;
  return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

/** Where `r` goes in a list in sibling order (binary search; the order is total). */
function insertionIndex(list: readonly CategoryRecord[], r: CategoryRecord): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSiblings(list[mid], r) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A tenant's (or a subtree's) categories indexed by the authoritative `parentId`, children in
 * sibling order. Trees are always derived from `parentId`, never from the materialised ancestry,
 * so a stale materialisation can never change what a tree read shows (§6).
 */
export class Hierarchy {
  readonly byId: Map<string, CategoryRecord>;
  /**
   * Children per `parentId`, in sibling order. Records whose parent is not in the set are kept
   * under that id too: unreachable (neither root nor anyone's visible child) until it appears.
   */
  private readonly children: Map<string, CategoryRecord[]>;
  /** Roots in sibling order: categories without parent. */
  readonly roots: CategoryRecord[];

  constructor(records: readonly CategoryRecord[]);
  constructor(
    records: readonly CategoryRecord[],
    from: { byId: Map<string, CategoryRecord>; children: Map<string, CategoryRecord[]>; roots: CategoryRecord[] },
  );
  constructor(
    records: readonly CategoryRecord[],
    from?: { byId: Map<string, CategoryRecord>; children: Map<string, CategoryRecord[]>; roots: CategoryRecord[] },
  ) {
    if (from) {
      this.byId = from.byId;
      this.children = from.children;
      this.roots = from.roots;
      return;
    }
    this.byId = new Map();
    this.children = new Map();
    this.roots = [];
    const sorted = [...records].sort(compareSiblings);
    for (const r of sorted) {
      this.byId.set(r._id, r);
      if (r.parentId === undefined) {
        this.roots.push(r);
      } else {
        let list = this.children.get(r.parentId);
        if (!list) this.children.set(r.parentId, (list = []));
        list.push(r);
      }
    }
  }

  /**
   * A new hierarchy equal to this one with `changed` records replaced or added and `removed` ids
   * gone (this one is left untouched: in-flight reads keep a consistent view). Costs a copy of
   * the id and children maps plus O(siblings) per change, instead of re-sorting everything.
   */
  withChanges(changed: readonly CategoryRecord[], removed: readonly string[]): Hierarchy {
    const byId = new Map(this.byId);
    const children = new Map(this.children);
    let roots = this.roots;
    const copied = new Set<string>();
    let rootsCopied = false;
    const listOf = (parentId: string | undefined): CategoryRecord[] => {
      if (parentId === undefined) {
        if (!rootsCopied) {
          roots = [...roots];
          rootsCopied = true;
        }
        return roots;
      }
      if (!copied.has(parentId)) {
        copied.add(parentId);
        children.set(parentId, [...(children.get(parentId) ?? [])]);
      }
      return children.get(parentId)!;
    };
    const detach = (id: string) => {
      const old = byId.get(id);
      if (!old) return;
      byId.delete(id);
      const list = listOf(old.parentId);
      const i = list.indexOf(old);
      if (i >= 0) list.splice(i, 1);
    };
    for (const id of removed) detach(id);
    for (const r of changed) {
      detach(r._id);
      byId.set(r._id, r);
      const list = listOf(r.parentId);
      list.splice(insertionIndex(list, r), 0, r);
    }
    for (const id of copied) if (children.get(id)!.length === 0) children.delete(id);
    const next = new Hierarchy([], { byId, children, roots });
    // Whose subtree may render differently now: the changed ids and every ancestor of their old
    // and new places (derived renderings of the base stay valid for everything else).
    const dirty = new Set<string>();
    const mark = (h: Hierarchy, id: string) => {
      dirty.add(id);
      for (const a of h.ancestorsOf(id)) dirty.add(a._id);
      const parentId = h.byId.get(id)?.parentId;
      if (parentId !== undefined) dirty.add(parentId);
    };
    for (const id of removed) mark(this, id);
    for (const r of changed) {
      mark(this, r._id);
      mark(next, r._id);
    }
    next.dirtySinceBase = dirty;
    return next;
  }

  /** Set on a hierarchy made by `withChanges`: the ids whose subtree may differ from the base's. */
  dirtySinceBase?: ReadonlySet<string>;

  get size(): number {
    return this.byId.size;
  }

  childrenOf(id: string): readonly CategoryRecord[] {
    return this.children.get(id) ?? [];
  }

  /**
   * Descendants of `id` breadth-first (§3.6: level by level, inside a level grouped by the
   * parent's order, then sibling order), down to `maxDepth` levels. With `publishedOnly`,
   * traversal stops at an unpublished node: it and its whole subtree are left out (§3.3).
   */
  descendants(id: string, publishedOnly: boolean, maxDepth = Number.POSITIVE_INFINITY): CategoryRecord[] {
    const out: CategoryRecord[] = [];
    let level: readonly CategoryRecord[] = [this.byId.get(id)!].filter(Boolean);
    const seen = new Set<string>([id]);
    for (let depth = 1; depth <= maxDepth && level.length; depth++) {
      const next: CategoryRecord[] = [];
      for (const parent of level) {
        for (const child of this.childrenOf(parent._id)) {
          if (seen.has(child._id)) continue; // defensive: a corrupted parentId loop never hangs a read
          seen.add(child._id);
          if (publishedOnly && !child.published) continue;
          out.push(child);
          next.push(child);
        }
      }
      level = next;
    }
    return out;
  }

  /**
   * The ids of the descendants of `id` that `descendants` gives, and whether those are all of its
   * descendants (none left out below an unpublished category). Remembered with the snapshot,
   * which never changes: a listing of a large subtree does not walk it on every request.
   */
  visibleSubtree(id: string, publishedOnly: boolean): { ids: readonly string[]; whole: boolean } {
    const key = `${publishedOnly ? '1' : '0'}${id}`;
    let found = this.subtrees.get(key);
    if (!found) {
      const visible = this.descendants(id, publishedOnly);
      const whole = !publishedOnly || this.descendants(id, false).length === visible.length;
      found = { ids: visible.map((d) => d._id), whole };
      if (this.subtrees.size >= MAX_REMEMBERED_SUBTREES) this.subtrees.delete(this.subtrees.keys().next().value as string);
      this.subtrees.set(key, found);
    }
    return found;
  }

  private readonly subtrees = new Map<string, { ids: readonly string[]; whole: boolean }>();

  /** Walks `parentId` upwards: the ancestors of `id`, root first (self excluded). */
  ancestorsOf(id: string): CategoryRecord[] {
    const chain: CategoryRecord[] = [];
    const seen = new Set<string>([id]);
    let cur = this.byId.get(id);
    while (cur?.parentId !== undefined) {
      const parent = this.byId.get(cur.parentId);
      if (!parent || seen.has(parent._id)) break;
      seen.add(parent._id);
      chain.unshift(parent);
      cur = parent;
    }
    return chain;
  }
}

/** A tree node builder: renders a node and attaches its (visible) children recursively. */
export function buildTree<N extends { subcategories: N[] }>(
  h: Hierarchy,
  root: CategoryRecord,
  publishedOnly: boolean,
  render: (r: CategoryRecord) => N,
): N {
  const top = render(root);
  const stack: Array<[CategoryRecord, N]> = [[root, top]];
  const seen = new Set<string>([root._id]);
  while (stack.length) {
    const [rec, node] = stack.pop()!;
    for (const child of h.childrenOf(rec._id)) {
      if (seen.has(child._id) || (publishedOnly && !child.published)) continue;
      seen.add(child._id);
      const n = render(child);
      node.subcategories.push(n);
      stack.push([child, n]);
    }
  }
  return top;
}
