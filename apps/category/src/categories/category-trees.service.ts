import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ApiError,
  codedJsonAnswer,
  EncodableJson as Encodable,
  gzipJson,
  matchesIfNoneMatch,
  Outcome,
  TenantLanguages,
} from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { answerUnchanged, treeNotFound } from '../common/category.errors';
import { readRender, RenderContext } from '../common/list-request';
import { CategoriesRepository } from './categories.repository';
import { AssignmentPathsService } from './assignment-paths.service';
import { toLegacyNode, toTreeNode } from './category.mapper';
import { CATEGORY_ID_PATTERN, CategoryRecord } from './category.types';
import type { CategoryTreesQueryDto } from './dto/category-tree-query.dto';
import type { CategoryTreeNodeDto, LegacyTreeNodeDto } from './dto/category-tree.response.dto';
import type { VisibilityQueryDto } from './dto/category-query.dto';
import type { SearchCategoryTreesDto, SearchCategoryTreesQueryDto } from './dto/search-category-trees.dto';
import { buildTree, Hierarchy } from './hierarchy';
import { HierarchyCache } from './hierarchy.cache';
import { HierarchyLock } from './hierarchy-lock';
import { branchesJson } from './tree-branches';
import { forestGzip } from './tree-gzip';
import { forestBytes, selectionKey } from './tree-json';

/**
 * Tree reads (ops 4, 21–23) and the rebuild (op 24). Trees are derived from the authoritative
 * `parentId` links of a snapshot that is current as of the tenant's tree epoch (§6), pruned at
 * unpublished nodes in published-only mode (§3.3).
 */
@Injectable()
export class CategoryTreesService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly cache: HierarchyCache,
    private readonly lock: HierarchyLock,
    private readonly languages: TenantLanguages,
    private readonly paths: AssignmentPathsService,
  ) {}

  /**
   * Op 21: every visible tree, optionally only those containing one of `categoryIds`, as the JSON
   * text of the response: the forest of a snapshot is serialised once and reused (the hot
   * storefront read), so a warm read costs one epoch lookup and a buffer write. Gzip-coded when
   * the client accepts it, from the snapshot's compressed pieces.
   */
  async listJson(ctx: RequestContext, query: CategoryTreesQueryDto, acceptEncoding?: string | string[]): Promise<Outcome<Buffer>> {
    const forest = await this.forest(ctx.tenant, query.showUnpublished !== true, this.render(ctx), query.categoryIds);
    return codedJsonAnswer(forest, acceptEncoding);
  }

  /**
   * Op 22: trees containing any of the body's `categoryIds`; an empty list gives `[]` (§6.2).
   * Answered as JSON text from the snapshot's cached subtree texts, like op 21: this is what
   * customer-segment asks for on every storefront segment-tree read (its §8.2), with
   * `branchesOnly=true` (suite extension): only the branches that lead to the listed ids.
   */
  async searchJson(
    ctx: RequestContext,
    query: SearchCategoryTreesQueryDto,
    body: SearchCategoryTreesDto,
    acceptEncoding?: string | string[],
    ifNoneMatch?: string,
  ): Promise<Outcome<Buffer>> {
    if (body.categoryIds.length === 0) return codedJsonAnswer({ json: () => EMPTY_FOREST }, acceptEncoding);
    const publishedOnly = query.showUnpublished !== true;
    const render = this.render(ctx);
    if (query.branchesOnly === true) {
      const branches = await this.branches(ctx.tenant, publishedOnly, render, body.categoryIds);
      // The caller holds this very answer: a POST whose If-None-Match matches is a 412 (RFC 9110 §13.1.2).
      if (matchesIfNoneMatch(ifNoneMatch, branches.etag!)) throw answerUnchanged(branches.etag!);
      return codedJsonAnswer(branches, acceptEncoding);
    }
    return codedJsonAnswer(await this.forest(ctx.tenant, publishedOnly, render, body.categoryIds), acceptEncoding);
  }

  /** Op 23: the tree of one visible root. */
  one(ctx: RequestContext, id: string, query: VisibilityQueryDto): Promise<CategoryTreeNodeDto> {
    return this.tree(ctx.tenant, id, query.showUnpublished !== true, this.render(ctx));
  }

  /**
   * Op 24: recomputes the materialised ancestry of one tree from `parentId` (repairing what an
   * interrupted move or delete left behind), and the paths of its assignments, under the
   * hierarchy lock, then answers as op 23.
   * Level by level: O(depth) queries and one batched write, never one round trip per node.
   */
  async rebuild(ctx: RequestContext, id: string, query: VisibilityQueryDto): Promise<CategoryTreeNodeDto> {
    const publishedOnly = query.showUnpublished !== true;
    const render = this.render(ctx);
    const tenant = ctx.tenant;
    const root = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(tenant, id) : null;
    if (!root || root.parentId !== undefined || (publishedOnly && !root.published)) throw treeNotFound(id);
    await this.lock.run(tenant, async (lease) => {
      const fix: Array<{ id: string; ancestorIds: string[] }> = [];
      const correct = new Map<string, string[]>([[root._id, []]]);
      if (!sameList(root.ancestorIds, [])) fix.push({ id: root._id, ancestorIds: [] });
      let frontier = [root._id];
      while (frontier.length) {
        const children = await this.categories.findChildren(tenant, frontier, { _id: 1, parentId: 1, ancestorIds: 1, depth: 1 });
        const next: string[] = [];
        for (const c of children) {
          if (correct.has(c._id)) continue;
          const ancestry = [...correct.get(c.parentId!)!, c.parentId!];
          correct.set(c._id, ancestry);
          if (!sameList(c.ancestorIds, ancestry) || c.depth !== ancestry.length) fix.push({ id: c._id, ancestorIds: ancestry });
          next.push(c._id);
        }
        frontier = next;
      }
      // Nodes that still claim this root but are no longer below it (a move interrupted midway)
      // get the ancestry their own parentId chain gives them.
      const claimants = await this.categories.findDescendants(tenant, root._id, undefined, { _id: 1, parentId: 1 });
      for (const c of claimants) {
        if (correct.has(c._id)) continue;
        fix.push({ id: c._id, ancestorIds: await this.categories.chainByParent(tenant, c) });
      }
      await lease.confirm();
      await this.categories.setAncestry(tenant, fix);
      // The assignments of the tree follow the repaired ancestry (and the tree's marks go).
      const ancestry = new Map<string, readonly string[]>(correct);
      for (const f of fix) if (!ancestry.has(f.id)) ancestry.set(f.id, f.ancestorIds);
      await this.paths.repair(tenant, ancestry);
    });
    return this.tree(tenant, id, publishedOnly, render);
  }

  /** Op 4 (deprecated): the published tree of the first published root, legacy shape (§6.5). */
  async legacy(ctx: RequestContext): Promise<LegacyTreeNodeDto> {
    const h = await this.cache.snapshot(ctx.tenant);
    const root = h.roots.find((r) => r.published);
    if (!root) {
      throw new ApiError('resource_not_found', 'Error while getting category tree', {
        details: [{ type: 'not_found', message: 'No published root category found' }],
      });
    }
    const languages = this.languages.languagesOf(ctx.tenant);
    return buildTree(h, root, true, (r) => toLegacyNode(r, languages));
  }

  private async tree(tenant: string, id: string, publishedOnly: boolean, render: RenderContext): Promise<CategoryTreeNodeDto> {
    if (!CATEGORY_ID_PATTERN.test(id)) throw treeNotFound(id);
    const h = await this.cache.snapshot(tenant);
    const root = h.byId.get(id);
    if (!root || root.parentId !== undefined || (publishedOnly && !root.published)) throw treeNotFound(id);
    return buildTree(h, root, publishedOnly, (r) => toTreeNode(r, render));
  }

  /** The visible trees, or those holding one of `ids` (§6.1: in the returned tree), in both codings. */
  private async forest(tenant: string, publishedOnly: boolean, render: RenderContext, ids?: readonly string[]): Promise<Encodable> {
    const entry = await this.renderedForest(tenant, publishedOnly, render);
    const h = entry.hierarchy;
    const whole: Encodable = {
      json: () => (entry.json ??= forestBytes(h, entry.roots, publishedOnly, render)),
      gzip: () => (entry.gzip ??= forestGzip(h, entry.roots, publishedOnly, render, true)),
    };
    if (!ids) return whole;
    const roots = visibleRootsOf(h, ids, publishedOnly);
    const matching = entry.roots.filter((r) => roots.has(r._id));
    // The usual storefront case (one big tree): the whole forest's cached bytes.
    if (matching.length === entry.roots.length) return whole;
    return {
      json: () => forestBytes(h, matching, publishedOnly, render),
      gzip: () => forestGzip(h, matching, publishedOnly, render, false),
    };
  }

  /** Op 22 with `branchesOnly`: kept per snapshot and set of ids (customers of the same segments ask the same). */
  private async branches(tenant: string, publishedOnly: boolean, render: RenderContext, ids: readonly string[]): Promise<Encodable> {
    const entry = await this.renderedForest(tenant, publishedOnly, render);
    const key = [...new Set(ids)].sort().join('\u0000');
    let found = entry.branches.get(key);
    if (!found) {
      const json = Buffer.from(branchesJson(entry.hierarchy, ids, publishedOnly, render));
      let gzip: Buffer | undefined;
      // Its tag names this answer only: a new snapshot, another instance or a forgotten set gets another.
      found = { json: () => json, gzip: () => (gzip ??= gzipJson(json)), etag: `W/"${randomUUID()}"` };
      if (entry.branches.size >= MAX_BRANCH_SETS) entry.branches.delete(entry.branches.keys().next().value as string);
      entry.branches.set(key, found);
    }
    return found;
  }

  /**
   * The visible forest of the current snapshot, per visibility and language selection; its
   * object form and JSON text are produced on first use and kept with the snapshot.
   */
  private async renderedForest(tenant: string, publishedOnly: boolean, render: RenderContext): Promise<RenderedForest> {
    const h = await this.cache.snapshot(tenant);
    let rendered = this.rendered.get(h);
    if (!rendered) this.rendered.set(h, (rendered = new Map()));
    const key = selectionKey(publishedOnly, render);
    let entry = rendered.get(key);
    if (!entry) {
      entry = { hierarchy: h, roots: h.roots.filter((r) => !publishedOnly || r.published), branches: new Map() };
      // Bounded: a handful of language selections per snapshot is the normal case.
      if (rendered.size < 16) rendered.set(key, entry);
    }
    return entry;
  }

  /** Forests rendered from a snapshot; they go away with the snapshot (no invalidation needed). */
  private readonly rendered = new WeakMap<Hierarchy, Map<string, RenderedForest>>();

  /** The LOC-3 rendering of this request. */
  private render(ctx: RequestContext): RenderContext {
    return readRender(ctx, this.languages.languagesOf(ctx.tenant));
  }
}

interface RenderedForest {
  hierarchy: Hierarchy;
  roots: CategoryRecord[];
  json?: Buffer;
  gzip?: Buffer;
  /** Op 22 `branchesOnly` answers by sorted id set, oldest first. */
  branches: Map<string, Encodable>;
}

/** `branchesOnly` answers kept per snapshot and selection. */
const MAX_BRANCH_SETS = 32;

const EMPTY_FOREST = Buffer.from('[]');

/**
 * The roots of the trees in which one of `ids` is visible: each id's `parentId` chain up to its
 * root, which in published-only mode must be published all the way (a category reachable only
 * through an unpublished one is not in the returned tree, §3.3). O(ids × depth), not a walk of
 * every tree.
 */
function visibleRootsOf(h: Hierarchy, ids: readonly string[], publishedOnly: boolean): Set<string> {
  const roots = new Set<string>();
  for (const id of new Set(ids)) {
    let node = h.byId.get(id);
    // The step bound only guards against a corrupted snapshot ever looping.
    for (let steps = 0; node && steps <= h.byId.size; steps++) {
      if (publishedOnly && !node.published) break;
      if (node.parentId === undefined) {
        roots.add(node._id);
        break;
      }
      node = h.byId.get(node.parentId);
    }
  }
  return roots;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return (a ?? []).length === b.length && b.every((x, i) => a![i] === x);
}
