import { refusedLanguageRanges } from './refused-ranges';

const LANGS = ['en', 'de', 'fr'];

describe('refusedLanguageRanges', () => {
  it('names ranges that match no tenant language, by priority, then those refused with q=0 in header order', () => {
    expect(refusedLanguageRanges('ru', LANGS)).toEqual(['ru']);
    expect(refusedLanguageRanges('en;q=0, de;q=0.000', LANGS)).toEqual(['en', 'de']);
    expect(refusedLanguageRanges('en;q=0, ru;q=0.5, xx', LANGS)).toEqual(['xx', 'ru', 'en']);
  });

  it('leaves out ranges that select something: exact, by primary subtag, or *', () => {
    expect(refusedLanguageRanges('en-US, DE, *, ru', LANGS)).toEqual(['ru']);
    expect(refusedLanguageRanges(['ru', 'xx'], LANGS)).toEqual(['ru', 'xx']);
    expect(refusedLanguageRanges(undefined, LANGS)).toEqual([]);
  });

  it('names a range once', () => {
    expect(refusedLanguageRanges('ru, ru;q=0.5, ru;q=0', LANGS)).toEqual(['ru']);
  });
});
