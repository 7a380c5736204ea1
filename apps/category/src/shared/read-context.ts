import { parsePaging, parseSort, FieldRegistry, Paging, SortSpec } from '@suite/api-kit';
import { QueryReader } from './query-params';

/** What every list read needs: visibility, languages, paging and, when given, a sort. */
export interface ListContext {
  publishedOnly: boolean;
  /** LOC-3 selection, `null` = all translations. */
  selection: string[] | null;
  tenantLanguages: readonly string[];
  paging: Paging;
  /** Explicit sort, or the default when `defaultSort` was given; `undefined` = the operation's natural order. */
  sort?: SortSpec;
}

/**
 * Reads `showUnpublished`, `Accept-Language`, `pageNumber`/`pageSize` and `sort`, listing every
 * problem in one 400 (ERR-6). The read_unpublished scope was already checked by the guard.
 */
export function readListContext(
  reader: QueryReader,
  acceptLanguage: string | undefined,
  tenantLanguages: readonly string[],
  registry: FieldRegistry,
  defaultSort?: string,
): ListContext {
  const showUnpublished = reader.bool('showUnpublished');
  const selection = reader.languages(acceptLanguage, tenantLanguages);
  let paging: Paging = { pageNumber: 1, pageSize: 60, skip: 0, limit: 60 };
  try {
    paging = parsePaging({ pageNumber: reader.raw('pageNumber'), pageSize: reader.raw('pageSize') });
  } catch (e) {
    collect(reader, e);
  }
  let sort: SortSpec | undefined;
  const rawSort = reader.raw('sort');
  if (rawSort !== undefined || defaultSort !== undefined) {
    try {
      sort = parseSort(rawSort, registry, { tenantLanguages, languages: selection, defaultSort });
    } catch (e) {
      collect(reader, e);
    }
  }
  return { publishedOnly: !showUnpublished, selection, tenantLanguages, paging, sort };
}

function collect(reader: QueryReader, e: unknown): void {
  const details = (e as { details?: unknown }).details;
  if (!Array.isArray(details)) throw e;
  for (const d of details) reader.add(d);
}

/** One page of results plus the total when it was asked for (PAG-6). */
export interface PageResult<T> {
  items: T[];
  total?: number;
}

/** Pages an in-memory list (orders computed by the service: breadth-first, root first). */
export function pageOf<T>(all: readonly T[], paging: Paging, withTotal: boolean): PageResult<T> {
  return { items: all.slice(paging.skip, paging.skip + paging.limit), total: withTotal ? all.length : undefined };
}
