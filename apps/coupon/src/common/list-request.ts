import { compileQ, FieldRegistry, MongoFilter, pagingOf, parseSort } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import type { PageQuery } from '@suite/persistence';
import { asQueryParameterError } from './coupon-errors';
import type { ListQueryDto } from './dto/list-query.dto';

/** The page size default of every list (coupon §6.1, §7.3: a PAG-2 override). */
const DEFAULT_PAGE_SIZE = 16;

/** What a list is judged against: `q` fields, sortable fields and the default `sort`. */
export interface ListFields {
  q: FieldRegistry;
  sort: FieldRegistry;
  defaultSort: string;
}

/** A list query after its rules: the compiled `q` and everything of the page but the filter. */
export interface ListRequest {
  q: MongoFilter;
  page: Omit<PageQuery, 'filter'>;
}

/**
 * Reads a list query (coupon §1.6): paging and `sort` problems are `invalid_query_parameter`, `q`
 * problems `invalid_query`; the total is counted for `totalCount=true` or a request that asks
 * for it (PAG-6).
 */
export function readListRequest(ctx: RequestContext, query: ListQueryDto, fields: ListFields, maxTimeMS: number): ListRequest {
  let paging;
  let sort;
  try {
    paging = pagingOf(query, DEFAULT_PAGE_SIZE);
    sort = parseSort(query.sort, fields.sort, { tenantLanguages: [], defaultSort: fields.defaultSort });
  } catch (e) {
    throw asQueryParameterError(e);
  }
  const q = compileQ(query.q, fields.q, { languages: [], maxRegexLength: 100 });
  const withTotal = query.totalCount === true || ctx.wantsTotal;
  return { q, page: { sort: Object.entries(sort), skip: paging.skip, limit: paging.limit, withTotal, maxTimeMS } };
}

/** The page query of a list: `q` within `scope` (both must match), or `q` alone without a scope. */
export function pageQuery(list: ListRequest, scope?: MongoFilter): PageQuery {
  if (!scope) return { ...list.page, filter: list.q };
  return { ...list.page, filter: Object.keys(list.q).length ? { $and: [scope, list.q] } : scope };
}
