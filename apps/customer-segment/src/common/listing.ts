import {
  ApiError,
  FieldRegistry,
  FieldSelection,
  LanguageSelection,
  MAX_PAGE_SIZE,
  MongoFilter,
  Paging,
  applyFieldSelection,
  compileQ,
  pagingOf,
  parseFields,
  parseSort,
  RequestRule,
  searchBodyQ,
  selectLanguages,
} from '@suite/api-kit';
import { ListQueryDto } from './dto/list-query.dto';

/** A list request after the rules that need the tenant (PAG-1 to PAG-9, LOC-3, LOC-6). */
export interface Listing {
  filter: MongoFilter;
  sort: Array<[string, 1 | -1]>;
  paging: Paging;
  fields: FieldSelection | null;
  /** LOC-3 selection, `null` for every translation. */
  languages: LanguageSelection;
}

export interface ListRegistries {
  /** Fields for `q` and `sort`. */
  query: FieldRegistry;
  /** Fields for `fields` (may add whole objects such as `validity`). */
  projection: FieldRegistry;
  defaultSort: string;
}

export interface ListingInput {
  /** Paging, sort, fields and, on GET, `q`, as the pipe validated them. */
  query: ListQueryDto;
  /** `Accept-Language`, where the operation narrows localized fields (LOC-3). */
  acceptLanguage?: string;
  /** The body of `POST …/search`: its `q` replaces the query parameter (PAG-9). */
  search?: { body: unknown };
}

/**
 * The rules of a list request that need the tenant's languages or the field registry: the
 * `Accept-Language` selection, `sort`, `fields`, the paging depth (PAG-4), then `q` (from the
 * query or a search body). Validation problems are reported together (ERR-6); `q` problems are
 * `invalid_query`, and only looked at when nothing else is wrong.
 */
export function readListing(input: ListingInput, registries: ListRegistries, languages: readonly string[]): Listing {
  const problems: ApiError[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      problems.push(e);
      return undefined;
    }
  };
  const selection = attempt(() => selectLanguages(input.acceptLanguage, languages)) ?? null;
  const paging = pagingReadable(input.query) ? attempt(() => pagingOf(input.query)) : undefined;
  const sort = attempt(() =>
    parseSort(input.query.sort, registries.query, {
      tenantLanguages: languages,
      languages: selection,
      defaultLanguage: languages[0],
      defaultSort: registries.defaultSort,
    }),
  );
  const fields = attempt(() => parseFields(input.query.fields, registries.projection, { tenantLanguages: languages }));
  const validation = problems.filter((p) => p.errorCode === 'validation_failed');
  if (validation.length) throw ApiError.validation(validation.flatMap((p) => p.details));
  if (problems.length) throw problems[0];
  const q = input.search ? searchBodyQ(input.search.body) : input.query.q;
  return {
    filter: compileListQ(q, registries.query, languages, selection),
    sort: Object.entries(sort!) as Array<[string, 1 | -1]>,
    paging: paging!,
    fields: fields ?? null,
    languages: selection,
  };
}

/**
 * PAG-4 looks at the depth only when both paging parameters are valid (parsePaging); a request
 * rule also sees values the pipe refused.
 */
function pagingReadable(query: ListQueryDto): boolean {
  const { pageNumber = 1, pageSize = 1 } = query;
  return Number.isInteger(pageNumber) && Number.isInteger(pageSize) && pageNumber >= 1 && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE;
}

/** {@link readListing} as a request rule of a list route (ERR-6: with the DTOs' problems). */
export function listChecks(registries: ListRegistries, options: { acceptLanguage: boolean }): RequestRule {
  return (input) => {
    readListing(
      { query: input.dto.query as ListQueryDto, acceptLanguage: options.acceptLanguage ? input.ctx.acceptLanguage : undefined },
      registries,
      input.languages,
    );
  };
}

/** The request rules of a single read: `Accept-Language` (LOC-3) and `fields` (PAG-8). */
export function readChecks(projection: FieldRegistry): RequestRule[] {
  return [
    (input) => {
      selectLanguages(input.ctx.acceptLanguage, input.languages);
    },
    (input) => {
      parseFields((input.dto.query as { fields?: unknown }).fields, projection, { tenantLanguages: input.languages });
    },
  ];
}

/** Q-21/LOC-6: localized fields without a language expand over the selection, else all tenant languages. */
export function compileListQ(q: unknown, registry: FieldRegistry, languages: readonly string[], selection: LanguageSelection): MongoFilter {
  return compileQ(q, registry, { languages: selection ?? languages, tenantLanguages: languages, allowCompound: false });
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
