import { LanguageSelection, LocalizedMap, filterLocalized } from '@suite/api-kit';
import { CategoryTreeNode } from '../clients/category.client';

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
export function pruneTrees(
  roots: readonly CategoryTreeNode[],
  assigned: ReadonlySet<string>,
  languages: LanguageSelection,
): SegmentTreeNode[] {
  const out: SegmentTreeNode[] = [];
  for (const root of roots) {
    const node = prune(root, false, assigned, languages, undefined);
    if (node) out.push(node);
  }
  return out;
}

function prune(
  n: CategoryTreeNode,
  inherited: boolean,
  assigned: ReadonlySet<string>,
  languages: LanguageSelection,
  parentId: string | undefined,
): SegmentTreeNode | undefined {
  const flagged = inherited || assigned.has(n.id);
  const children: SegmentTreeNode[] = [];
  for (const c of n.subcategories) {
    const kept = prune(c, flagged, assigned, languages, n.id);
    if (kept) children.push(kept);
  }
  // keep(n) = assigned(n) or inherited(n) or some descendant is assigned (a kept child proves it).
  if (!flagged && children.length === 0) return undefined;
  const parent = n.parentId ?? parentId;
  // Built in the documented key order (segment §3.22); leaves leave `subcategories` out (§3.22 decision).
  return {
    id: n.id,
    ...(parent !== undefined ? { parentId: parent } : {}),
    code: n.code ?? '',
    name: filterLocalized(n.localizedName, languages),
    ...(n.localizedDescription ? { localizedDescription: filterLocalized(n.localizedDescription, languages) } : {}),
    ...(n.localizedSlug ? { localizedSlug: filterLocalized(n.localizedSlug, languages) } : {}),
    ...(n.ecn ? { ecn: n.ecn } : {}),
    ...(n.validity ? { validity: n.validity } : {}),
    ...(n.position !== undefined ? { position: n.position } : {}),
    published: n.published ?? true,
    isSegmentAssigned: flagged,
    ...(children.length ? { subcategories: children } : {}),
  };
}
