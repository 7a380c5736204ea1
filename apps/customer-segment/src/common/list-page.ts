import { LanguageSelection, MongoFilter, Outcome } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import type { PageQuery } from '@suite/persistence';
import { Listing, project } from './listing';

/** One page of a list (PAG-1 to PAG-8); the filter is built by the service from validated input. */
export type PageRequest = PageQuery & { maxTimeMS: number };

/** A repository that reads pages. */
export interface PagedSource<T> {
  page(tenant: string, request: PageRequest): Promise<{ items: T[]; total?: number }>;
}

/**
 * One page of a list as its outcome: `filter` read with the listing's sort and paging (with the
 * total when the request asks for it, PAG-6), each item rendered for the listing's languages
 * (LOC-3) and narrowed to its `fields` (PAG-8).
 */
export async function listPage<T, V extends object>(
  ctx: RequestContext,
  source: PagedSource<T>,
  request: { listing: Listing; filter: MongoFilter; maxTimeMS: number },
  view: (item: T, languages: LanguageSelection) => V,
): Promise<Outcome<Array<Partial<V>>>> {
  const { listing } = request;
  const page = await source.page(ctx.tenant, {
    filter: request.filter,
    sort: listing.sort,
    skip: listing.paging.skip,
    limit: listing.paging.limit,
    withTotal: ctx.wantsTotal,
    maxTimeMS: request.maxTimeMS,
  });
  const items = page.items.map((item) => view(item, listing.languages));
  return Outcome.page({ items: project(items, listing.fields), total: page.total });
}
