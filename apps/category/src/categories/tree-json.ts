import type { RenderContext } from '../common/list-request';
import { toTreeNode } from './category.mapper';
import type { CategoryRecord } from './category.types';
import type { Hierarchy } from './hierarchy';
import { inheritSnapshotCaches, SnapshotCaches } from './snapshot-caches';

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

/** The node's JSON around its children (`key` = `renderKey(render)`), rendered once per record object. */
export function partsOf(r: CategoryRecord, render: RenderContext, key: string): Parts {
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
 * Per snapshot and (visibility, rendering): the JSON text of each rendered subtree. Kept as V8
 * rope strings (built with `+`), so a parent's text shares its children's memory instead of
 * copying it; a snapshot derived from another inherits every entry outside its dirty set.
 */
const subtreeTexts = new SnapshotCaches<string>('clean');

/**
 * Per snapshot and (visibility, rendering): UTF-8 bytes of large "branching" subtrees (see
 * `bytesOf`), so a response after a small write re-encodes only the changed paths' small parts
 * and copies the rest, instead of encoding megabytes of text.
 */
const subtreeBytes = new SnapshotCaches<Buffer>('clean');

/** Subtrees with at least this much text are assembled from their children's bytes (tests pass a smaller one). */
export const BIG_SUBTREE = 32 * 1024;
/** Nesting limit of that assembly (deeper big subtrees are encoded whole). */
export const MAX_ASSEMBLY_DEPTH = 200;

/** The cached subtree texts of `h` for one selection (what `subtreeJson` takes as its cache). */
export function subtreeTextsOf(h: Hierarchy, publishedOnly: boolean, render: RenderContext): Map<string, string> {
  return subtreeTexts.of(h, selectionKey(publishedOnly, render));
}

/** The cache key of one (visibility, rendering) selection. */
export function selectionKey(publishedOnly: boolean, render: RenderContext): string {
  return `${publishedOnly}|${renderKey(render)}`;
}

/**
 * Hands the rendered subtrees of `base` (texts, bytes, compressed pieces) to `next` (made by
 * `base.withChanges`), except those of `next.dirtySinceBase`: a cold read after a small write
 * then renders only the changed paths.
 */
export function inheritTreeJson(base: Hierarchy, next: Hierarchy): void {
  inheritSnapshotCaches(base, next);
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * `forestJson` as UTF-8 bytes. Large subtrees whose children share the size (a node is never
 * cached when one child holds at least half of its text: a long chain would otherwise cost
 * quadratic memory) keep their bytes per snapshot; a derived snapshot inherits those outside its
 * dirty set, so after a small write only a few small pieces are encoded and the rest is copied.
 */
export function forestBytes(
  h: Hierarchy,
  roots: readonly CategoryRecord[],
  publishedOnly: boolean,
  render: RenderContext,
  bigSubtree = BIG_SUBTREE,
): Buffer {
  const key = renderKey(render);
  const selection = selectionKey(publishedOnly, render);
  const ctx: BytesContext = {
    h,
    publishedOnly,
    render,
    key,
    bigSubtree,
    strings: subtreeTexts.of(h, selection),
    bytes: subtreeBytes.of(h, selection),
  };
  const parts: Buffer[] = [OPEN];
  roots.forEach((root, i) => {
    if (i) parts.push(COMMA);
    parts.push(bytesOf(ctx, root, 0));
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

interface BytesContext {
  h: Hierarchy;
  publishedOnly: boolean;
  render: RenderContext;
  key: string;
  bigSubtree: number;
  strings: Map<string, string>;
  bytes: Map<string, Buffer>;
}

function bytesOf(ctx: BytesContext, node: CategoryRecord, depth: number): Buffer {
  const hit = ctx.bytes.get(node._id);
  if (hit) return hit;
  const text = subtreeJson(ctx.h, node, ctx.publishedOnly, ctx.render, ctx.key, ctx.strings);
  const children = ctx.h.childrenOf(node._id).filter((c) => !ctx.publishedOnly || c.published);
  if (text.length < ctx.bigSubtree || depth >= MAX_ASSEMBLY_DEPTH || children.length === 0) return Buffer.from(text);
  const childTexts = children.map((c) => subtreeJson(ctx.h, c, ctx.publishedOnly, ctx.render, ctx.key, ctx.strings));
  let largest = 0;
  for (const t of childTexts) if (t.length > largest) largest = t.length;
  if (largest * 2 >= text.length) return Buffer.from(text);
  const [head, tail] = partsOf(node, ctx.render, ctx.key);
  const parts: Buffer[] = [Buffer.from(head)];
  children.forEach((c, i) => {
    if (i) parts.push(COMMA);
    parts.push(bytesOf(ctx, c, depth + 1));
  });
  parts.push(Buffer.from(tail));
  const bytes = Buffer.concat(parts);
  ctx.bytes.set(node._id, bytes);
  return bytes;
}

/**
 * The JSON text of the trees under `roots`, byte for byte what `JSON.stringify` gives for the
 * `buildTree(..., toTreeNode)` forest (children in sibling order, pruned at unpublished nodes in
 * published-only mode), assembled from cached per-node fragments and cached subtrees instead of
 * re-rendering and re-serialising every node. Iterative: no recursion limit on deep trees.
 */
export function forestJson(h: Hierarchy, roots: readonly CategoryRecord[], publishedOnly: boolean, render: RenderContext): string {
  const key = renderKey(render);
  const cache = subtreeTexts.of(h, selectionKey(publishedOnly, render));
  let out = '[';
  for (let i = 0; i < roots.length; i++) out += (i ? ',' : '') + subtreeJson(h, roots[i], publishedOnly, render, key, cache);
  return out + ']';
}

/** A node being written by an iterative depth-first walk (also tree-branches.ts). */
export interface Frame {
  record: CategoryRecord;
  children: readonly CategoryRecord[];
  next: number;
  /** Children written so far (string tests like endsWith would flatten the rope). */
  written: number;
  text: string;
}

export function subtreeJson(
  h: Hierarchy,
  root: CategoryRecord,
  publishedOnly: boolean,
  render: RenderContext,
  key: string,
  cache: Map<string, string>,
): string {
  const hit = cache.get(root._id);
  if (hit !== undefined) return hit;
  const open = (record: CategoryRecord): Frame => ({
    record,
    children: h.childrenOf(record._id),
    next: 0,
    written: 0,
    text: partsOf(record, render, key)[0],
  });
  const stack: Frame[] = [open(root)];
  // A tree reached from a root cannot revisit a node (one parentId each, roots have none); the
  // set only guards against a corrupted snapshot ever looping.
  const seen = new Set<string>([root._id]);
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if ((publishedOnly && !child.published) || seen.has(child._id)) continue;
      seen.add(child._id);
      const cached = cache.get(child._id);
      if (cached !== undefined) top.text += (top.written++ ? ',' : '') + cached;
      else stack.push(open(child));
      continue;
    }
    stack.pop();
    const text = top.text + partsOf(top.record, render, key)[1];
    // Leaves (most nodes) are two cached parts anyway: not storing them keeps the map that a
    // derived snapshot copies small.
    if (top.children.length) cache.set(top.record._id, text);
    if (stack.length === 0) return text;
    const parent = stack[stack.length - 1];
    parent.text += (parent.written++ ? ',' : '') + text;
  }
}
