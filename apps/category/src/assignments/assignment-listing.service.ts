import { Injectable } from '@nestjs/common';
import { Outcome, Page, TenantLanguages } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { AssignmentPathsService } from '../categories/assignment-paths.service';
import { CategoriesRepository } from '../categories/categories.repository';
import { CATEGORY_ID_PATTERN } from '../categories/category.types';
import { HierarchyCache } from '../categories/hierarchy.cache';
import { CustomerSegmentClient } from '../clients/customer-segment.client';
import { categoryNotFound } from '../common/category.errors';
import { ListContext, readList } from '../common/list-request';
import { ASSIGNMENT_DEFAULT_SORT, ASSIGNMENT_FIELDS } from './assignment.fields';
import { toAssignmentView } from './assignment.mapper';
import { PRODUCT, type AssignmentRecord } from './assignment.types';
import { AssignmentsRepository } from './assignments.repository';
import type { AssignmentListQueryDto } from './dto/assignment-query.dto';
import type { AssignmentResponseDto } from './dto/assignment.response.dto';

/** What a listing reads of each assignment: not its `categoryPath` (never shown; up to a tree's depth of ids). */
const ASSIGNMENT_VIEW_PROJECTION = { categoryPath: 0 } as const;

/** Which categories a listing covers: one query on the subtree's root, or an `$in` of category ids. */
type Scope = { subtreeOf: string } | { categoryIds: string[] };

/**
 * Op 11 in the normative order of §7.1. With `withSubcategories`, the categories below the path
 * category come from the tree snapshot (current as of the tree epoch, pruned at unpublished
 * categories in published-only mode); the assignments are then read by their `categoryPath`
 * (one indexed equality on the subtree's root) when that names exactly those categories, or by
 * an `$in` of the category ids otherwise (README "Assignments under a subtree").
 */
@Injectable()
export class AssignmentListingService {
  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly cache: HierarchyCache,
    private readonly paths: AssignmentPathsService,
    private readonly segments: CustomerSegmentClient,
    private readonly languages: TenantLanguages,
  ) {}

  /** How listings were answered (for tests and diagnostics). */
  readonly stats = { byPath: 0, byIds: 0 };

  async list(ctx: RequestContext, categoryId: string, query: AssignmentListQueryDto): Promise<Outcome<AssignmentResponseDto[]>> {
    const tenant = ctx.tenant;
    const tenantLanguages = this.languages.languagesOf(tenant);
    const list = readList(ctx, tenantLanguages, query, ASSIGNMENT_FIELDS);

    // 1–2: the path category and the candidate categories (the subtree's ids are copied only
    // when the listing needs them as an `$in`: thousands under a root).
    let candidates: () => string[];
    let subtree = false;
    if (query.withSubcategories === true) {
      const read = CATEGORY_ID_PATTERN.test(categoryId) ? await this.cache.read(tenant) : undefined;
      const h = read?.hierarchy;
      const record = h?.byId.get(categoryId);
      if (!h || !record || (list.publishedOnly && !record.published)) throw categoryNotFound(categoryId);
      const visible = h.visibleSubtree(categoryId, list.publishedOnly);
      candidates = () => [categoryId, ...visible.ids];
      // The paths name every category below, so they answer only when none is hidden, and only
      // while no hierarchy write is rewriting them (or left them half-rewritten).
      subtree = visible.ids.length > 0 && visible.whole && read!.pathsPending.length === 0;
    } else {
      const record = CATEGORY_ID_PATTERN.test(categoryId) ? await this.categories.findById(tenant, categoryId) : null;
      if (!record || (list.publishedOnly && !record.published)) throw categoryNotFound(categoryId);
      candidates = () => [categoryId];
    }
    // 3: segment entitlement, direct membership only (§9); any failure is a 503, never unfiltered.
    if (query.segmentsIds) {
      const entitled = await this.segments.categoryIdsOfSegments(ctx, query.segmentsIds);
      const allowed = candidates().filter((c) => entitled.has(c));
      if (allowed.length === 0) return Outcome.page({ items: [], total: ctx.wantsTotal ? 0 : undefined });
      candidates = () => allowed;
      subtree = false;
    }
    // 4–5: select, then count and page.
    let page: Page<AssignmentRecord> | undefined;
    if (subtree) {
      // Assignments written before paths existed would be missing: checked alongside, and then
      // the listing is answered by the ids (their paths are filled in meanwhile).
      const [byPath, complete] = await Promise.all([this.page(ctx, query, list, { subtreeOf: categoryId }), this.paths.complete(tenant)]);
      if (complete) page = byPath;
    }
    if (page) this.stats.byPath++;
    else {
      this.stats.byIds++;
      page = await this.page(ctx, query, list, { categoryIds: candidates() });
    }
    return Outcome.page({ items: page.items.map((a) => toAssignmentView(a, list.selection)), total: page.total });
  }

  private page(ctx: RequestContext, query: AssignmentListQueryDto, list: ListContext, scope: Scope): Promise<Page<AssignmentRecord>> {
    // One flat filter (every key distinct), not an `$and`: the category `$in` (thousands of ids
    // with subcategories) is then answered by the natural-key index bounds alone instead of being
    // re-tested against every candidate document.
    const filter: Record<string, unknown> =
      'subtreeOf' in scope
        ? { categoryPath: scope.subtreeOf, 'ref.type': PRODUCT }
        : { categoryId: scope.categoryIds.length === 1 ? scope.categoryIds[0] : { $in: scope.categoryIds }, 'ref.type': PRODUCT };
    const refId = query['ref.id'];
    const refName = query['ref.localizedName'];
    if (refId !== undefined) filter['ref.id'] = refId;
    if (refName !== undefined) {
      const langs = list.selection ?? list.tenantLanguages;
      filter.$or = langs.map((l) => ({
        [`ref.localizedName.${l}`]: { $regex: `^${refName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, $options: 'i' },
      }));
    }
    if (query.hideUnpublishedProducts === true) filter.published = { $ne: false };
    const sort = list.sort ?? ASSIGNMENT_DEFAULT_SORT;
    // Every filter here has a predicate (`ref.type` at least): counted by the `count` command.
    return this.assignments.pageCounted(ctx.tenant, {
      filter,
      sort,
      skip: list.paging.skip,
      limit: list.paging.limit,
      withTotal: ctx.wantsTotal,
      projection: ASSIGNMENT_VIEW_PROJECTION,
    });
  }
}
