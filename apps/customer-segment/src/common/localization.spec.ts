import { ApiError } from '@suite/api-kit';
import { mergeLocalized, narrowLocalized, parseAcceptLanguage, parseContentLanguage, readLocalized } from './localization';

const langs = { all: ['en', 'de', 'fr'], default: 'en' };

function err(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
  }
  throw new Error('expected an ApiError');
}

describe('Accept-Language (LOC-3)', () => {
  it('selects in priority order, by exact match then primary subtag, and * selects all', () => {
    expect(parseAcceptLanguage(undefined, langs)).toBeNull();
    expect(parseAcceptLanguage('*', langs)).toBeNull();
    expect(parseAcceptLanguage('fr-CH, de;q=0.5, en;q=0.8', langs)).toEqual(['fr', 'en', 'de']);
    expect(parseAcceptLanguage('xx, DE', langs)).toEqual(['de']);
    expect(parseAcceptLanguage('de;q=0, en', langs)).toEqual(['en']);
  });
  it('rejects a header selecting nothing (unsupported_language) or unparseable (invalid_format)', () => {
    expect(err(() => parseAcceptLanguage('xx', langs)).details[0]).toMatchObject({ field: 'Accept-Language', type: 'unsupported_language' });
    expect(err(() => parseAcceptLanguage('en;q=abc', langs)).details[0]).toMatchObject({ type: 'invalid_format' });
    expect(err(() => parseAcceptLanguage('e n', langs)).details[0]).toMatchObject({ type: 'invalid_format' });
  });
  it('narrows maps to translations that exist', () => {
    expect(narrowLocalized({ en: 'a', de: 'b' }, ['fr', 'de'])).toEqual({ de: 'b' });
    expect(narrowLocalized({ en: 'a' }, ['fr'])).toEqual({});
  });
});

describe('Content-Language (LOC-4, LOC-5)', () => {
  it('reads strings under the default or the single listed language, refuses them under * or several', () => {
    const details: never[] = [];
    expect(readLocalized('x', 'name', parseContentLanguage(undefined, langs), langs, details)).toEqual({ kind: 'single', language: 'en', value: 'x' });
    expect(readLocalized('x', 'name', parseContentLanguage('DE', langs), langs, details)).toEqual({ kind: 'single', language: 'de', value: 'x' });
    const problems: Array<{ type: string }> = [];
    readLocalized('x', 'name', parseContentLanguage('*', langs), langs, problems as never);
    readLocalized('x', 'name', parseContentLanguage('en,de', langs), langs, problems as never);
    readLocalized({ fr: 'x' }, 'name', parseContentLanguage('en,de', langs), langs, problems as never);
    expect(problems.map((p) => p.type)).toEqual(['invalid_type', 'invalid_type', 'unsupported_language']);
    expect(err(() => parseContentLanguage('en, xx', langs)).details[0].type).toBe('unsupported_language');
  });
  it('merges a single language into the stored map, replaces with a map', () => {
    expect(mergeLocalized({ kind: 'single', language: 'de', value: 'neu' }, { en: 'a', de: 'b' })).toEqual({ en: 'a', de: 'neu' });
    expect(mergeLocalized({ kind: 'map', map: { fr: 'x' } }, { en: 'a' })).toEqual({ fr: 'x' });
  });
});
