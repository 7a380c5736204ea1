import { FieldRegistry, LanguageSelection, Page, parsePaging, parseSort, Paging, SortSpec } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { acceptedLanguages } from './localization';

/** How a read renders localized data: the Accept-Language selection and the tenant's languages. */
export interface RenderContext {
  /** LOC-3 selection, `null` = all translations. */
  selection: LanguageSelection;
  tenantLanguages: readonly string[];
}

/** What every list read needs: visibility, languages, paging and, when given, a sort. */
export interface ListContext extends RenderContext {
  publishedOnly: boolean;
  paging: Paging;
  /** Explicit sort, or the default when `defaultSort` was given; `undefined` = the operation's natural order. */
  sort?: SortSpec;
}

/** The paging and sort parameters of a list (their shape is checked by the query DTOs). */
export interface ListQuery {
  showUnpublished?: boolean;
  pageNumber?: number;
  pageSize?: number;
  sort?: string;
}

// The readers below run after the validation step of the request (RequestValidationInterceptor),
// which already reported every problem of these inputs: they only compute the values.

/** The rendering of a read (LOC-3). */
export function readRender(ctx: RequestContext, tenantLanguages: readonly string[]): RenderContext {
  return { selection: acceptedLanguages(ctx.acceptLanguage, tenantLanguages), tenantLanguages };
}

/** Visibility, languages, paging and sort of a list read (§3.3, §3.5, §3.6). */
export function readList(
  ctx: RequestContext,
  tenantLanguages: readonly string[],
  query: ListQuery,
  registry: FieldRegistry,
  defaultSort?: string,
): ListContext {
  const render = readRender(ctx, tenantLanguages);
  const paging = parsePaging({ pageNumber: query.pageNumber, pageSize: query.pageSize });
  const sort =
    query.sort !== undefined || defaultSort !== undefined
      ? parseSort(query.sort, registry, { tenantLanguages, languages: render.selection, defaultSort })
      : undefined;
  return { ...render, publishedOnly: query.showUnpublished !== true, paging, sort };
}

/** Pages an in-memory list (orders computed by the service: breadth-first, root first). */
export function pageOf<T>(all: readonly T[], paging: Paging, withTotal: boolean): Page<T> {
  return { items: all.slice(paging.skip, paging.skip + paging.limit), total: withTotal ? all.length : undefined };
}
