import { Aggregator } from 'mingo';
import { applyFieldSelection, parseFields } from './fields';
import type { FieldRegistry } from './field-registry';
import { parsePaging, wantsTotalCount } from './paging';
import { parseSort, SortOptions } from './sort';
import { catchApiError, TEST_FIELDS } from './test-support';

describe('parsePaging (PAG-1 to PAG-4)', () => {
  it('defaults to page 1 with the default size (PAG-3)', () => {
    expect(parsePaging({})).toEqual({ pageNumber: 1, pageSize: 60, skip: 0, limit: 60 });
    expect(parsePaging({}, { defaultPageSize: 16 })).toEqual({ pageNumber: 1, pageSize: 16, skip: 0, limit: 16 });
  });

  it('accepts pageNumber without pageSize and vice versa', () => {
    expect(parsePaging({ pageNumber: '3' })).toEqual({ pageNumber: 3, pageSize: 60, skip: 120, limit: 60 });
    expect(parsePaging({ pageSize: '5' })).toEqual({ pageNumber: 1, pageSize: 5, skip: 0, limit: 5 });
    expect(parsePaging({ pageNumber: 2, pageSize: 1000 })).toMatchObject({ skip: 1000, limit: 1000 });
  });

  it.each(['abc', '1.5', '', ' 1', '1 ', '+1', '1e2', '0x10', '--1', '-'])('pageNumber %j is invalid_type', (v) => {
    const err = catchApiError(() => parsePaging({ pageNumber: v }));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.httpStatus).toBe(400);
    expect(err.details).toEqual([expect.objectContaining({ field: 'pageNumber', type: 'invalid_type' })]);
  });

  it.each([['0'], ['-1'], ['-99999999999999999999']])('pageNumber %s is out_of_range', (v) => {
    expect(catchApiError(() => parsePaging({ pageNumber: v })).details).toEqual([
      expect.objectContaining({ field: 'pageNumber', type: 'out_of_range' }),
    ]);
  });

  it.each(['0', '1001', '-5', '99999999999999999999999'])('pageSize %s is out_of_range (never clamped)', (v) => {
    expect(catchApiError(() => parsePaging({ pageSize: v })).details).toEqual([
      expect.objectContaining({ field: 'pageSize', type: 'out_of_range' }),
    ]);
  });

  it('rejects non-integer numbers and other types', () => {
    expect(catchApiError(() => parsePaging({ pageSize: 2.5 })).details[0]).toMatchObject({ field: 'pageSize', type: 'invalid_type' });
    expect(catchApiError(() => parsePaging({ pageSize: ['5', '6'] })).details[0]).toMatchObject({
      field: 'pageSize',
      type: 'invalid_type',
    });
    expect(catchApiError(() => parsePaging({ pageNumber: null })).details[0]).toMatchObject({ field: 'pageNumber', type: 'invalid_type' });
  });

  it('lists both problems when both parameters are bad (ERR-6)', () => {
    const err = catchApiError(() => parsePaging({ pageNumber: 'x', pageSize: '0' }));
    expect(err.details.map((d) => [d.field, d.type])).toEqual([
      ['pageNumber', 'invalid_type'],
      ['pageSize', 'out_of_range'],
    ]);
    expect(err.message).toBe('The request contains 2 invalid values.');
  });

  it('PAG-4: the offset may reach 100,000 but not exceed it', () => {
    expect(parsePaging({ pageNumber: '101', pageSize: '1000' }).skip).toBe(100_000);
    expect(parsePaging({ pageNumber: '100001', pageSize: '1' }).skip).toBe(100_000);
    const err = catchApiError(() => parsePaging({ pageNumber: '102', pageSize: '1000' }));
    expect(err.details).toEqual([expect.objectContaining({ field: 'pageNumber', type: 'out_of_range' })]);
    expect(catchApiError(() => parsePaging({ pageNumber: '1668' })).details[0].type).toBe('out_of_range'); // 1667 × 60 > 100,000
  });

  it('refuses an invalid default page size as a programming error', () => {
    expect(() => parsePaging({}, { defaultPageSize: 1001 })).toThrow(Error);
    expect(() => parsePaging({}, { defaultPageSize: 0 })).toThrow(Error);
  });
});

describe('wantsTotalCount (PAG-6)', () => {
  it.each(['true', 'TRUE', 'True', 'tRuE'])('%j asks for the count', (v) => expect(wantsTotalCount(v)).toBe(true));
  it.each([undefined, null, '', 'false', '1', 'yes', ' true', 'true, true', ['true'], true, 1])('%j does not, and never throws', (v) => {
    expect(wantsTotalCount(v)).toBe(false);
  });
});

describe('parseSort (PAG-7, LOC-6)', () => {
  const opts: SortOptions = { tenantLanguages: ['en', 'de', 'fr'] };

  it('defaults to _id ascending, or the service default plus the _id tie-breaker', () => {
    expect(parseSort(undefined, TEST_FIELDS, opts)).toEqual({ _id: 1 });
    expect(parseSort('  ', TEST_FIELDS, opts)).toEqual({ _id: 1 });
    expect(parseSort(undefined, TEST_FIELDS, { ...opts, defaultSort: 'id:asc' })).toEqual({ _id: 1 });
    const spec = parseSort(undefined, TEST_FIELDS, { ...opts, defaultSort: 'metadata.createdAt:ASC, id' });
    expect(Object.entries(spec)).toEqual([
      ['metadata.createdAt', 1],
      ['_id', 1],
    ]);
  });

  it('keeps the order of the items and appends _id ascending as tie-breaker', () => {
    const spec = parseSort('siteCode:desc,metadata.version', TEST_FIELDS, opts);
    expect(Object.entries(spec)).toEqual([
      ['siteCode', -1],
      ['metadata.version', 1],
      ['_id', 1],
    ]);
  });

  it('does not append _id when id is already sorted on', () => {
    expect(Object.entries(parseSort('id:desc,siteCode', TEST_FIELDS, opts))).toEqual([
      ['_id', -1],
      ['siteCode', 1],
    ]);
  });

  it('directions are asc/desc in any case; whitespace around items is allowed', () => {
    expect(parseSort(' siteCode:DESC , status:Asc ', TEST_FIELDS, opts)).toEqual({ siteCode: -1, status: 1, _id: 1 });
  });

  it('resolves aliases', () => {
    expect(parseSort('metadataCreatedAt:desc', TEST_FIELDS, opts)).toEqual({ 'metadata.createdAt': -1, _id: 1 });
    expect(parseSort('itemId', TEST_FIELDS, opts)).toEqual({ 'item.id': 1, _id: 1 });
  });

  it('localized fields: with a tenant language, or on the first selected language, else the default', () => {
    expect(parseSort('name.de:desc', TEST_FIELDS, { ...opts, languages: ['fr'] })).toEqual({ 'name.de': -1, _id: 1 });
    expect(parseSort('name.DE', TEST_FIELDS, opts)).toEqual({ 'name.de': 1, _id: 1 });
    expect(parseSort('name', TEST_FIELDS, { ...opts, languages: ['fr', 'en'] })).toEqual({ 'name.fr': 1, _id: 1 });
    expect(parseSort('name', TEST_FIELDS, { ...opts, languages: null })).toEqual({ 'name.en': 1, _id: 1 });
    expect(parseSort('name', TEST_FIELDS, { ...opts, languages: null, defaultLanguage: 'de' })).toEqual({ 'name.de': 1, _id: 1 });
  });

  it('mixin paths are sortable', () => {
    expect(parseSort('mixins.loyalty.tier:desc', TEST_FIELDS, opts)).toEqual({ 'mixins.loyalty.tier': -1, _id: 1 });
  });

  function sortFails(sort: unknown, type: string, options: SortOptions = opts, registry: FieldRegistry = TEST_FIELDS) {
    const err = catchApiError(() => parseSort(sort, registry, options));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.httpStatus).toBe(400);
    expect(err.details).toEqual([expect.objectContaining({ field: 'sort', type })]);
    return err;
  }

  it.each(['siteCode:up', 'siteCode:', 'siteCode:ascending', 'siteCode: asc', 'siteCode:asc:desc', 'siteCode:1'])(
    'a bad direction (%j) is invalid_value',
    (s) => void sortFails(s, 'invalid_value'),
  );

  it.each([
    'unknown',
    'name.asc.x',
    'description',
    'ecn',
    'item',
    'mixins',
    'categoryRestricted',
    '_id',
    'siteCode.x',
    'constructor',
    '__proto__',
  ])('an unknown or non-sortable path (%j) is invalid_value', (s) => void sortFails(s, 'invalid_value'));

  it('the dotted direction form is read as a path and rejected', () => {
    sortFails('siteCode.asc', 'invalid_value');
    sortFails('name.asc', 'unsupported_language');
  });

  it('a language that is not a tenant language is unsupported_language', () => {
    sortFails('name.ru', 'unsupported_language');
  });

  it.each(['$natural', 'a b', 'siteCode,,status', ',siteCode', 'site$Code', '1abc', 'a..b', 'x'.repeat(257), 'q[$ne]'])(
    'malformed entries (%j) are invalid_format',
    (s) => void sortFails(s, 'invalid_format'),
  );

  it('at most 5 items', () => {
    expect(() => parseSort('siteCode,status,code,position,published', TEST_FIELDS, opts)).not.toThrow();
    sortFails('siteCode,status,code,position,published,metadata.version', 'too_many_items');
    sortFails('a,'.repeat(100000), 'too_many_items');
  });

  it('the same path twice is 400, also through aliases', () => {
    sortFails('siteCode,siteCode:desc', 'invalid_value');
    sortFails('metadataCreatedAt,metadata.createdAt', 'invalid_value');
    sortFails('name,name.en', 'invalid_value', { ...opts, languages: ['en'] });
  });

  it('lists one detail per violated rule, sorted by type', () => {
    const err = catchApiError(() => parseSort('unknown,siteCode:up,name.ru,,other', TEST_FIELDS, opts));
    expect(err.details.map((d) => d.type)).toEqual(['invalid_format', 'invalid_value', 'unsupported_language']);
    expect(err.details[1].message).toMatch(/'unknown'.*'up'.*'other'/);
  });

  it('rejects a non-string sort', () => {
    sortFails(['a', 'b'], 'invalid_type');
    sortFails(5, 'invalid_type');
  });

  it('documents without a value sort first ascending and last descending (MongoDB ordering)', () => {
    const docs = [
      { _id: 'a', name: { en: 'B' } },
      { _id: 'b', name: { de: 'only german' } },
      { _id: 'c', name: { en: 'A' } },
      { _id: 'd' },
    ];
    const run = (sort: string) =>
      new Aggregator([{ $sort: parseSort(sort, TEST_FIELDS, { ...opts, languages: ['en'] }) }])
        .run(docs)
        .map((d) => (d as { _id: string })._id);
    expect(run('name:asc')).toEqual(['b', 'd', 'c', 'a']);
    expect(run('name:desc')).toEqual(['a', 'c', 'b', 'd']);
  });
});

describe('parseFields (PAG-8)', () => {
  const opts = { tenantLanguages: ['en', 'de'] };

  it('absent, empty or blank means all fields', () => {
    for (const v of [undefined, null, '', '  ', ' , ,']) expect(parseFields(v, TEST_FIELDS, opts)).toBeNull();
  });

  it('always includes id, trims entries and maps to db paths', () => {
    expect(parseFields(' siteCode , metadata.version ', TEST_FIELDS, opts)).toEqual({
      paths: ['id', 'siteCode', 'metadata.version'],
      projection: { _id: 1, siteCode: 1, 'metadata.version': 1 },
    });
  });

  it('accepts aliases, sub-paths of localized and object fields, and mixin paths', () => {
    const sel = parseFields('metadataCreatedAt,name.EN,item.code,mixins.loyalty.tier,validity.from', TEST_FIELDS, opts);
    expect(sel?.paths).toEqual(['id', 'metadata.createdAt', 'name.en', 'item.code', 'mixins.loyalty.tier', 'validity.from']);
    expect(Object.keys(sel!.projection)).toEqual([
      '_id',
      'metadata.createdAt',
      'name.en',
      'item.code',
      'mixins.loyalty.tier',
      'validity.from',
    ]);
  });

  it('silently ignores unknown or malformed entries; they never reach the projection', () => {
    const sel = parseFields('siteCode,unknown,$where,__proto__,name.ru,a..b,password,metadata,q[$ne]', TEST_FIELDS, opts);
    expect(sel).toEqual({ paths: ['id', 'siteCode'], projection: { _id: 1, siteCode: 1 } });
  });

  it('drops paths covered by another selected path (MongoDB rejects overlapping projections)', () => {
    const sel = parseFields('name.en,name,item.code,item', TEST_FIELDS, opts);
    expect(sel).toEqual({ paths: ['id', 'name', 'item'], projection: { _id: 1, name: 1, item: 1 } });
  });

  it('at most 50 entries', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `mixins.f${i}`).join(',');
    expect(parseFields(list(50), TEST_FIELDS, opts)?.paths).toHaveLength(51);
    const err = catchApiError(() => parseFields(list(51), TEST_FIELDS, opts));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.details).toEqual([expect.objectContaining({ field: 'fields', type: 'too_many_items' })]);
  });

  it('rejects a non-string value', () => {
    expect(catchApiError(() => parseFields(['a'], TEST_FIELDS, opts)).details[0]).toMatchObject({ field: 'fields', type: 'invalid_type' });
  });

  it('applyFieldSelection keeps only the selected API paths, through nested objects and arrays', () => {
    const resource = {
      id: 's1',
      siteCode: 'main',
      name: { en: 'Gold', de: 'Gold' },
      metadata: { version: 2, createdAt: 'x' },
      item: [{ code: 'a', other: 1 }, { other: 2 }],
    };
    const sel = parseFields('name.en,metadata.version,item.code', TEST_FIELDS, opts);
    expect(applyFieldSelection(resource, sel)).toEqual({
      id: 's1',
      name: { en: 'Gold' },
      metadata: { version: 2 },
      item: [{ code: 'a' }, {}],
    });
    expect(applyFieldSelection(resource, null)).toBe(resource);
    expect(resource.name).toEqual({ en: 'Gold', de: 'Gold' });
  });
});
