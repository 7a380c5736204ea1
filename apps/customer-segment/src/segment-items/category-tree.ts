import { CategoryTreeNode } from '../clients/category.client';
import { LocalizedMap, narrowLocalized } from '../common/localization';

/** A node of a segment category tree as returned (segment §3.22). */
export interface SegmentTreeNode {
  id: string;
  parentId?: string;
  code: string;
  name: LocalizedMap;
  localizedDescription?: LocalizedMap;
  localizedSlug?: LocalizedMap;
  ecn?: readonly string[];
  validity?: { from?: string; to?: string };
  position?: number;
  published: boolean;
  isSegmentAssigned: boolean;
  subcategories?: SegmentTreeNode[];
}

/**
 * Segment §8.3/§8.4: keeps the assigned categories, their whole subtrees (flag true) and their
 * ancestors (flag false), in the category service's order; drops everything else. A category in
 * `assigned` that no tree contains is skipped; one that appears in several trees appears in each
 * (the category service returns every node once, so in practice once). Localized maps are
 * narrowed to `languages` (LOC-3).
 */
export function pruneTrees(roots: readonly CategoryTreeNode[], assigned: ReadonlySet<string>, languages: readonly string[] | null): SegmentTreeNode[] {
  const out: SegmentTreeNode[] = [];
  for (const root of roots) {
    const node = prune(root, false, assigned, languages, undefined);
    if (node) out.push(node);
  }
  return out;
}

function prune(n: CategoryTreeNode, inherited: boolean, assigned: ReadonlySet<string>, languages: readonly string[] | null, parentId: string | undefined): SegmentTreeNode | undefined {
  const flagged = inherited || assigned.has(n.id);
  const children: SegmentTreeNode[] = [];
  for (const c of n.subcategories) {
    const kept = prune(c, flagged, assigned, languages, n.id);
    if (kept) children.push(kept);
  }
  // keep(n) = assigned(n) or inherited(n) or some descendant is assigned (a kept child proves it).
  if (!flagged && children.length === 0) return undefined;
  const node: SegmentTreeNode = { id: n.id, code: n.code ?? '', name: narrowLocalized(n.localizedName, languages) ?? {}, published: n.published ?? true, isSegmentAssigned: flagged };
  const parent = n.parentId ?? parentId;
  if (parent !== undefined) node.parentId = parent;
  if (n.localizedDescription) node.localizedDescription = narrowLocalized(n.localizedDescription, languages);
  if (n.localizedSlug) node.localizedSlug = narrowLocalized(n.localizedSlug, languages);
  if (n.ecn) node.ecn = n.ecn;
  if (n.validity) node.validity = n.validity;
  if (n.position !== undefined) node.position = n.position;
  // Leaves leave `subcategories` out (segment §3.22 decision).
  if (children.length) node.subcategories = children;
  return order(node);
}

function order(n: SegmentTreeNode): SegmentTreeNode {
  const keys: Array<keyof SegmentTreeNode> = ['id', 'parentId', 'code', 'name', 'localizedDescription', 'localizedSlug', 'ecn', 'validity', 'position', 'published', 'isSegmentAssigned', 'subcategories'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (n[k] !== undefined) out[k] = n[k];
  return out as unknown as SegmentTreeNode;
}
