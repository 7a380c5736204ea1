import { Injectable } from '@nestjs/common';
import { compileQ, compileSearchBody, MongoFilter } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { categoryNotFound } from '../shared/category.errors';
import { TenantLanguages } from '../shared/languages';
import { QueryReader } from '../shared/query-params';
import { ListContext, pageOf, PageResult, readListContext } from '../shared/read-context';
import type { RequestMeta } from '../shared/request-meta';
import { CategoriesRepository, Filter } from './categories.repository';
import { CATEGORY_ID_PATTERN } from './category-input';
import { CATEGORY_DEFAULT_SORT, CATEGORY_FIELDS } from './category.fields';
import { CategoryView, RenderContext, toCategoryView } from './category.mapper';
import type { CategoryRecord } from './category.types';
import { Hierarchy } from './hierarchy';
import { HierarchyCache } from './hierarchy.cache';

/** no `compoundLogicalQuery` in this service. */
const Q_OPTIONS = { allowCompound: false } as const;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

  async list(auth: AuthContext, meta: RequestMeta, query: Record<string, unknown>): Promise<PageResult<CategoryView>> {
    const reader = new QueryReader(query);
    const tenantLanguages = this.languages.of(auth.tenant);
    const ctx = readListContext(reader, meta.acceptLanguage, tenantLanguages, CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT);
    const filters: Filter[] = this.flatFilters(reader, ctx);
    const code = reader.raw('code');
    if (code !== undefined) filters.push({ codeLower: code.toLowerCase() });
    const ecn = reader.raw('ecn');
    if (ecn !== undefined) filters.push({ ecn });
    for (const field of ['localizedName', 'localizedDescription', 'localizedSlug']) {
      const value = reader.raw(field);
      if (value === undefined) continue;
      // §5.1: whole-value, case-insensitive equality over the accepted languages.
      const langs = ctx.selection ?? tenantLanguages;
      filters.push({ $or: langs.map((l) => ({ [`${field}.${l}`]: { $regex: `^${escapeRegex(value)}$`, $options: 'i' } })) });
    }
    const from = reader.date('validityFrom', false);
    if (from) filters.push({ 'validity.from': { $gte: from } });
    const to = reader.date('validityTo', true);
    if (to) filters.push({ 'validity.to': { $lte: to } });
    const modified = reader.date('metadataModifiedAt', false);
    if (modified) filters.push({ 'metadata.modifiedAt': { $gte: modified } });
    let q: MongoFilter = {};
    try {
      q = compileQ(reader.raw('q'), CATEGORY_FIELDS, { languages: ctx.selection ?? tenantLanguages, tenantLanguages, ...Q_OPTIONS });
    } catch (e) {
      reader.done();
      throw e;
    }
    reader.done();
    return this.runFlat(auth.tenant, ctx, filters, q, meta.wantsTotal);
  }

  async search(auth: AuthContext, meta: RequestMeta, query: Record<string, unknown>, body: unknown): Promise<PageResult<CategoryView>> {
    const reader = new QueryReader(query);
    const tenantLanguages = this.languages.of(auth.tenant);
    const ctx = readListContext(reader, meta.acceptLanguage, tenantLanguages, CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT);
    const filters = this.flatFilters(reader, ctx);
    reader.done();
    const q = compileSearchBody(body, CATEGORY_FIELDS, { languages: ctx.selection ?? tenantLanguages, tenantLanguages, ...Q_OPTIONS });
    return this.runFlat(auth.tenant, ctx, filters, q, meta.wantsTotal);
  }

  /** Op 5: unpublished is "not found" in published-only mode (§3.3). */
  async get(auth: AuthContext, meta: RequestMeta, id: string, query: Record<string, unknown>): Promise<CategoryView> {
    const reader = new QueryReader(query);
    const publishedOnly = !reader.bool('showUnpublished');
    const tenantLanguages = this.languages.of(auth.tenant);
    const render: RenderContext = { selection: reader.languages(meta.acceptLanguage, tenantLanguages), tenantLanguages };
    reader.done();
    const record = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(auth.tenant, id) : null;
    if (!record || (publishedOnly && !record.published)) throw categoryNotFound(id);
    const [view] = await this.views(auth.tenant, [record], render);
    return view;
  }

  /** Op 9: ancestors root first; unpublished ancestors left out one by one in published-only mode. */
  async parents(auth: AuthContext, meta: RequestMeta, id: string, query: Record<string, unknown>): Promise<PageResult<CategoryView>> {
    const reader = new QueryReader(query);
    const ctx = readListContext(reader, meta.acceptLanguage, this.languages.of(auth.tenant), CATEGORY_FIELDS);
    reader.done();
    const record = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(auth.tenant, id) : null;
    if (!record || (ctx.publishedOnly && !record.published)) throw categoryNotFound(id, 'Error while getting category parents');
    const found = new Map((await this.categories.findByIds(auth.tenant, record.ancestorIds)).map((r) => [r._id, r]));
    const ancestors = record.ancestorIds.map((a) => found.get(a)).filter((r): r is CategoryRecord => r !== undefined && (!ctx.publishedOnly || r.published));
    return this.pageIds(auth.tenant, ctx, ancestors, meta.wantsTotal);
  }

  /** Op 10: descendants breadth-first down to `depth`, pruned at unpublished nodes in published-only mode. */
  async subcategories(auth: AuthContext, meta: RequestMeta, id: string, query: Record<string, unknown>): Promise<PageResult<CategoryView>> {
    const reader = new QueryReader(query);
    const ctx = readListContext(reader, meta.acceptLanguage, this.languages.of(auth.tenant), CATEGORY_FIELDS);
    const rawDepth = reader.raw('depth');
    let depth = Number.POSITIVE_INFINITY;
    if (rawDepth !== undefined) {
      if (!/^-?\d+$/.test(rawDepth)) reader.add({ field: 'depth', type: 'invalid_type', message: 'must be an integer' });
      else if (Number(rawDepth) < 1) reader.add({ field: 'depth', type: 'out_of_range', message: 'must be at least 1' });
      else depth = Number(rawDepth);
    }
    reader.done();
    if (!CATEGORY_ID_PATTERN.test(id)) throw categoryNotFound(id, 'Error while getting category subcategories');
    const hierarchy = await this.cache.snapshot(auth.tenant);
    const record = hierarchy.byId.get(id);
    if (!record || (ctx.publishedOnly && !record.published)) throw categoryNotFound(id, 'Error while getting category subcategories');
    return this.pageIds(auth.tenant, ctx, hierarchy.descendants(id, ctx.publishedOnly, depth), meta.wantsTotal, hierarchy);
  }

  /**
   * Renders records; CLASSIFICATION ones get their computed `classificationMixins` from their
   * ancestors' own mixins (one extra query for all of them, §4.4).
   */
  async views(tenant: string, records: readonly CategoryRecord[], render: RenderContext, extra?: (r: CategoryRecord) => { supercategoriesIds?: string[] }): Promise<CategoryView[]> {
    const classification = records.filter((r) => r.type === 'CLASSIFICATION');
    let byId = new Map<string, CategoryRecord>();
    if (classification.length) {
      const needed = new Set<string>();
      for (const r of classification) for (const a of r.ancestorIds ?? []) needed.add(a);
      byId = new Map((await this.categories.findByIds(tenant, [...needed])).map((r) => [r._id, r]));
    }
    return records.map((r) => {
      const chain = r.type === 'CLASSIFICATION' ? [...(r.ancestorIds ?? []).map((a) => byId.get(a)).filter((x): x is CategoryRecord => !!x), r] : undefined;
      return toCategoryView(r, render, { chain, ...(extra?.(r) ?? {}) });
    });
  }

  private flatFilters(reader: QueryReader, ctx: ListContext): Filter[] {
    const filters: Filter[] = [];
    if (reader.bool('showRoots')) filters.push({ parentId: { $exists: false } });
    // §3.3 flat lists: each category is judged by its own flag.
    if (ctx.publishedOnly) filters.push({ published: true });
    return filters;
  }

  private async runFlat(tenant: string, ctx: ListContext, filters: Filter[], q: MongoFilter, withTotal: boolean): Promise<PageResult<CategoryView>> {
    const all = Object.keys(q).length ? [...filters, q] : filters;
    const filter = all.length === 0 ? {} : all.length === 1 ? all[0] : { $and: all };
    const page = await this.categories.page(tenant, filter, ctx.sort!, ctx.paging.skip, ctx.paging.limit, withTotal);
    return { items: await this.views(tenant, page.items, ctx), total: page.total };
  }

  /**
   * Pages an ordered list of visible categories: in its natural order (root first, breadth-first)
   * in memory, or with an explicit `sort` by the database over exactly those ids. `hierarchy`
   * (snapshot records carry no ancestry) supplies classification chains.
   */
  private async pageIds(tenant: string, ctx: ListContext, ordered: readonly CategoryRecord[], withTotal: boolean, hierarchy?: Hierarchy): Promise<PageResult<CategoryView>> {
    if (!ctx.sort) {
      const page = pageOf(ordered, ctx.paging, withTotal);
      if (hierarchy) {
        // Only classification categories need their chain (§4.4); the walk is skipped for the rest.
        const items = page.items.map((r) => toCategoryView(r, ctx, r.type === 'CLASSIFICATION' ? { chain: [...hierarchy.ancestorsOf(r._id), r] } : {}));
        return { items, total: page.total };
      }
      return { items: await this.views(tenant, page.items, ctx), total: page.total };
    }
    if (ordered.length === 0) return { items: [], total: withTotal ? 0 : undefined };
    const page = await this.categories.page(tenant, { _id: { $in: ordered.map((r) => r._id) } }, ctx.sort, ctx.paging.skip, ctx.paging.limit, withTotal);
    return { items: await this.views(tenant, page.items, ctx), total: page.total };
  }
}

