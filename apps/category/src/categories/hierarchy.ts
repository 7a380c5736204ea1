import type { CategoryRecord } from './category.types';

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

/**
 * A tenant's (or a subtree's) categories indexed by the authoritative `parentId`, children in
 * sibling order. Trees are always derived from `parentId`, never from the materialised ancestry,
 * so a stale materialisation can never change what a tree read shows (§6).
 */
export class Hierarchy {
  readonly byId = new Map<string, CategoryRecord>();
  private readonly children = new Map<string, CategoryRecord[]>();
  /** Roots in sibling order: categories without parent, or whose parent is not in the set. */
  readonly roots: CategoryRecord[] = [];

  constructor(records: readonly CategoryRecord[]) {
    const sorted = [...records].sort(compareSiblings);
    for (const r of sorted) this.byId.set(r._id, r);
    for (const r of sorted) {
      if (r.parentId !== undefined && this.byId.has(r.parentId)) {
        let list = this.children.get(r.parentId);
        if (!list) this.children.set(r.parentId, (list = []));
        list.push(r);
      } else if (r.parentId === undefined) {
        this.roots.push(r);
      }
    }
  }

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
