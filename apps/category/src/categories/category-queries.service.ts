import { Injectable } from '@nestjs/common';
import { compileQ, compileSearchBody, MongoFilter, Outcome, Page, TenantLanguages } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { categoryNotFound } from '../common/category.errors';
import { ListContext, pageOf, readList, readRender, RenderContext } from '../common/list-request';
import { CategoriesRepository, Filter } from './categories.repository';
import { CATEGORY_DEFAULT_SORT, CATEGORY_FIELDS } from './category.fields';
import { toCategoryView } from './category.mapper';
import { CATEGORY_ID_PATTERN, CategoryRecord } from './category.types';
import type {
  CategoryListQueryDto,
  CategoryPageQueryDto,
  CategorySearchQueryDto,
  SubcategoriesQueryDto,
  VisibilityQueryDto,
} from './dto/category-query.dto';
import type { CategoryResponseDto } from './dto/category.response.dto';
import type { SearchCategoriesDto } from './dto/search-categories.dto';
import { Hierarchy } from './hierarchy';
import { HierarchyCache } from './hierarchy.cache';

/** no `compoundLogicalQuery` in this service. */
const Q_OPTIONS = { allowCompound: false } as const;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A `yyyy-MM-dd` filter day (validated) as the UTC instant at its start or end. */
function day(text: string, endOfDay: boolean): Date {
  return new Date(`${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
}

/**
 * Flat category reads: list (op 1), search (op 3), one category (op 5), parents (op 9) and
 * subcategories (op 10), each with the visibility rule of its family (§3.3).
 */
@Injectable()
export class CategoryQueriesService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly cache: HierarchyCache,
    private readonly languages: TenantLanguages,
  ) {}

  async list(ctx: RequestContext, query: CategoryListQueryDto): Promise<Outcome<CategoryResponseDto[]>> {
    const tenantLanguages = this.languages.languagesOf(ctx.tenant);
    const list = readList(ctx, tenantLanguages, query, CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT);
    const filters: Filter[] = this.flatFilters(query, list);
    if (query.code !== undefined) filters.push({ codeLower: query.code.toLowerCase() });
    if (query.ecn !== undefined) filters.push({ ecn: query.ecn });
    for (const field of ['localizedName', 'localizedDescription', 'localizedSlug'] as const) {
      const value = query[field];
      if (value === undefined) continue;
      // §5.1: whole-value, case-insensitive equality over the accepted languages.
      const langs = list.selection ?? tenantLanguages;
      filters.push({ $or: langs.map((l) => ({ [`${field}.${l}`]: { $regex: `^${escapeRegex(value)}$`, $options: 'i' } })) });
    }
    if (query.validityFrom !== undefined) filters.push({ 'validity.from': { $gte: day(query.validityFrom, false) } });
    if (query.validityTo !== undefined) filters.push({ 'validity.to': { $lte: day(query.validityTo, true) } });
    if (query.metadataModifiedAt !== undefined) filters.push({ 'metadata.modifiedAt': { $gte: day(query.metadataModifiedAt, false) } });
    const q = compileQ(query.q, CATEGORY_FIELDS, { languages: list.selection ?? tenantLanguages, tenantLanguages, ...Q_OPTIONS });
    return Outcome.page(await this.runFlat(ctx, list, filters, q));
  }

  async search(ctx: RequestContext, query: CategorySearchQueryDto, body: SearchCategoriesDto): Promise<Outcome<CategoryResponseDto[]>> {
    const tenantLanguages = this.languages.languagesOf(ctx.tenant);
    const list = readList(ctx, tenantLanguages, query, CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT);
    const q = compileSearchBody(body, CATEGORY_FIELDS, { languages: list.selection ?? tenantLanguages, tenantLanguages, ...Q_OPTIONS });
    return Outcome.page(await this.runFlat(ctx, list, this.flatFilters(query, list), q));
  }

  /** Op 5: unpublished is "not found" in published-only mode (§3.3). */
  async get(ctx: RequestContext, id: string, query: VisibilityQueryDto): Promise<CategoryResponseDto> {
    const render = readRender(ctx, this.languages.languagesOf(ctx.tenant));
    const record = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(ctx.tenant, id) : null;
    if (!record || (query.showUnpublished !== true && !record.published)) throw categoryNotFound(id);
    const [view] = await this.views(ctx.tenant, [record], render);
    return view;
  }

  /** Op 9: ancestors root first; unpublished ancestors left out one by one in published-only mode. */
  async parents(ctx: RequestContext, id: string, query: CategoryPageQueryDto): Promise<Outcome<CategoryResponseDto[]>> {
    const list = readList(ctx, this.languages.languagesOf(ctx.tenant), query, CATEGORY_FIELDS);
    const record = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(ctx.tenant, id) : null;
    if (!record || (list.publishedOnly && !record.published)) throw categoryNotFound(id, 'Error while getting category parents');
    const found = new Map((await this.categories.findByIds(ctx.tenant, record.ancestorIds)).map((r) => [r._id, r]));
    const ancestors = record.ancestorIds
      .map((a) => found.get(a))
      .filter((r): r is CategoryRecord => r !== undefined && (!list.publishedOnly || r.published));
    return Outcome.page(await this.pageIds(ctx, list, ancestors));
  }

  /** Op 10: descendants breadth-first down to `depth`, pruned at unpublished nodes in published-only mode. */
  async subcategories(ctx: RequestContext, id: string, query: SubcategoriesQueryDto): Promise<Outcome<CategoryResponseDto[]>> {
    const list = readList(ctx, this.languages.languagesOf(ctx.tenant), query, CATEGORY_FIELDS);
    const depth = query.depth ?? Number.POSITIVE_INFINITY;
    if (!CATEGORY_ID_PATTERN.test(id)) throw categoryNotFound(id, 'Error while getting category subcategories');
    const hierarchy = await this.cache.snapshot(ctx.tenant);
    const record = hierarchy.byId.get(id);
    if (!record || (list.publishedOnly && !record.published)) throw categoryNotFound(id, 'Error while getting category subcategories');
    return Outcome.page(await this.pageIds(ctx, list, hierarchy.descendants(id, list.publishedOnly, depth), hierarchy));
  }

  /**
   * Renders records; CLASSIFICATION ones get their computed `classificationMixins` from their
   * ancestors' own mixins (one extra query for all of them, §4.4).
   */
  async views(
    tenant: string,
    records: readonly CategoryRecord[],
    render: RenderContext,
    extra?: (r: CategoryRecord) => { supercategoriesIds?: string[] },
  ): Promise<CategoryResponseDto[]> {
    const classification = records.filter((r) => r.type === 'CLASSIFICATION');
    let byId = new Map<string, CategoryRecord>();
    if (classification.length) {
      const needed = new Set<string>();
      for (const r of classification) for (const a of r.ancestorIds ?? []) needed.add(a);
      byId = new Map((await this.categories.findByIds(tenant, [...needed])).map((r) => [r._id, r]));
    }
    return records.map((r) => {
      const chain =
        r.type === 'CLASSIFICATION'
          ? [...(r.ancestorIds ?? []).map((a) => byId.get(a)).filter((x): x is CategoryRecord => !!x), r]
          : undefined;
      return toCategoryView(r, render, { chain, ...(extra?.(r) ?? {}) });
    });
  }

  private flatFilters(query: { showRoots?: boolean }, list: ListContext): Filter[] {
    const filters: Filter[] = [];
    if (query.showRoots === true) filters.push({ parentId: { $exists: false } });
    // §3.3 flat lists: each category is judged by its own flag.
    if (list.publishedOnly) filters.push({ published: true });
    return filters;
  }

  private async runFlat(ctx: RequestContext, list: ListContext, filters: Filter[], q: MongoFilter): Promise<Page<CategoryResponseDto>> {
    const all = Object.keys(q).length ? [...filters, q] : filters;
    const filter = all.length === 0 ? {} : all.length === 1 ? all[0] : { $and: all };
    const page = await this.categories.page(ctx.tenant, {
      filter,
      sort: list.sort!,
      skip: list.paging.skip,
      limit: list.paging.limit,
      withTotal: ctx.wantsTotal,
    });
    return { items: await this.views(ctx.tenant, page.items, list), total: page.total };
  }

  /**
   * Pages an ordered list of visible categories: in its natural order (root first, breadth-first)
   * in memory, or with an explicit `sort` by the database over exactly those ids. `hierarchy`
   * (snapshot records carry no ancestry) supplies classification chains.
   */
  private async pageIds(
    ctx: RequestContext,
    list: ListContext,
    ordered: readonly CategoryRecord[],
    hierarchy?: Hierarchy,
  ): Promise<Page<CategoryResponseDto>> {
    const withTotal = ctx.wantsTotal;
    if (!list.sort) {
      const page = pageOf(ordered, list.paging, withTotal);
      if (hierarchy) {
        // Only classification categories need their chain (§4.4); the walk is skipped for the rest.
        const items = page.items.map((r) =>
          toCategoryView(r, list, r.type === 'CLASSIFICATION' ? { chain: [...hierarchy.ancestorsOf(r._id), r] } : {}),
        );
        return { items, total: page.total };
      }
      return { items: await this.views(ctx.tenant, page.items, list), total: page.total };
    }
    if (ordered.length === 0) return { items: [], total: withTotal ? 0 : undefined };
    const page = await this.categories.page(ctx.tenant, {
      filter: { _id: { $in: ordered.map((r) => r._id) } },
      sort: list.sort,
      skip: list.paging.skip,
      limit: list.paging.limit,
      withTotal,
    });
    return { items: await this.views(ctx.tenant, page.items, list), total: page.total };
  }
}
