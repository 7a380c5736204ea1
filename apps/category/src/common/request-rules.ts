import {
  ApiError,
  DEFAULT_PAGE_SIZE,
  ErrorDetail,
  FieldRegistry,
  integerText,
  LanguageSelection,
  MAX_PAGE_SIZE,
  pagingOf,
  parseSort,
  RequestRule,
  RuleInput,
} from '@suite/api-kit';
import { acceptedLanguages, LocalizedFieldRule, localizedMapProblems, WriteLanguages, writableLanguages } from './localization';

// The request rules of step 5 shared by the category and assignment routes: the ones that need the
// tenant's languages. The services read the same inputs again (readRender, readList,
// writableLanguages), which cannot fail any more once the step passed.

/** LOC-3: `Accept-Language` must select a tenant language (reads). */
export const acceptLanguageRule: RequestRule = ({ ctx, languages }) => {
  acceptedLanguages(ctx.acceptLanguage, languages);
  return [];
};

/** PAG-7 / LOC-6: `sort` names sortable fields of `registry` (language suffixes are tenant languages). */
export function sortRule(registry: FieldRegistry): RequestRule {
  return ({ ctx, languages, query }) => {
    if (typeof query.sort !== 'string') return [];
    return problemsOf(() =>
      parseSort(query.sort, registry, { tenantLanguages: languages, languages: selectionOrAll(ctx.acceptLanguage, languages) }),
    );
  };
}

/** PAG-4: how deep a page may reach (the problems of each parameter alone are the DTO's). */
export const pagingDepthRule: RequestRule = ({ query }) => {
  const pageNumber = integerText({ value: query.pageNumber ?? '1' });
  const pageSize = integerText({ value: query.pageSize ?? String(DEFAULT_PAGE_SIZE) });
  if (typeof pageNumber !== 'number' || typeof pageSize !== 'number' || pageNumber < 1 || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    return [];
  return problemsOf(() => pagingOf({ pageNumber, pageSize }));
};

/**
 * LOC-4: `Content-Language` names tenant languages (writes). Alone, its 400 keeps the §3.4
 * message "Constraint validation failed" on every write route.
 */
export const contentLanguageRule: RequestRule = ({ ctx, languages }) => {
  writableLanguages(ctx.contentLanguage, languages);
  return [];
};

/** LOC-4 with maps only (§3.4): the keys and texts of the body's localized maps. */
export function localizedMapsRule(fields: readonly LocalizedFieldRule[], options: { allowNull?: boolean } = {}): RequestRule {
  return (input) => localizedMapProblems(input.body, fields, writeLanguagesOf(input), options);
}

/**
 * The languages a write may use. With an unusable `Content-Language` (reported by its own rule)
 * the keys are checked against every tenant language.
 */
export function writeLanguagesOf({ ctx, languages }: Pick<RuleInput, 'ctx' | 'languages'>): WriteLanguages {
  let allowed: readonly string[] | null = null;
  try {
    allowed = writableLanguages(ctx.contentLanguage, languages);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
  return { tenant: languages, allowed };
}

/** The `Accept-Language` selection, or all languages when the header is unusable (its own rule reports it). */
function selectionOrAll(header: string | undefined, languages: readonly string[]): LanguageSelection {
  try {
    return acceptedLanguages(header, languages);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return null;
  }
}

function problemsOf(work: () => unknown): ErrorDetail[] {
  try {
    work();
    return [];
  } catch (e) {
    if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') throw e;
    return e.details;
  }
}

/** The request rules of a paged, sortable read. */
export function listRules(registry: FieldRegistry): RequestRule[] {
  return [acceptLanguageRule, sortRule(registry), pagingDepthRule];
}
