import { ApiError, ErrorDetail } from '@suite/api-kit';
import { acceptedLanguages, defaultLanguageValue, localizedMapProblems, readLocalizedMap, writableLanguages } from './localization';

const LANGS = ['en', 'de', 'fr'];

function apiError(work: () => unknown): ApiError {
  try {
    work();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('category wording of the LOC rules (§3.4)', () => {
  it('selects languages like LOC-3', () => {
    expect(acceptedLanguages(undefined, LANGS)).toBeNull();
    expect(acceptedLanguages('*', LANGS)).toBeNull();
    expect(acceptedLanguages('de, en;q=0.5', LANGS)).toEqual(['de', 'en']);
  });

  it('names every range that selected nothing, without a field, when nothing is selected', () => {
    const e = apiError(() => acceptedLanguages('ru, en;q=0', LANGS));
    expect(e.message).toBe('Accept-Language validation failed.');
    expect(e.details).toEqual([{ type: 'unsupported_language', message: "Following languages are not supported: 'ru', 'en'" }]);
    const bad = apiError(() => acceptedLanguages('!!', LANGS));
    expect(bad.message).toBe('Accept-Language validation failed.');
    expect(bad.details).toEqual([{ field: 'Accept-Language', type: 'invalid_format', message: 'the header cannot be parsed' }]);
  });

  it('reads Content-Language: a list, any, or a 400 with the write message', () => {
    expect(writableLanguages('DE, en', LANGS)).toEqual(['de', 'en']);
    expect(writableLanguages('*', LANGS)).toBeNull();
    expect(writableLanguages(undefined, LANGS)).toBeNull();
    const none = apiError(() => writableLanguages(' , ', LANGS));
    expect(none.message).toBe('Constraint validation failed');
    expect(none.details).toEqual([{ field: 'Content-Language', type: 'invalid_format', message: 'must name at least one language' }]);
    expect(apiError(() => writableLanguages('xx', LANGS)).details[0]).toMatchObject({
      field: 'Content-Language',
      type: 'unsupported_language',
    });
  });

  it('checks map keys and texts, keys in the configured spelling', () => {
    const details: ErrorDetail[] = [];
    const map = readLocalizedMap(
      { EN: 'x', en: 'y', ru: 5, de: ' ', fr: 'é' },
      { field: 'localizedSlug', label: 'Category slug', nonBlank: true, slug: true },
      { tenant: LANGS, allowed: null },
      details,
    );
    expect(map).toEqual({ en: 'x' });
    expect(details).toEqual([
      { field: 'localizedSlug.en', type: 'invalid_key', message: "duplicates the language 'en'" },
      { field: 'localizedSlug.de', type: 'missing_value', message: 'must not be blank' },
      { field: 'localizedSlug.fr', type: 'invalid_value', message: 'Category slug must not contain diacritics' },
      { field: 'localizedSlug', type: 'unsupported_language', message: "Category slug contains unsupported languages: 'ru'" },
    ]);
  });

  it('narrows keys to Content-Language and accepts null in a merge patch', () => {
    const rule = { field: 'ref.localizedName', label: 'Assignment reference name' };
    expect(
      localizedMapProblems(
        { ref: { localizedName: { en: 'x', de: null } } },
        [rule],
        { tenant: LANGS, allowed: ['de'] },
        { allowNull: true, prefix: '[2].' },
      ),
    ).toEqual([
      {
        field: '[2].ref.localizedName',
        type: 'unsupported_language',
        message: "Assignment reference name contains unsupported languages: 'en'",
      },
    ]);
    expect(localizedMapProblems({ ref: 'x' }, [rule], { tenant: LANGS, allowed: null })).toEqual([]);
  });

  it('renders the deprecated default-language string', () => {
    expect(defaultLanguageValue({ fr: 'F', de: 'D' }, LANGS)).toBe('D');
    expect(defaultLanguageValue({ ru: 'R' }, LANGS)).toBe('R');
    expect(defaultLanguageValue(undefined, LANGS)).toBeUndefined();
  });
});
