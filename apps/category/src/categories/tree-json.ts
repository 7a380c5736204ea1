import { RenderContext, toTreeNode } from './category.mapper';
import type { CategoryRecord } from './category.types';
import type { Hierarchy } from './hierarchy';

/** A node's JSON around its `subcategories` array: `head` ends with `[`, `tail` starts with `]`. */
type Parts = readonly [head: string, tail: string];

const SPLIT = '"subcategories":[]';

/**
 * Per record object and rendering, the node's JSON without children. Snapshot records are
 * immutable and shared by successive snapshots of a tenant (an incremental update replaces only
 * the changed records), so a new snapshot re-renders only what changed; the entries go away
 * with the records.
 */
const partsCache = new WeakMap<CategoryRecord, Map<string, Parts>>();

/** The cache key of a rendering: Accept-Language selection and the tenant's languages. */
export function renderKey(render: RenderContext): string {
  return `${render.selection?.join(',') ?? '*'}|${render.tenantLanguages.join(',')}`;
}

function partsOf(r: CategoryRecord, render: RenderContext, key: string): Parts {
  let byKey = partsCache.get(r);
  if (!byKey) partsCache.set(r, (byKey = new Map()));
  let parts = byKey.get(key);
  if (!parts) {
    const json = JSON.stringify(toTreeNode(r, render));
    // The first occurrence is the property itself: any earlier string value has its quotes escaped.
    const at = json.indexOf(SPLIT);
    parts = [json.slice(0, at + SPLIT.length - 1), json.slice(at + SPLIT.length - 1)];
    if (byKey.size < 8) byKey.set(key, parts);
  }
  return parts;
}

/**
 * The JSON text of the trees under `roots`, byte for byte what `JSON.stringify` gives for the
 * `buildTree(..., toTreeNode)` forest (children in sibling order, pruned at unpublished nodes in
 * published-only mode, a node reached twice through a corrupted link shown once), built from
 * cached per-node fragments instead of re-rendering and re-serialising every node.
 */
export function forestJson(h: Hierarchy, roots: readonly CategoryRecord[], publishedOnly: boolean, render: RenderContext): string {
  const key = renderKey(render);
  const out: string[] = ['['];
  // Depth-first, children in order: a stack of pending work; a string is a closing tail.
  const stack: Array<CategoryRecord | string> = [];
  const seen = new Set<string>();
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  // Separators: after the first child of each open array, every further one needs a comma.
  const firstInArray: boolean[] = [true];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      firstInArray.pop();
      continue;
    }
    if (seen.has(item._id)) continue;
    seen.add(item._id);
    if (!firstInArray[firstInArray.length - 1]) out.push(',');
    firstInArray[firstInArray.length - 1] = false;
    const [head, tail] = partsOf(item, render, key);
    out.push(head);
    firstInArray.push(true);
    stack.push(tail);
    const children = h.childrenOf(item._id);
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (publishedOnly && !c.published) continue;
      stack.push(c);
    }
  }
  out.push(']');
  return out.join('');
}
