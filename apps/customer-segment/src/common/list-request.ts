import {
  ApiError,
  FieldRegistry,
  FieldSelection,
  MongoFilter,
  Paging,
  applyFieldSelection,
  compileQ,
  parseFields,
  parsePaging,
  parseSort,
  searchBodyQ,
  wantsTotalCount,
} from '@suite/api-kit';
import { TenantLanguages, parseAcceptLanguage } from './localization';

/** The raw list inputs of one request (query parameters arrive as flat strings, HTTP-4). */
export interface ListInput {
  query: Record<string, string | undefined>;
  /** `q` from a search body (PAG-9); when set, a `q` query parameter is ignored. */
  body?: unknown;
  fromBody?: boolean;
  totalCountHeader?: string;
  acceptLanguage?: string;
}

/** A parsed list request (PAG-1 to PAG-8, §5). */
export interface ListRequest {
  filter: MongoFilter;
  sort: Array<[string, 1 | -1]>;
  paging: Paging;
  withTotal: boolean;
  fields: FieldSelection | null;
  /** LOC-3 selection, `null` for all languages. */
  languages: string[] | null;
}

export interface ListRegistries {
  /** Fields for `q` and `sort`. */
  query: FieldRegistry;
  /** Fields for `fields` (may add whole objects such as `validity`). */
  projection: FieldRegistry;
  defaultSort: string;
}

/**
 * Parses paging, sort, fields, total count, Accept-Language and `q` (from the query or a search
 * body) of one list request. Every problem is a 400 in ERR-10 step 6: validation problems of
 * several parameters are reported together; `q` problems are `invalid_query`.
 */
export function parseListRequest(input: ListInput, registries: ListRegistries, languages: TenantLanguages): ListRequest {
  const problems: ApiError[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ApiError) {
        problems.push(e);
        return undefined;
      }
      throw e;
    }
  };
  const selection = attempt(() => parseAcceptLanguage(input.acceptLanguage, languages));
  const paging = attempt(() => parsePaging({ pageNumber: input.query.pageNumber, pageSize: input.query.pageSize }));
  const sort = attempt(() =>
    parseSort(input.query.sort, registries.query, {
      tenantLanguages: languages.all,
      languages: selection ?? null,
      defaultLanguage: languages.default,
      defaultSort: registries.defaultSort,
    }),
  );
  const fields = attempt(() => parseFields(input.query.fields, registries.projection, { tenantLanguages: languages.all }));
  const validation = problems.filter((p) => p.errorCode === 'validation_failed');
  if (validation.length) throw ApiError.validation(validation.flatMap((p) => p.details));
  if (problems.length) throw problems[0];
  const filter = compileListQ(input.fromBody ? searchBodyQ(input.body) : input.query.q, registries.query, languages, selection ?? null);
  return {
    filter,
    sort: Object.entries(sort!) as Array<[string, 1 | -1]>,
    paging: paging!,
    withTotal: wantsTotalCount(input.totalCountHeader),
    fields: fields ?? null,
    languages: selection ?? null,
  };
}

/** Q-21/LOC-6: localized fields without a language expand over the selection, else all tenant languages. */
export function compileListQ(q: unknown, registry: FieldRegistry, languages: TenantLanguages, selection: string[] | null): MongoFilter {
  return compileQ(q, registry, { languages: selection ?? languages.all, tenantLanguages: languages.all, allowCompound: false });
}

/** `{ $and: [...] }` of the non-empty filters (conventions §5.1). */
export function andFilters(...filters: Array<MongoFilter | undefined>): MongoFilter {
  const parts = filters.filter((f): f is MongoFilter => f !== undefined && Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  return parts.length === 1 ? parts[0] : { $and: parts };
}

/** PAG-8 after localization: keeps only the selected fields of each view. */
export function project<T extends object>(views: T[], fields: FieldSelection | null): Array<Partial<T>> {
  return fields ? views.map((v) => applyFieldSelection(v, fields)) : views;
}

/** `fields` of a single-resource GET. */
export function parseSingleFields(raw: string | undefined, registry: FieldRegistry, languages: TenantLanguages): FieldSelection | null {
  return parseFields(raw, registry, { tenantLanguages: languages.all });
}

/** HTTP-4: a boolean query parameter is `true`/`false` in any letter case, anything else a 400. */
export function parseBooleanParam(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw ApiError.validation([{ field: name, type: 'invalid_type', message: `${name} must be true or false` }]);
}
