import { ApiError } from '../errors';
import { filterLocalized, queryLanguages, selectLanguages, sortLanguage } from './accept-language';
import {
  applyLocalizedUpdate,
  ContentLanguage,
  normalizeLocalizedInput,
  normalizeLocalizedInputOrThrow,
  parseContentLanguage,
} from './content-language';
import { isLanguageTag } from './language-tag';
import { TenantLanguages } from './tenant-languages';

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw new Error(`expected ApiError, got ${String(e)}`);
  }
  throw new Error('expected an ApiError, nothing thrown');
}

const LANGS = ['en', 'de', 'fr'];

describe('TenantLanguages (LOC-2)', () => {
  it('defaults to en,de,fr with en as the default language', () => {
    const t = TenantLanguages.fromEnv({});
    expect(t.languagesOf('acme')).toEqual(['en', 'de', 'fr']);
    expect(t.defaultOf('acme')).toBe('en');
  });

  it('reads I18N_LANGUAGES and per-tenant overrides; the first entry is the default', () => {
    const t = TenantLanguages.fromEnv({ I18N_LANGUAGES: ' de , en-US ', I18N_TENANT_LANGUAGES: '{"acme": ["fr", "en"]}' });
    expect(t.languagesOf('other')).toEqual(['de', 'en-US']);
    expect(t.defaultOf('other')).toBe('de');
    expect(t.languagesOf('acme')).toEqual(['fr', 'en']);
    expect(t.defaultOf('acme')).toBe('fr');
  });

  it('compares case-insensitively and returns the configured spelling', () => {
    const t = new TenantLanguages({ languages: ['en-US', 'de'] });
    expect(t.canonical('acme', 'EN-us')).toBe('en-US');
    expect(t.canonical('acme', 'fr')).toBeUndefined();
  });

  it('never finds a tenant on the object prototype', () => {
    const t = new TenantLanguages({ languages: ['en'] });
    expect(t.languagesOf('constructor')).toEqual(['en']);
    expect(t.languagesOf('__proto__')).toEqual(['en']);
  });

  it('builds from the base configuration', () => {
    const t = TenantLanguages.fromConfig({ languages: ['de'], tenantLanguages: { acme: ['en'] } });
    expect(t.defaultOf('acme')).toBe('en');
    expect(t.defaultOf('beta')).toBe('de');
  });

  it.each([
    [{ I18N_LANGUAGES: 'en,,de' }, /language tag/],
    [{ I18N_LANGUAGES: 'en,EN' }, /twice/],
    [{ I18N_LANGUAGES: 'en_US' }, /language tag/],
    [{ I18N_TENANT_LANGUAGES: '{' }, /JSON object/],
    [{ I18N_TENANT_LANGUAGES: '[]' }, /JSON object/],
    [{ I18N_TENANT_LANGUAGES: '{"acme": []}' }, /non-empty/],
    [{ I18N_TENANT_LANGUAGES: '{"acme": "en"}' }, /non-empty/],
    [{ I18N_TENANT_LANGUAGES: '{"acme": [1]}' }, /language tag/],
    [{ I18N_TENANT_LANGUAGES: '{"ACME": ["en"]}' }, /tenant name/],
    [{ I18N_TENANT_LANGUAGES: '{"__proto__": ["en"]}' }, /tenant name/],
  ])('rejects bad configuration %j at boot', (env, message) => {
    expect(() => TenantLanguages.fromEnv(env)).toThrow(message);
  });

  it('isLanguageTag accepts BCP 47 shapes only', () => {
    for (const ok of ['en', 'de-CH', 'zh-Hant-TW', 'x-klingon', 'sr-Latn']) expect(isLanguageTag(ok)).toBe(true);
    for (const bad of ['', 'e n', 'en-', '-en', 'en--US', 'toolongtag', 'en_US', '*', 'en-123456789', '1en']) {
      expect(isLanguageTag(bad)).toBe(false);
    }
  });
});

describe('selectLanguages (LOC-3)', () => {
  it.each([undefined, null, '', '   ', '*', '*;q=0.5', ' , ,'])('%j selects all translations (null)', (h) => {
    expect(selectLanguages(h, LANGS)).toBeNull();
  });

  it('keeps the header priority order and drops q=0', () => {
    expect(selectLanguages('fr-CH, fr;q=0.9, en;q=0.8', LANGS)).toEqual(['fr', 'en']);
    expect(selectLanguages('de;q=0.1, en', LANGS)).toEqual(['en', 'de']);
    expect(selectLanguages('en;q=0, de', LANGS)).toEqual(['de']);
    expect(selectLanguages('de;q=0.5, fr;q=0.5, en;q=0.500', LANGS)).toEqual(['de', 'fr', 'en']);
  });

  it('matches exactly first, then by primary subtag, case-insensitively', () => {
    expect(selectLanguages('en-US', LANGS)).toEqual(['en']);
    expect(selectLanguages('EN', LANGS)).toEqual(['en']);
    expect(selectLanguages('en', ['en-US', 'en-GB', 'de'])).toEqual(['en-US', 'en-GB']);
    expect(selectLanguages('en-gb', ['en-US', 'en-GB', 'de'])).toEqual(['en-GB']);
  });

  it('* selects every tenant language not yet selected, in configured order', () => {
    expect(selectLanguages('fr, *;q=0.5', LANGS)).toEqual(['fr', 'en', 'de']);
    expect(selectLanguages('*;q=0.5, de', LANGS)).toEqual(['de', 'en', 'fr']);
  });

  it('ignores ranges that select nothing as long as something is selected', () => {
    expect(selectLanguages('ru, de', LANGS)).toEqual(['de']);
  });

  it('answers 400 unsupported_language when nothing is selected, naming every range', () => {
    const err = apiError(() => selectLanguages('ru, pl;q=0.5', LANGS));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.httpStatus).toBe(400);
    expect(err.message).toBe('Accept-Language validation failed.');
    expect(err.details).toEqual([
      { field: 'Accept-Language', type: 'unsupported_language', message: "Following languages are not supported: 'ru', 'pl'" },
    ]);
    expect(apiError(() => selectLanguages('en;q=0', LANGS)).details[0].type).toBe('unsupported_language');
  });

  it.each(['en;q=2', 'en;q=0.1234', 'en;q=', 'en;x=1', 'en;q=1;q=1', 'e n', 'en_US', '"en"', 'en;q=1.5', 'en;q=-1', '!!', 'en;;'])(
    'answers 400 invalid_format for %j',
    (h) => {
      const err = apiError(() => selectLanguages(h, LANGS));
      expect(err.errorCode).toBe('validation_failed');
      expect(err.details).toEqual([expect.objectContaining({ field: 'Accept-Language', type: 'invalid_format' })]);
    },
  );

  it('reads a repeated header as one list and rejects non-strings', () => {
    expect(selectLanguages(['de', 'en'], LANGS)).toEqual(['de', 'en']);
    expect(apiError(() => selectLanguages(42, LANGS)).details[0].type).toBe('invalid_format');
  });

  it('stays linear on a long hostile header', () => {
    const start = Date.now();
    expect(() => selectLanguages(`${'en-'.repeat(20000)}x`, LANGS)).toThrow(ApiError);
    expect(selectLanguages(`${'ru,'.repeat(20000)}de`, LANGS)).toEqual(['de']);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('derives the q and sort languages of LOC-6', () => {
    expect(queryLanguages(null, LANGS)).toEqual(LANGS);
    expect(queryLanguages(['de'], LANGS)).toEqual(['de']);
    expect(sortLanguage(null, ['de', 'en'])).toBe('de');
    expect(sortLanguage(['fr', 'en'], LANGS)).toBe('fr');
  });
});

describe('filterLocalized (LOC-3.4)', () => {
  const stored = { en: 'Gold', de: 'Gold-Kunden' };

  it('returns every translation for a null selection, as a copy', () => {
    const out = filterLocalized(stored, null);
    expect(out).toEqual(stored);
    expect(out).not.toBe(stored);
  });

  it('keeps the selected languages that have a translation, in selection order', () => {
    expect(Object.keys(filterLocalized(stored, ['de', 'fr', 'en']))).toEqual(['de', 'en']);
    expect(filterLocalized(stored, ['fr'])).toEqual({});
  });

  it('is always a map, even for absent or malformed values', () => {
    for (const v of [undefined, null, 'Gold', 5, ['en']]) expect(filterLocalized(v, ['en'])).toEqual({});
  });

  it('skips non-string values and never touches prototypes', () => {
    const weird = JSON.parse('{"en": 5, "de": "x", "__proto__": "y"}');
    const out = filterLocalized(weird, null);
    expect(out).toEqual({ de: 'x', ['__proto__']: 'y' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe('parseContentLanguage (LOC-4)', () => {
  it('absent or empty means the tenant default', () => {
    expect(parseContentLanguage(undefined, LANGS)).toEqual({ kind: 'absent', language: 'en' });
    expect(parseContentLanguage(' ', ['de', 'en'])).toEqual({ kind: 'absent', language: 'de' });
  });

  it('parses *, one or several languages, ignoring q-values and case', () => {
    expect(parseContentLanguage('*', LANGS)).toEqual({ kind: 'any' });
    expect(parseContentLanguage('DE', LANGS)).toEqual({ kind: 'list', languages: ['de'] });
    expect(parseContentLanguage('en;q=0.5, de, en', LANGS)).toEqual({ kind: 'list', languages: ['en', 'de'] });
  });

  it('every code must be a tenant language', () => {
    const err = apiError(() => parseContentLanguage('en, ru, xx', LANGS));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.details).toEqual([
      { field: 'Content-Language', type: 'unsupported_language', message: "Following languages are not supported: 'ru', 'xx'" },
    ]);
    expect(apiError(() => parseContentLanguage('en-US', LANGS)).details[0].type).toBe('unsupported_language');
  });
});

describe('normalizeLocalizedInput (LOC-4 table, LOC-5)', () => {
  const absent: ContentLanguage = { kind: 'absent', language: 'en' };
  const any: ContentLanguage = { kind: 'any' };
  const de: ContentLanguage = { kind: 'list', languages: ['de'] };
  const enDe: ContentLanguage = { kind: 'list', languages: ['en', 'de'] };
  const allow = { allowString: true };

  function details(value: unknown, cl: ContentLanguage, options = allow) {
    const r = normalizeLocalizedInput(value, 'name', cl, LANGS, options);
    if (r.ok) throw new Error('expected a failure');
    return r.details;
  }

  it('string + absent header → stored under the tenant default', () => {
    expect(normalizeLocalizedInput('Gold', 'name', absent, LANGS, allow)).toEqual({
      ok: true,
      update: { kind: 'set', language: 'en', value: 'Gold' },
    });
  });

  it('string + one language → stored under it', () => {
    expect(normalizeLocalizedInput('Gold', 'name', de, LANGS, allow)).toEqual({
      ok: true,
      update: { kind: 'set', language: 'de', value: 'Gold' },
    });
  });

  it('string + * or several languages → invalid_type', () => {
    expect(details('Gold', any)).toEqual([expect.objectContaining({ field: 'name', type: 'invalid_type' })]);
    expect(details('Gold', enDe)).toEqual([expect.objectContaining({ field: 'name', type: 'invalid_type' })]);
  });

  it('maps-only services reject strings whatever the header says', () => {
    for (const cl of [absent, any, de, enDe]) {
      expect(details('Gold', cl, { allowString: false })).toEqual([expect.objectContaining({ field: 'name', type: 'invalid_type' })]);
    }
  });

  it('map + absent or * → keys must be tenant languages; stored in the configured spelling', () => {
    expect(normalizeLocalizedInput({ EN: 'Gold', de: '' }, 'name', absent, LANGS, allow)).toEqual({
      ok: true,
      update: { kind: 'replace', map: { en: 'Gold', de: '' } },
    });
    expect(normalizeLocalizedInput({ fr: 'Or' }, 'name', any, LANGS, { allowString: false })).toEqual({
      ok: true,
      update: { kind: 'replace', map: { fr: 'Or' } },
    });
    expect(details({ en: 'a', ru: 'b', xx: 'c' }, absent)).toEqual([
      { field: 'name', type: 'unsupported_language', message: "Following languages are not supported: 'ru', 'xx'" },
    ]);
  });

  it('map + one language → keys must all be that language', () => {
    expect(normalizeLocalizedInput({ de: 'x' }, 'name', de, LANGS, allow).ok).toBe(true);
    expect(details({ de: 'x', en: 'y' }, de)).toEqual([
      expect.objectContaining({ field: 'name', type: 'invalid_value', message: expect.stringMatching(/'en'/) }),
    ]);
  });

  it('map + several languages → keys within the list', () => {
    expect(normalizeLocalizedInput({ en: 'x', de: 'y' }, 'name', enDe, LANGS, allow).ok).toBe(true);
    expect(details({ en: 'x', fr: 'y' }, enDe)).toEqual([expect.objectContaining({ type: 'invalid_value' })]);
  });

  it('reports every problem at once: bad values per key, unsupported and repeated languages', () => {
    // ERR-6 order: by field, then by type.
    expect(details({ en: 5, de: null, ru: 'x', EN: 'y', fr: ['a'] }, absent)).toEqual([
      { field: 'name', type: 'invalid_value', message: "languages given more than once: 'EN'" },
      { field: 'name', type: 'unsupported_language', message: "Following languages are not supported: 'ru'" },
      { field: 'name.de', type: 'invalid_type', message: 'must be a text' },
      { field: 'name.en', type: 'invalid_type', message: 'must be a text' },
      { field: 'name.fr', type: 'invalid_type', message: 'must be a text' },
    ]);
  });

  it('rejects values that are neither text nor map', () => {
    for (const v of [5, true, null, undefined, ['en'], 0]) {
      expect(details(v, absent)).toEqual([expect.objectContaining({ field: 'name', type: 'invalid_type' })]);
    }
  });

  it('merge PATCH accepts null to remove a translation', () => {
    expect(normalizeLocalizedInput({ de: null, fr: 'Or' }, 'name', absent, LANGS, { allowString: true, mergePatch: true })).toEqual({
      ok: true,
      update: { kind: 'merge', entries: { de: null, fr: 'Or' } },
    });
  });

  it('the throwing variant raises 400 validation_failed with the details', () => {
    const err = apiError(() => normalizeLocalizedInputOrThrow({ ru: 'x' }, 'item.name', absent, LANGS, allow));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.details[0]).toMatchObject({ field: 'item.name', type: 'unsupported_language' });
  });

  it('prototype keys are just unsupported languages', () => {
    const body = JSON.parse('{"__proto__": "x", "constructor": "y"}');
    expect(details(body, absent)).toEqual([expect.objectContaining({ type: 'unsupported_language' })]);
  });
});

describe('applyLocalizedUpdate (LOC-5)', () => {
  const stored = { en: 'Gold', de: 'Gold-Kunden' };

  it('a string replaces only its own language', () => {
    expect(applyLocalizedUpdate(stored, { kind: 'set', language: 'fr', value: 'Or' })).toEqual({ en: 'Gold', de: 'Gold-Kunden', fr: 'Or' });
    expect(applyLocalizedUpdate(stored, { kind: 'set', language: 'de', value: 'Gold' })).toEqual({ en: 'Gold', de: 'Gold' });
    expect(applyLocalizedUpdate(undefined, { kind: 'set', language: 'de', value: 'x' })).toEqual({ de: 'x' });
  });

  it('a map replaces the whole map on PUT', () => {
    expect(applyLocalizedUpdate(stored, { kind: 'replace', map: { fr: 'Or' } })).toEqual({ fr: 'Or' });
  });

  it('a map merges key by key on merge PATCH, null removing', () => {
    expect(applyLocalizedUpdate(stored, { kind: 'merge', entries: { de: null, fr: 'Or' } })).toEqual({ en: 'Gold', fr: 'Or' });
  });

  it('does not modify the stored map', () => {
    const copy = { ...stored };
    applyLocalizedUpdate(copy, { kind: 'merge', entries: { en: null } });
    expect(copy).toEqual(stored);
  });
});

describe('normalizeLocalizedInput with keyDetails (one detail per key, customer-segment)', () => {
  const absent: ContentLanguage = { kind: 'absent', language: 'en' };
  const de: ContentLanguage = { kind: 'list', languages: ['de'] };
  const options = { allowString: true, keyDetails: true };

  function details(value: unknown, cl: ContentLanguage, extra: { requireEntry?: boolean; mergePatch?: boolean } = {}) {
    const r = normalizeLocalizedInput(value, 'name', cl, LANGS, { ...options, ...extra });
    if (r.ok) throw new Error('expected a failure');
    return r.details.map((d) => `${d.field}:${d.type}`);
  }

  it('stores maps in the configured spelling and texts like the default mode', () => {
    expect(normalizeLocalizedInput({ EN: 'Gold', de: '' }, 'name', absent, LANGS, options)).toEqual({
      ok: true,
      update: { kind: 'replace', map: { en: 'Gold', de: '' } },
    });
    expect(normalizeLocalizedInput('Gold', 'name', de, LANGS, options)).toEqual({
      ok: true,
      update: { kind: 'set', language: 'de', value: 'Gold' },
    });
  });

  it('names each offending key: not allowed here, repeated in another spelling, not a text', () => {
    expect(details({ en: 'a', EN: 'b', xx: 'c', fr: 5 }, absent)).toEqual([
      'name.EN:invalid_value',
      'name.fr:invalid_type',
      'name.xx:unsupported_language',
    ]);
    // Under Content-Language only its languages are allowed; a key gets its first problem only.
    expect(details({ en: 5, de: 'x' }, de)).toEqual(['name.en:unsupported_language']);
    expect(details(JSON.parse('{"constructor": "x"}'), absent)).toEqual(['name.constructor:unsupported_language']);
  });

  it('requires an entry when asked, and accepts null values in a merge patch', () => {
    expect(details({}, absent, { requireEntry: true })).toEqual(['name:missing_value']);
    expect(normalizeLocalizedInput({}, 'name', absent, LANGS, options).ok).toBe(true);
    expect(normalizeLocalizedInput({ de: null }, 'name', absent, LANGS, { ...options, mergePatch: true })).toEqual({
      ok: true,
      update: { kind: 'merge', entries: { de: null } },
    });
  });

  it('requireEntry also applies without keyDetails', () => {
    const r = normalizeLocalizedInput({}, 'name', absent, LANGS, { allowString: true, requireEntry: true });
    expect(r).toEqual({
      ok: false,
      details: [{ field: 'name', type: 'missing_value', message: 'name needs at least one translation' }],
    });
  });
});
