import { compileSearchBody, searchBodyQ } from './search-body';
import { catchApiError, TEST_FIELDS } from './test-support';

describe('searchBodyQ / compileSearchBody (PAG-9, Q-31.4)', () => {
  it('a missing body, {} or an absent/empty q means no filter', () => {
    for (const body of [undefined, {}, { q: undefined }, { q: '' }, { other: 1 }]) {
      expect(compileSearchBody(body, TEST_FIELDS, { languages: ['en'] })).toEqual({});
    }
  });

  it('a JSON null body is a body that is not an object (400), unlike no body at all', () => {
    expect(catchApiError(() => searchBodyQ(null))).toMatchObject({ errorCode: 'validation_failed', details: [{ type: 'invalid_type' }] });
  });

  it('returns q and ignores other properties', () => {
    expect(searchBodyQ({ q: 'siteCode:main', pageSize: 5 })).toBe('siteCode:main');
    expect(compileSearchBody({ q: 'siteCode:main', $where: 'x' }, TEST_FIELDS, { languages: ['en'] })).toEqual({ siteCode: 'main' });
  });

  it.each([[5], [null], [true], [['siteCode:a']], [{ $ne: null }], [{}]])('a non-string q (%j) is 400 invalid_query', (q) => {
    const err = catchApiError(() => searchBodyQ({ q }));
    expect(err.errorCode).toBe('invalid_query');
    expect(err.details).toEqual([expect.objectContaining({ field: 'q', type: 'invalid_type' })]);
  });

  it('q is limited to 4096 characters', () => {
    expect(searchBodyQ({ q: `code:${'a'.repeat(4091)}` })).toHaveLength(4096);
    const err = catchApiError(() => searchBodyQ({ q: `code:${'a'.repeat(4092)}` }));
    expect(err.details).toEqual([expect.objectContaining({ field: 'q', type: 'limit_exceeded' })]);
    expect(catchApiError(() => searchBodyQ({ q: 'x'.repeat(10 * 1024 * 1024) })).errorCode).toBe('invalid_query');
  });

  it.each([['string'], [5], [[{ q: 'a:b' }]], [true]])(
    'a body that is not an object (%j) is 400 validation_failed without field',
    (body) => {
      const err = catchApiError(() => searchBodyQ(body));
      expect(err.errorCode).toBe('validation_failed');
      expect(err.details).toEqual([expect.objectContaining({ type: 'invalid_type' })]);
      expect(err.details[0].field).toBeUndefined();
    },
  );

  it('does not read q from the prototype', () => {
    const body = Object.create({ q: 'siteCode:x' }) as object;
    expect(searchBodyQ(body)).toBe('');
  });

  it('compile errors surface as invalid_query', () => {
    expect(catchApiError(() => compileSearchBody({ q: 'nope:1' }, TEST_FIELDS, { languages: ['en'] })).details[0].type).toBe(
      'unknown_field',
    );
  });
});
