import type { RenderContext } from '../common/list-request';
import type { CategoryRecord } from './category.types';
import type { Hierarchy } from './hierarchy';
import { Frame, partsOf, renderKey, subtreeJson, subtreeTextsOf } from './tree-json';

/**
 * Op 22 with `branchesOnly=true` (suite extension, README "Branches of the category trees"): the
 * visible trees that hold one of `ids`, each cut down to the branches that lead to them. A listed
 * category comes with its whole visible subtree; its ancestors come with only the children on
 * such a branch; everything else is left out. Byte for byte `JSON.stringify` of that pruned
 * forest, built from the snapshot's cached subtree texts (a listed category's subtree is one
 * cached string), iteratively (no recursion limit on deep trees).
 */
export function branchesJson(h: Hierarchy, ids: readonly string[], publishedOnly: boolean, render: RenderContext): string {
  const key = renderKey(render);
  const texts = subtreeTextsOf(h, publishedOnly, render);
  const listed = new Set<string>();
  const onBranch = new Set<string>();
  for (const id of new Set(ids)) {
    const chain = visibleChain(h, id, publishedOnly);
    if (!chain) continue;
    listed.add(id);
    for (const a of chain) onBranch.add(a._id);
  }
  const kept = (r: CategoryRecord) => listed.has(r._id) || onBranch.has(r._id);
  let out = '[';
  let written = 0;
  for (const root of h.roots) {
    if (!kept(root)) continue;
    out += (written++ ? ',' : '') + branchText(h, root, kept, (r) => (listed.has(r._id) ? subtree(r) : undefined), render, key);
  }
  return out + ']';

  function subtree(r: CategoryRecord): string {
    return subtreeJson(h, r, publishedOnly, render, key, texts);
  }
}

/** The text of `root` with only its `kept` children, where `whole` gives a kept node's complete text. */
function branchText(
  h: Hierarchy,
  root: CategoryRecord,
  kept: (r: CategoryRecord) => boolean,
  whole: (r: CategoryRecord) => string | undefined,
  render: RenderContext,
  key: string,
): string {
  const done = whole(root);
  if (done !== undefined) return done;
  const open = (record: CategoryRecord): Frame => ({
    record,
    children: h.childrenOf(record._id).filter(kept),
    next: 0,
    written: 0,
    text: partsOf(record, render, key)[0],
  });
  const stack: Frame[] = [open(root)];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      const text = whole(child);
      if (text !== undefined) top.text += (top.written++ ? ',' : '') + text;
      else stack.push(open(child));
      continue;
    }
    stack.pop();
    const text = top.text + partsOf(top.record, render, key)[1];
    if (stack.length === 0) return text;
    const parent = stack[stack.length - 1];
    parent.text += (parent.written++ ? ',' : '') + text;
  }
}

/**
 * The ancestors of `id`, root first, when `id` is in a returned tree: its `parentId` chain reaches
 * a root and, in published-only mode, every node on it is published (§3.3). Undefined otherwise.
 * The step bound only guards against a corrupted snapshot ever looping.
 */
function visibleChain(h: Hierarchy, id: string, publishedOnly: boolean): CategoryRecord[] | undefined {
  const ancestors: CategoryRecord[] = [];
  let node = h.byId.get(id);
  for (let steps = 0; node && steps <= h.byId.size; steps++) {
    if (publishedOnly && !node.published) return undefined;
    if (node.parentId === undefined) return ancestors.reverse();
    node = h.byId.get(node.parentId);
    if (node) ancestors.push(node);
  }
  return undefined;
}
