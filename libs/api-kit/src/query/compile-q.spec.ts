import { Query } from 'mingo';
import { ApiError } from '../errors';
import { compileQ, CompileQContext } from './compile-q';
import type { FieldRegistry } from './field-registry';
import { assertNoForbiddenOperators, MongoFilter } from './filter';
import { catchApiError, TEST_FIELDS } from './test-support';

const CTX: CompileQContext = { languages: ['en', 'de'], tenantLanguages: ['en', 'de', 'fr'] };
const COMPOUND: CompileQContext = { ...CTX, allowCompound: true };

function q(text: unknown, ctx: CompileQContext = CTX, registry: FieldRegistry = TEST_FIELDS): MongoFilter {
  const out = compileQ(text, registry, ctx);
  assertNoForbiddenOperators(out);
  return out;
}

/** Asserts a `400 invalid_query` with exactly one detail on `q` of the given type. */
function qFails(text: unknown, type: string, ctx: CompileQContext = CTX, message?: RegExp): ApiError {
  const err = catchApiError(() => compileQ(text, TEST_FIELDS, ctx));
  expect(err.errorCode).toBe('invalid_query');
  expect(err.httpStatus).toBe(400);
  expect(err.details).toHaveLength(1);
  expect(err.details[0]).toMatchObject({ field: 'q', type });
  if (message) expect(err.details[0].message).toMatch(message);
  return err;
}

function matches(filter: MongoFilter, doc: object): boolean {
  return new Query(filter).test(doc as Record<string, unknown>);
}

describe('compileQ — §5.1 empty queries', () => {
  it.each(['', ' ', '\t\r\n  '])('compiles %j to {}', (text) => {
    expect(q(text)).toEqual({});
  });
  it('treats an absent q as no filter', () => {
    expect(q(undefined)).toEqual({});
  });
});

describe('compileQ — Q-11 operator table', () => {
  it.each<[string, string, MongoFilter, CompileQContext?]>([
    ['equality', 'siteCode:main', { siteCode: 'main' }],
    ['localized equality', 'name.en:"Golden Segment"', { 'name.en': 'Golden Segment' }],
    ['comparison', 'metadata.version:>=2', { 'metadata.version': { $gte: 2 } }],
    ['range', 'metadata.version:(>=1 AND <3)', { 'metadata.version': { $gte: 1, $lt: 3 } }],
    [
      'date range',
      'metadataCreatedAt:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20T07:27:27.455Z")',
      { 'metadata.createdAt': { $gte: new Date('2021-05-18T07:27:27.455Z'), $lt: new Date('2021-05-20T07:27:27.455Z') } },
    ],
    ['boolean', 'categoryRestricted:true', { categoryRestricted: true }],
    ['null or absent', 'description.en:null', { 'description.en': null }],
    ['present and not null', 'mixins.loyalty:exists', { 'mixins.loyalty': { $exists: true, $ne: null } }],
    ['absent', 'mixins.loyalty:missing', { 'mixins.loyalty': { $exists: false } }],
    [
      'list',
      'id:(5c3325baa9812100098ff48f,5c3325d1a9812100098ff494)',
      { _id: { $in: ['5c3325baa9812100098ff48f', '5c3325d1a9812100098ff494'] } },
    ],
    ['regex', 'siteCode:~ain', { siteCode: { $regex: 'ain' } }],
    ['regex with spaces (paren first)', 'code:(~AB CD)', { code: { $regex: 'AB CD' } }],
    ['regex with spaces (tilde first)', 'code:~(AB CD)', { code: { $regex: 'AB CD' } }],
    ['regex with spaces (quoted)', 'code:~"AB CD"', { code: { $regex: 'AB CD' } }],
    ['case-insensitive regex', 'siteCode:~"(?i)MAIN"', { siteCode: { $regex: 'MAIN', $options: 'i' } }],
    ['compound OR', 'compoundLogicalQuery:((code:apple) OR (code:onion))', { $or: [{ code: 'apple' }, { code: 'onion' }] }, COMPOUND],
    [
      'compound nested',
      'compoundLogicalQuery:(((code:apple) AND (published:true)) OR ((code:onion) AND (published:false)))',
      {
        $or: [{ $and: [{ code: 'apple' }, { published: true }] }, { $and: [{ code: 'onion' }, { published: false }] }],
      },
      COMPOUND,
    ],
    [
      'compound with list',
      'compoundLogicalQuery:((code:("apple","onion")) OR (id:("123","456")))',
      { $or: [{ code: { $in: ['apple', 'onion'] } }, { _id: { $in: ['123', '456'] } }] },
      COMPOUND,
    ],
    // A default keeps the callback's arity at 3, or jest would take the 4th parameter for `done`.
  ])('%s: %s', (_name, text, expected, ctx = CTX) => {
    expect(q(text, ctx)).toEqual(expected);
  });

  it('emits dates as Date objects and regexes as strings', () => {
    const f = q('metadataCreatedAt:>=2021-05-18T07:27:27.455Z siteCode:~ain') as { $and: MongoFilter[] };
    expect(f.$and[0]['metadata.createdAt']).toEqual({ $gte: expect.any(Date) });
    const rx = (f.$and[1].siteCode as { $regex: unknown }).$regex;
    expect(typeof rx).toBe('string');
    expect(rx).not.toBeInstanceOf(RegExp);
  });
});

describe('compileQ — lexical rules Q-1 to Q-8', () => {
  it('Q-1: the path ends at the first colon; later colons belong to the value', () => {
    expect(q('siteCode:a:b')).toEqual({ siteCode: 'a:b' });
    expect(q('siteCode:::')).toEqual({ siteCode: '::' });
  });

  it('Q-2: an unquoted value ends at whitespace, "(" , ")" or the end', () => {
    expect(q('siteCode:main status:ACTIVE')).toEqual({ $and: [{ siteCode: 'main' }, { status: 'ACTIVE' }] });
    qFails('siteCode:ab(c)', 'syntax_error', CTX, /position 11/);
    qFails('siteCode:ab)', 'syntax_error', CTX, /position 11/);
  });

  it('Q-2: a double quote inside an unquoted value is a syntax error', () => {
    qFails('a:b"c"', 'syntax_error', CTX, /position 3/);
    qFails('siteCode:ma"in', 'syntax_error');
  });

  it('Q-3: quoted values are never keywords or operators', () => {
    expect(q('status:"null"')).toEqual({ status: 'null' });
    expect(q('status:"exists"')).toEqual({ status: 'exists' });
    expect(q('code:">5"')).toEqual({ code: '>5' });
    expect(q('code:"~abc"')).toEqual({ code: '~abc' });
    expect(q('code:"(a,b)"')).toEqual({ code: '(a,b)' });
  });

  it('Q-3: \\" and \\\\ are unescaped, any other backslash is kept as typed', () => {
    expect(q('code:"a\\"b"')).toEqual({ code: 'a"b' });
    expect(q('code:"a\\\\b"')).toEqual({ code: 'a\\b' });
    expect(q('code:"\\d+\\s"')).toEqual({ code: '\\d+\\s' });
    expect(q('code:~"^\\d+$"')).toEqual({ code: { $regex: '^\\d+$' } });
    expect(q('code:""')).toEqual({ code: '' });
  });

  it('Q-3: an unterminated quote is a syntax error at the end of input', () => {
    qFails('code:"abc', 'syntax_error', CTX, /position 9/);
    qFails('code:"abc\\"', 'syntax_error');
  });

  it('Q-3: a quoted value must be followed by whitespace, ")" or the end', () => {
    qFails('code:"a"b', 'syntax_error', CTX, /position 8/);
    qFails('code:"a""b"', 'syntax_error');
  });

  it('Q-4: values with spaces need quotes', () => {
    expect(q('name.en:"Golden Segment"')).toEqual({ 'name.en': 'Golden Segment' });
    // Unquoted, "Segment" starts a new clause that has no colon.
    qFails('name.en:Golden Segment', 'syntax_error', CTX, /":" after the field name, found end of input at position 22$/);
  });

  it('Q-5: commas are ordinary characters outside lists and separators inside', () => {
    expect(q('siteCode:a,b')).toEqual({ siteCode: 'a,b' });
    expect(q('id:("a,b",c)')).toEqual({ _id: { $in: ['a,b', 'c'] } });
    expect(q('id:( a , b ,c )')).toEqual({ _id: { $in: ['a', 'b', 'c'] } });
  });

  it('Q-6: parenthesised values are classified by their first character', () => {
    expect(q('code:(~x y)')).toEqual({ code: { $regex: 'x y' } });
    expect(q('code:( >a)')).toEqual({ code: { $gt: 'a' } });
    expect(q('code:(<=b)')).toEqual({ code: { $lte: 'b' } });
    expect(q('code:(a)')).toEqual({ code: { $in: ['a'] } });
    // "~" after whitespace is not the regex form: it is a list item.
    expect(q('code:( ~x)')).toEqual({ code: { $in: ['~x'] } });
  });

  it('Q-7: keywords are lowercase and whole values only; AND/OR uppercase only', () => {
    expect(q('status:NULL')).toEqual({ status: 'NULL' });
    expect(q('status:Exists')).toEqual({ status: 'Exists' });
    expect(q('status:nullx')).toEqual({ status: 'nullx' });
    qFails('status:null(', 'syntax_error');
    qFails('metadata.version:(>1 and <3)', 'syntax_error');
    qFails('compoundLogicalQuery:((code:a) or (code:b))', 'syntax_error', COMPOUND);
  });

  it('Q-8: compileQ sees decoded text; "+" is an ordinary character', () => {
    expect(q('code:a+b')).toEqual({ code: 'a+b' });
    expect(q('code:a%2Bb')).toEqual({ code: 'a%2Bb' });
  });

  it('accepts tab, CR and LF as whitespace between clauses', () => {
    expect(q('\tsiteCode:a\r\nstatus:b\n')).toEqual({ $and: [{ siteCode: 'a' }, { status: 'b' }] });
  });

  it('path segments may contain digits, "_" and "-" after the first character', () => {
    expect(q('mixins.attr_1-x.v2:1')).toEqual({ 'mixins.attr_1-x.v2': 1 });
  });
});

describe('compileQ — §5.7 syntax errors with 0-based positions', () => {
  it.each<[string, number]>([
    ['1abc:x', 0],
    ['$where:1', 0],
    ['status', 6],
    ['status:', 7],
    ['status:>', 8],
    ['status:>=', 9],
    ['status:> 5', 8],
    ['status:~', 8],
    ['status: main', 7],
    ['siteCode:main extra', 19],
    ['a.:x', 2],
    ['.a:x', 0],
    ['a..b:x', 2],
    ['code:(a,,b)', 8],
    ['code:(a b)', 8],
    ['code:(a', 7],
    ['code:()', 6],
    ['code:( )', 7],
    ['code:~(abc', 10],
    ['code:(~abc', 10],
    ['status:a)', 8],
    ['siteCode:~(?i)MAIN', 14],
    ['metadata.version:(>1 OR <3)', 21],
    ['metadata.version:(>1 AND)', 24],
    ['metadata.version:(>1 AND <2 AND <3)', 28],
    ['metadata.version:(>1 AND 2)', 25],
    ['metadata.version:>>1', 18],
    ['metadata.version:<~1', 18],
    ['AND', 3],
    ['siteCode:a AND status:b', 14],
  ])('%j fails at position %i', (text, pos) => {
    const err = qFails(text, 'syntax_error');
    expect(err.details[0].message).toMatch(new RegExp(`at position ${pos}$`));
  });

  it('messages say what was expected', () => {
    qFails('status', 'syntax_error', CTX, /^expected ":" after the field name, found end of input at position 6$/);
    qFails('status:', 'syntax_error', CTX, /^expected a value, found end of input at position 7$/);
    qFails('a:b"c"', 'syntax_error', CTX, /^expected whitespace, "\)" or end of input after the value, found '"' at position 3$/);
  });
});

describe('compileQ — Q-10 combining clauses', () => {
  it('ANDs clauses in source order', () => {
    expect(q('siteCode:main status:ACTIVE metadata.version:>1')).toEqual({
      $and: [{ siteCode: 'main' }, { status: 'ACTIVE' }, { 'metadata.version': { $gt: 1 } }],
    });
  });
  it('keeps two clauses on one field as two conditions', () => {
    expect(q('code:a code:b')).toEqual({ $and: [{ code: 'a' }, { code: 'b' }] });
  });
});

describe('compileQ — Q-12 regexes', () => {
  it('the four spellings are equivalent', () => {
    const expected = { code: { $regex: 'Yoghurt' } };
    for (const text of ['code:~Yoghurt', 'code:~(Yoghurt)', 'code:(~Yoghurt)', 'code:~"Yoghurt"']) {
      expect(q(text)).toEqual(expected);
    }
    expect(q('code:~(Yoghurt im)')).toEqual({ code: { $regex: 'Yoghurt im' } });
  });

  it('patterns are unanchored substring searches and case-sensitive', () => {
    const f = q('siteCode:~ain');
    expect(matches(f, { siteCode: 'main' })).toBe(true);
    expect(matches(f, { siteCode: 'MAIN' })).toBe(false);
    expect(matches(q('siteCode:~^ain'), { siteCode: 'main' })).toBe(false);
  });

  it('(?i) makes the match case-insensitive in the quoted and doubled-parenthesis forms', () => {
    const expected = { siteCode: { $regex: 'MAIN', $options: 'i' } };
    expect(q('siteCode:~"(?i)MAIN"')).toEqual(expected);
    expect(q('siteCode:~((?i)MAIN)')).toEqual(expected);
    expect(q('siteCode:(~(?i)MAIN)')).toEqual(expected);
    expect(matches(q('siteCode:~"(?i)MAIN"'), { siteCode: 'domain' })).toBe(true);
  });

  it('no other inline flag is supported', () => {
    qFails('siteCode:~"(?m)MAIN"', 'invalid_regex');
    qFails('siteCode:~"(?s)MAIN"', 'invalid_regex');
  });

  it('parenthesised patterns balance brackets and keep backslash pairs verbatim', () => {
    expect(q('code:~(a(b)c)')).toEqual({ code: { $regex: 'a(b)c' } });
    expect(q('code:(~a\\)b)')).toEqual({ code: { $regex: 'a\\)b' } });
    expect(q('code:~(\\(x)')).toEqual({ code: { $regex: '\\(x' } });
    expect(q('code:~(a"b)')).toEqual({ code: { $regex: 'a"b' } });
  });

  it('a pattern that JavaScript cannot compile is invalid_regex', () => {
    qFails('code:~"(a"', 'invalid_regex');
    qFails('code:~"[a"', 'invalid_regex');
    qFails('code:~"a{2,1}"', 'invalid_regex');
    qFails('code:~*a', 'invalid_regex');
    qFails('code:~"(?<n>a)(?<n>b)"', 'invalid_regex');
  });

  it('patterns that can backtrack catastrophically are invalid_regex', () => {
    for (const p of ['(a+)+$', '(a*)*b', '(a|aa)*', '(?:a|a)+', '((ab)*c)+', '(\\w+\\s?)*$', '(.*a){20}', '([a-z]+)+x']) {
      qFails(`code:~"${p}"`, 'invalid_regex', CTX, /exponential/);
    }
  });

  it('ordinary patterns with groups and quantifiers are fine', () => {
    for (const p of ['^(ab)+$', '(ab)?c*', '[(]+', '\\(+x', '(a|b)c', 'a{2,3}b+', '(?<y>\\d{4})-\\d{2}', '(ab){1}']) {
      expect(q(`code:~"${p}"`)).toEqual({ code: { $regex: p } });
    }
  });

  it('regex on a non-text field is invalid_value', () => {
    qFails('metadata.version:~1', 'invalid_value', CTX, /regex/);
    qFails('published:~true', 'invalid_value');
    qFails('validity.from:~2020', 'invalid_value');
  });

  it('empty patterns are allowed', () => {
    expect(q('code:~""')).toEqual({ code: { $regex: '' } });
    expect(q('code:(~)')).toEqual({ code: { $regex: '' } });
  });
});

describe('compileQ — Q-13 null, exists, missing', () => {
  const docs = [{ code: 'x' }, { code: null }, {}, { code: '' }];

  it('compiles the keywords', () => {
    expect(q('code:null')).toEqual({ code: null });
    expect(q('code:exists')).toEqual({ code: { $exists: true, $ne: null } });
    expect(q('code:missing')).toEqual({ code: { $exists: false } });
  });

  it('null and exists partition the documents; missing matches only absent fields', () => {
    const isNull = q('code:null');
    const exists = q('code:exists');
    const missing = q('code:missing');
    for (const d of docs) expect(matches(isNull, d)).toBe(!matches(exists, d));
    expect(docs.filter((d) => matches(missing, d))).toEqual([{}]);
    expect(docs.filter((d) => matches(isNull, d))).toEqual([{ code: null }, {}]);
  });
});

describe('compileQ — Q-14 lists', () => {
  it('always compiles to $in, typed per field, with unquoted null as null', () => {
    expect(q('code:(a)')).toEqual({ code: { $in: ['a'] } });
    expect(q('metadata.version:(1,2.5,-3e2)')).toEqual({ 'metadata.version': { $in: [1, 2.5, -300] } });
    expect(q('metadata.version:(1,null)')).toEqual({ 'metadata.version': { $in: [1, null] } });
    expect(q('code:(a,"null",null)')).toEqual({ code: { $in: ['a', 'null', null] } });
    expect(q('published:(true,"false")')).toEqual({ published: { $in: [true, false] } });
    expect(q('validity.from:(2024-01-01,"2024-02-01T00:00:00+01:00")')).toEqual({
      'validity.from': { $in: [new Date('2024-01-01T00:00:00Z'), new Date('2024-01-31T23:00:00Z')] },
    });
  });

  it('rejects an item of the wrong type', () => {
    qFails('metadata.version:(1,two)', 'invalid_value', CTX, /two/);
  });

  it('empty lists are 400', () => {
    qFails('code:()', 'syntax_error');
    qFails('code:(  )', 'syntax_error');
  });

  it('200 items are allowed, 201 are limit_exceeded', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`).join(',');
    expect((q(`code:(${items(200)})`).code as { $in: string[] }).$in).toHaveLength(200);
    qFails(`code:(${items(201)})`, 'limit_exceeded', CTX, /200/);
  });
});

describe('compileQ — Q-15 ranges', () => {
  it('one or two comparisons joined by AND', () => {
    expect(q('metadata.version:(>1)')).toEqual({ 'metadata.version': { $gt: 1 } });
    expect(q('metadata.version:( <=9  AND   >=1 )')).toEqual({ 'metadata.version': { $lte: 9, $gte: 1 } });
    expect(q('code:(>="a" AND <"b")')).toEqual({ code: { $gte: 'a', $lt: 'b' } });
  });

  it('two lower or two upper bounds are invalid_value', () => {
    qFails('metadata.version:(>1 AND >=2)', 'invalid_value', CTX, /lower bound/);
    qFails('metadata.version:(<1 AND <=2)', 'invalid_value', CTX, /upper bound/);
  });

  it('OR inside a range is a syntax error', () => {
    qFails('metadata.version:(>1 OR <3)', 'syntax_error', CTX, /OR is not supported inside a range/);
  });

  it('matches the documents in the interval', () => {
    const f = q('metadata.version:(>=1 AND <3)');
    const versions = [0, 1, 2, 3].filter((v) => matches(f, { metadata: { version: v } }));
    expect(versions).toEqual([1, 2]);
  });
});

describe('compileQ — Q-16 compoundLogicalQuery', () => {
  it('is a syntax error saying it is not supported when the option is off (the default)', () => {
    qFails('compoundLogicalQuery:((code:apple) OR (code:onion))', 'syntax_error', CTX, /not supported/);
    qFails('siteCode:main compoundLogicalQuery:((code:a))', 'syntax_error', CTX, /not supported.* at position 14/);
    qFails('compoundLogicalQuery:x', 'syntax_error', CTX, /not supported/);
  });

  it('a group with one operand compiles to that operand', () => {
    expect(q('compoundLogicalQuery:((code:apple))', COMPOUND)).toEqual({ code: 'apple' });
    expect(q('compoundLogicalQuery:( ( code:apple ) )', COMPOUND)).toEqual({ code: 'apple' });
  });

  it('combines with other clauses by whitespace', () => {
    expect(q('siteCode:main compoundLogicalQuery:((code:a) OR (code:b))', COMPOUND)).toEqual({
      $and: [{ siteCode: 'main' }, { $or: [{ code: 'a' }, { code: 'b' }] }],
    });
  });

  it('a group mixing AND and OR is a syntax error', () => {
    qFails('compoundLogicalQuery:((code:a) AND (code:b) OR (code:c))', 'syntax_error', COMPOUND, /cannot mix AND and OR/);
  });

  it('needs a group after the colon and parenthesised operands', () => {
    qFails('compoundLogicalQuery:code:a', 'syntax_error', COMPOUND, /"\(" after compoundLogicalQuery/);
    qFails('compoundLogicalQuery:(code:a)', 'syntax_error', COMPOUND, /"\(" to start an operand/);
    qFails('compoundLogicalQuery:((code:a)OR (code:b))', 'syntax_error', COMPOUND);
    qFails('compoundLogicalQuery:((code:a) OR(code:b))', 'syntax_error', COMPOUND);
    qFails('compoundLogicalQuery:((code:a) (code:b))', 'syntax_error', COMPOUND);
    qFails('compoundLogicalQuery:((code:a) OR (code:b)', 'syntax_error', COMPOUND);
  });

  it('the name is reserved: it is never a field path', () => {
    qFails('compoundLogicalQuery.x:1', 'unknown_field', COMPOUND);
    expect(() => compileQ('x:1', { compoundLogicalQuery: { type: 'string' } }, CTX)).toThrow(/not a valid field path/);
  });

  it('allows 5 levels of groups and rejects 6', () => {
    const nest = (levels: number): string => {
      let s = '(code:a)';
      for (let i = 0; i < levels; i++) s = `(${s} OR (code:b))`;
      return `compoundLogicalQuery:${s}`;
    };
    expect(() => q(nest(5), COMPOUND)).not.toThrow();
    qFails(nest(6), 'limit_exceeded', COMPOUND, /5 levels/);
  });

  it('compound operands count as terms', () => {
    const ops = Array.from({ length: 51 }, (_, i) => `(code:v${i})`).join(' OR ');
    qFails(`compoundLogicalQuery:(${ops})`, 'limit_exceeded', COMPOUND, /50 terms/);
  });
});

describe('compileQ — Q-17 arrays', () => {
  it('equality, lists and regexes match any element of an array field', () => {
    const doc = { ecn: ['AB1', 'AX6784'] };
    expect(matches(q('ecn:AX6784'), doc)).toBe(true);
    expect(matches(q('ecn:(x,AB1)'), doc)).toBe(true);
    expect(matches(q('ecn:~^AX'), doc)).toBe(true);
    expect(matches(q('ecn:ZZ'), doc)).toBe(false);
  });
  it('positional paths are not expressible', () => {
    qFails('mixins.items.0.id:x', 'syntax_error', CTX, /position 13/);
  });
});

describe('compileQ — Q-18 aliases', () => {
  it('maps id to _id and the metadata aliases to their dotted paths', () => {
    expect(q('id:abc')).toEqual({ _id: 'abc' });
    expect(q('metadataCreatedAt:>2024-01-01')).toEqual({ 'metadata.createdAt': { $gt: new Date('2024-01-01T00:00:00Z') } });
    expect(q('metadata.modifiedAt:<2024-01-01')).toEqual({ 'metadata.modifiedAt': { $lt: new Date('2024-01-01T00:00:00Z') } });
    expect(q('metadataModifiedAt:null')).toEqual({ 'metadata.modifiedAt': null });
    expect(q('itemId:p1')).toEqual({ 'item.id': 'p1' });
  });
  it('an id that is not a registry key is unknown (the registry decides)', () => {
    const err = catchApiError(() => compileQ('id:x', { code: { db: '_id', type: 'string' } }, CTX));
    expect(err.details[0].type).toBe('unknown_field');
  });
});

describe('compileQ — Q-20 typing by the registry', () => {
  it('string and id fields keep the text, even when it looks like a number or boolean', () => {
    expect(q('code:12')).toEqual({ code: '12' });
    expect(q('code:true')).toEqual({ code: 'true' });
    expect(q('code:<5')).toEqual({ code: { $lt: '5' } });
  });

  it('number fields take JSON numbers, quoted or not', () => {
    expect(q('metadata.version:3')).toEqual({ 'metadata.version': 3 });
    expect(q('metadata.version:"3"')).toEqual({ 'metadata.version': 3 });
    expect(q('position:-0.5e1')).toEqual({ position: -5 });
    for (const bad of ['abc', '01', '1.', '.5', '+1', '0x10', '1e', 'NaN', 'Infinity', '1e400', '"1 "', '1_000']) {
      qFails(`position:${bad}`, 'invalid_value');
    }
  });

  it('boolean fields take lowercase true/false, quoted or not, and no comparisons', () => {
    expect(q('published:"false"')).toEqual({ published: false });
    qFails('published:True', 'invalid_value');
    qFails('published:1', 'invalid_value');
    qFails('published:>false', 'invalid_value', CTX, /cannot be compared/);
    qFails('published:(>false)', 'invalid_value');
  });

  it('date fields take ISO date-times with offset or plain dates, quoted or not', () => {
    expect(q('validity.to:<2025-01-01T00:00:00Z')).toEqual(q('validity.to:<"2025-01-01T00:00:00Z"'));
    expect(q('validity.to:2025-01-01')).toEqual({ 'validity.to': new Date('2025-01-01T00:00:00.000Z') });
    expect(q('validity.to:2025-01-01T10:00+02:00')).toEqual({ 'validity.to': new Date('2025-01-01T08:00:00.000Z') });
    expect(q('validity.to:2024-02-29T23:59:59.999999-00:30')).toEqual({ 'validity.to': new Date('2024-03-01T00:29:59.999Z') });
    for (const bad of [
      '2025-01-01T00:00:00',
      '2025-13-01',
      '2025-02-29',
      '2025-01-01T24:00Z',
      '2025-1-1',
      '20250101',
      '2025-01-01T00:00:00z',
      '2025-01-01 00:00Z',
      'yesterday',
      '2025-01-01T00:00:00+0100',
      '2025-01-01T00:00:60Z',
    ]) {
      qFails(`validity.to:"${bad}"`, 'invalid_value');
    }
  });

  it('keeps years below 100 literal', () => {
    const d = q('validity.to:0042-03-04')['validity.to'] as Date;
    expect(d.getUTCFullYear()).toBe(42);
    expect(d.toISOString()).toBe('0042-03-04T00:00:00.000Z');
  });

  it('object fields allow keywords only; their sub-paths are typed by syntax', () => {
    expect(q('item:exists')).toEqual({ item: { $exists: true, $ne: null } });
    qFails('item:x', 'invalid_value', CTX, /null, exists or missing/);
    expect(q('item.code:12')).toEqual({ 'item.code': 12 });
  });
});

describe('compileQ — Q-21 localized fields', () => {
  it('with a suffix the sub-field is a string field', () => {
    expect(q('name.de:Gold')).toEqual({ 'name.de': 'Gold' });
    expect(q('name.en:~"(?i)gold"')).toEqual({ 'name.en': { $regex: 'gold', $options: 'i' } });
  });

  it('the suffix may be any tenant language (not only the selected ones), matched case-insensitively', () => {
    expect(q('name.fr:Or')).toEqual({ 'name.fr': 'Or' });
    expect(q('name.EN:Gold')).toEqual({ 'name.en': 'Gold' });
  });

  it('a suffix that is not a tenant language is unsupported_language', () => {
    qFails('name.ru:Zoloto', 'unsupported_language', CTX, /'ru'/);
    qFails('name.en-US:Gold', 'unsupported_language');
  });

  it('keywords without suffix test the whole map', () => {
    expect(q('name:exists')).toEqual({ name: { $exists: true, $ne: null } });
    expect(q('description:null')).toEqual({ description: null });
    expect(q('description:missing')).toEqual({ description: { $exists: false } });
  });

  it('other forms are expanded over ctx.languages in order', () => {
    expect(q('name:Gold')).toEqual({ $or: [{ 'name.en': 'Gold' }, { 'name.de': 'Gold' }] });
    expect(q('name:Gold', { languages: ['de'], tenantLanguages: ['en', 'de'] })).toEqual({ 'name.de': 'Gold' });
    expect(q('name:(a,b)', { languages: ['fr', 'en'] })).toEqual({
      $or: [{ 'name.fr': { $in: ['a', 'b'] } }, { 'name.en': { $in: ['a', 'b'] } }],
    });
    expect(q('name:~^G')).toEqual({ $or: [{ 'name.en': { $regex: '^G' } }, { 'name.de': { $regex: '^G' } }] });
    expect(q('name:(>a AND <c)', { languages: ['en'] })).toEqual({ 'name.en': { $gt: 'a', $lt: 'c' } });
  });

  it('deeper paths under a localized field are unknown', () => {
    qFails('name.en.x:Gold', 'unknown_field');
  });
});

describe('compileQ — Q-22 mixin paths', () => {
  it('types values by syntax: unquoted numbers and booleans, everything else a string, no dates', () => {
    expect(q('mixins.attrs.maxQty:>20')).toEqual({ 'mixins.attrs.maxQty': { $gt: 20 } });
    expect(q('mixins.attrs.code:"20"')).toEqual({ 'mixins.attrs.code': '20' });
    expect(q('mixins.attrs.flag:true')).toEqual({ 'mixins.attrs.flag': true });
    expect(q('mixins.attrs.flag:"true"')).toEqual({ 'mixins.attrs.flag': 'true' });
    expect(q('mixins.attrs.at:2024-01-01')).toEqual({ 'mixins.attrs.at': '2024-01-01' });
    expect(q('mixins.attrs.v:(1,"1",true,null,x)')).toEqual({ 'mixins.attrs.v': { $in: [1, '1', true, null, 'x'] } });
    expect(q('mixins.attrs.s:~"^a"')).toEqual({ 'mixins.attrs.s': { $regex: '^a' } });
  });

  it('documents the consequences: a number does not match a stored string and vice versa', () => {
    expect(matches(q('mixins.attrs.maxQty:>20'), { mixins: { attrs: { maxQty: '25' } } })).toBe(false);
    expect(matches(q('mixins.attrs.code:"20"'), { mixins: { attrs: { code: 20 } } })).toBe(false);
  });

  it('works under any mixins-typed field such as metadata.mixins', () => {
    expect(q('metadata.mixins.loyalty:exists')).toEqual({ 'metadata.mixins.loyalty': { $exists: true, $ne: null } });
  });

  it('the mixins root itself accepts keywords only', () => {
    expect(q('mixins:missing')).toEqual({ mixins: { $exists: false } });
    qFails('mixins:1', 'invalid_value');
  });

  it('a registry without mixins has no mixin paths', () => {
    const err = catchApiError(() => compileQ('mixins.a:1', { code: { type: 'string' } }, CTX));
    expect(err.details[0].type).toBe('unknown_field');
  });
});

describe('compileQ — Q-23 unknown fields', () => {
  it.each(['foo:1', 'siteCode.x:1', 'metadata:1', 'metadata.other:1', 'validity:1', 'name_en:1', 'Code:a'])(
    '%s is unknown_field naming the path',
    (text) => {
      const path = text.slice(0, text.indexOf(':'));
      qFails(text, 'unknown_field', CTX, new RegExp(`'${path.replace('.', '\\.')}'`));
    },
  );
});

describe('compileQ — Q-30 limits', () => {
  it('q: 4096 characters pass, 4097 are limit_exceeded (code points, not UTF-16 units)', () => {
    const pad = (n: number) => `code:${'a'.repeat(n - 5)}`;
    expect(() => q(pad(4096))).not.toThrow();
    qFails(pad(4097), 'limit_exceeded', CTX, /4096/);
    const emoji = '\u{1F600}';
    expect(() => q(`code:${emoji.repeat(4091)}`)).not.toThrow(); // 8182 UTF-16 units, 4096 code points
    qFails(`code:${emoji.repeat(4092)}`, 'limit_exceeded');
  });

  it('terms: 50 pass, 51 are limit_exceeded', () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `code:v${i}`).join(' ');
    expect((q(terms(50)).$and as unknown[]).length).toBe(50);
    qFails(terms(51), 'limit_exceeded', CTX, /50 terms/);
  });

  it('paths: 10 segments and 256 characters pass, more are limit_exceeded', () => {
    expect(() => q('mixins.a.b.c.d.e.f.g.h.i:1')).not.toThrow();
    qFails('mixins.a.b.c.d.e.f.g.h.i.j:1', 'limit_exceeded', CTX, /10 segments/);
    const long = (n: number) => `mixins.${'x'.repeat(n - 7)}:1`;
    expect(() => q(long(256))).not.toThrow();
    qFails(long(257), 'limit_exceeded', CTX, /256 characters/);
  });

  it('regex patterns: 200 characters pass, 201 are limit_exceeded; the coupon override lowers it to 100', () => {
    expect(() => q(`code:~"${'a'.repeat(200)}"`)).not.toThrow();
    qFails(`code:~"${'a'.repeat(201)}"`, 'limit_exceeded', CTX, /200/);
    const coupon = { ...CTX, maxRegexLength: 100 };
    expect(() => q(`code:~${'a'.repeat(100)}`, coupon)).not.toThrow();
    qFails(`code:~${'a'.repeat(101)}`, 'limit_exceeded', coupon, /100/);
  });

  it('limits can be lowered but never raised', () => {
    qFails(`code:~"${'a'.repeat(201)}"`, 'limit_exceeded', { ...CTX, maxRegexLength: 1000 });
    qFails(`code:(a,b,c)`, 'limit_exceeded', { ...CTX, limits: { maxListItems: 2 } });
    qFails('code:a code:b', 'limit_exceeded', { ...CTX, limits: { maxTerms: 1, maxLength: 99999 } });
  });
});

describe('compileQ — Q-31 no operator injection', () => {
  it('a path can never start with $ or contain brackets', () => {
    qFails('$where:1', 'syntax_error');
    qFails('q[$ne]:x', 'syntax_error', CTX, /position 1/);
    qFails('siteCode[$ne]=x', 'syntax_error');
    qFails('siteCode.$ne:x', 'syntax_error');
    qFails('siteCode[$regex]:.*', 'syntax_error');
  });

  it('an unquoted {"$ne":null} is a syntax error; quoted it is a plain string', () => {
    qFails('siteCode:{"$ne":null}', 'syntax_error');
    expect(q('siteCode:"{\\"$ne\\":null}"')).toEqual({ siteCode: '{"$ne":null}' });
    expect(q('siteCode:{$ne:null}')).toEqual({ siteCode: '{$ne:null}' });
  });

  it('operator-looking values stay string values', () => {
    for (const v of ['$where', '$gt', '$expr', '$function']) {
      const f = q(`siteCode:${v}`);
      expect(f).toEqual({ siteCode: v });
      expect(typeof f.siteCode).toBe('string');
    }
    expect(q('siteCode:($where,"$ne")')).toEqual({ siteCode: { $in: ['$where', '$ne'] } });
  });

  it('prototype paths are unknown fields, except mixin keys named constructor or prototype (META-8)', () => {
    for (const p of [
      '__proto__',
      'constructor',
      'prototype',
      'mixins.__proto__',
      'mixins.constructor.__proto__',
      'item.__proto__.x',
      'item.constructor',
      'toString',
      'hasOwnProperty',
    ]) {
      qFails(`${p}:x`, 'unknown_field');
    }
    // Below mixins they are ordinary keys: the path only ever becomes one dotted Mongo key.
    expect(q('mixins.constructor.prototype:x')).toEqual({ 'mixins.constructor.prototype': 'x' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('q must be a string', () => {
    for (const bad of [5, null, true, ['siteCode:a', 'siteCode:b'], { $ne: null }, { toString: () => 'siteCode:a' }]) {
      qFails(bad, 'invalid_type', CTX, /string/);
    }
  });
});

describe('compileQ — hostile inputs', () => {
  it('brackets nested 1000 deep give a clean 400 in every position', () => {
    const deep = '('.repeat(1000);
    qFails(deep, 'syntax_error');
    qFails(`code:${deep}`, 'syntax_error');
    qFails(`code:${deep}x${')'.repeat(1000)}`, 'syntax_error');
    qFails(`code:~${deep}`, 'syntax_error', CTX, /unbalanced/);
    qFails(`compoundLogicalQuery:${deep}`, 'limit_exceeded', COMPOUND);
    qFails(`compoundLogicalQuery:${deep}`, 'syntax_error', CTX);
    // A balanced 1000-deep regex pattern parses but is longer than the regex limit.
    qFails(`code:~${deep}a${')'.repeat(1000)}`, 'limit_exceeded');
  });

  it('a 1 MB input is rejected quickly without parsing', () => {
    const start = process.hrtime.bigint();
    qFails(`code:${'a'.repeat(1 << 20)}`, 'limit_exceeded');
    qFails('('.repeat(1 << 20), 'limit_exceeded');
    qFails('\u{1F600}'.repeat(1 << 19), 'limit_exceeded');
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(500);
  });

  it('control characters and lone surrogates are syntax errors', () => {
    for (const c of ['\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u009f']) {
      qFails(`code:a${c}b`, 'syntax_error', CTX, /position 6/);
      qFails(`code:"a${c}b"`, 'syntax_error');
    }
    qFails('code:a\ud800', 'syntax_error');
    qFails('code:a\udc00b', 'syntax_error');
    qFails('code:~"\u0000"', 'syntax_error');
  });

  it('unicode text is an ordinary value', () => {
    expect(q('name.de:Käse')).toEqual({ 'name.de': 'Käse' });
    expect(q('code:\u{1F600}\u00a0x')).toEqual({ code: '\u{1F600}\u00a0x' });
    expect(q('code:"日本 語"')).toEqual({ code: '日本 語' });
    expect(q('code:~"^\\p{L}+$"')).toEqual({ code: { $regex: '^\\p{L}+$' } });
  });

  it('adversarial inputs stay linear', () => {
    const inputs = [
      `code:"${'\\'.repeat(4000)}`,
      `code:~(${'\\('.repeat(2000)}`,
      `code:(${'a,'.repeat(2040)}`,
      `${'a.'.repeat(2000)}a:1`,
      `code:${'"'.repeat(4000)}`,
      `metadata.version:(${'>'.repeat(4000)})`,
      ` `.repeat(4096),
    ];
    const start = process.hrtime.bigint();
    for (const text of inputs) {
      try {
        q(text);
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
      }
    }
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(500);
  });
});

// Deterministic PRNG (mulberry32) so a failure can be replayed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('compileQ — property: any input gives a clean invalid_query or a safe filter', () => {
  const tokens = [
    'code',
    'name',
    'name.en',
    'name.xx',
    'id',
    'metadata.version',
    'published',
    'validity.from',
    'mixins.a',
    'mixins',
    'item',
    'compoundLogicalQuery',
    '$where',
    '$ne',
    '__proto__',
    'constructor',
    ':',
    ':',
    ':',
    '(',
    '(',
    ')',
    ')',
    '"',
    '\\',
    '~',
    '>',
    '>=',
    '<',
    '<=',
    ',',
    ' ',
    ' ',
    '\t',
    '\n',
    'AND',
    'OR',
    'null',
    'exists',
    'missing',
    'true',
    'false',
    '1',
    '-2.5e3',
    '2024-01-01',
    '"2024-01-01T00:00:00Z"',
    '(?i)',
    '.*',
    '+',
    '*',
    '{',
    '}',
    '[',
    ']',
    '$',
    '.',
    'ä',
    '\u{1F600}',
    '\u0000',
    '\ud800',
    'a',
    'Z',
    '_',
    '-',
    '|',
    '^',
    '{"$ne":null}',
  ];
  const allowedTypes = new Set([
    'syntax_error',
    'invalid_value',
    'invalid_type',
    'unknown_field',
    'unsupported_language',
    'invalid_regex',
    'limit_exceeded',
  ]);

  function check(text: string, ctx: CompileQContext): 'ok' | 'error' {
    let out: MongoFilter;
    try {
      out = compileQ(text, TEST_FIELDS, ctx);
    } catch (e) {
      // Plain checks instead of expect(): this runs tens of thousands of times.
      if (!(e instanceof ApiError)) throw new Error(`non-ApiError for ${JSON.stringify(text)}: ${String(e)}`);
      const d = e.details;
      if (e.errorCode !== 'invalid_query' || e.httpStatus !== 400 || d.length !== 1 || d[0].field !== 'q' || !allowedTypes.has(d[0].type)) {
        throw new Error(`malformed error for ${JSON.stringify(text)}: ${JSON.stringify({ code: e.errorCode, d })}`);
      }
      return 'error';
    }
    try {
      assertNoForbiddenOperators(out);
      JSON.stringify(out);
    } catch (e) {
      throw new Error(`unsafe output for ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
    return 'ok';
  }

  it('token soup (10,000 inputs, compound on and off)', () => {
    const rand = rng(20240601);
    const counts = { ok: 0, error: 0 };
    for (let i = 0; i < 10000; i++) {
      const n = 1 + Math.floor(rand() * 12);
      let text = '';
      for (let j = 0; j < n; j++) text += tokens[Math.floor(rand() * tokens.length)];
      counts[check(text, i % 2 ? COMPOUND : CTX)]++;
    }
    // Both outcomes must actually occur, or the generator is not exercising the compiler.
    expect(counts.ok).toBeGreaterThan(25);
    expect(counts.error).toBeGreaterThan(100);
  });

  it('mutations of valid queries (10,000 inputs)', () => {
    const seeds = [
      'siteCode:main status:ACTIVE',
      'metadata.version:(>=1 AND <3)',
      'id:("a,b",c,null)',
      'name:~"(?i)gold"',
      'compoundLogicalQuery:(((code:apple) AND (published:true)) OR ((code:onion) AND (published:false)))',
      'validity.from:>"2021-05-18T07:27:27.455Z"',
      'mixins.loyalty:exists',
      'code:(~AB CD)',
      'code:~(a(b)c)',
    ];
    const rand = rng(7);
    const counts = { ok: 0, error: 0 };
    for (let i = 0; i < 10000; i++) {
      const chars = [...seeds[i % seeds.length]];
      const edits = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * (chars.length + 1));
        const op = rand();
        const tok = tokens[Math.floor(rand() * tokens.length)];
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, tok);
        else chars.splice(at, 1, tok);
      }
      counts[check(chars.join(''), COMPOUND)]++;
    }
    expect(counts.ok).toBeGreaterThan(500);
    expect(counts.error).toBeGreaterThan(500);
  });

  // Grammar-driven: builds mostly valid queries covering every value form, then sometimes garbles
  // them, so that the "safe output" branch is exercised for every shape the compiler can emit.
  function generated(rand: () => number, compound: boolean): string {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const paths = [
      'code',
      'id',
      'name',
      'name.en',
      'name.fr',
      'description',
      'metadata.version',
      'published',
      'validity.from',
      'metadataCreatedAt',
      'mixins.a.b',
      'metadata.mixins.x',
      'item',
      'item.code',
      'itemId',
      'mixins',
      'ecn',
      'position',
    ];
    const texts = [
      'a',
      'main',
      '1',
      '-2.5',
      'true',
      'false',
      '2024-01-01',
      '2024-01-01T00:00:00Z',
      '$where',
      '{$ne:null}',
      'a:b',
      'a,b',
      'ä\u{1F600}',
      'null',
      '__proto__',
      'x~y',
      'a>b',
    ];
    const quoted = () => `"${pick([...texts, 'a b', '\\"x\\"', '\\d+', '(', ')', ''])}"`;
    const scalar = () => (rand() < 0.5 ? quoted() : pick(texts));
    const cmp = () => `${pick(['>', '>=', '<', '<='])}${scalar()}`;
    const pattern = () => pick(['ain', '^a', '(?i)MAIN', 'a b', 'a(b)c', '\\d+', '(a+)+', '[', 'x'.repeat(150), '']);
    const value = (): string => {
      switch (Math.floor(rand() * 9)) {
        case 0:
          return pick(['null', 'exists', 'missing']);
        case 1:
        case 2:
          return scalar();
        case 3:
          return cmp();
        case 4:
          return `(${cmp()}${rand() < 0.7 ? ` AND ${cmp()}` : ''})`;
        case 5:
          return `(${Array.from({ length: 1 + Math.floor(rand() * 4) }, () => (rand() < 0.2 ? 'null' : scalar())).join(',')})`;
        case 6:
          return `~${rand() < 0.5 ? `"${pattern()}"` : `(${pattern()})`}`;
        case 7:
          return `(~${pattern()})`;
        default:
          return `~${pick(['ain', '^x', 'a.c'])}`;
      }
    };
    const term = () => `${pick(paths)}:${value()}`;
    const group = (depth: number): string => {
      const n = 1 + Math.floor(rand() * 3);
      const conj = pick(['AND', 'OR']);
      const ops = Array.from({ length: n }, () => (depth < 3 && rand() < 0.3 ? group(depth + 1) : `(${term()})`));
      return `(${ops.join(` ${conj} `)})`;
    };
    const clauses = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
      compound && rand() < 0.3 ? `compoundLogicalQuery:${group(1)}` : term(),
    );
    let text = clauses.join(pick([' ', '  ', '\t', '\n']));
    if (rand() < 0.3) {
      const at = Math.floor(rand() * text.length);
      text = text.slice(0, at) + pick(tokens) + text.slice(at + (rand() < 0.5 ? 1 : 0));
    }
    return text;
  }

  it('grammar-generated queries (10,000 inputs) cover every form', () => {
    const rand = rng(4242);
    const counts = { ok: 0, error: 0 };
    const keys = new Set<string>();
    const collect = (v: unknown): void => {
      if (v && typeof v === 'object' && !(v instanceof Date)) {
        for (const [k, x] of Object.entries(v)) {
          if (k.startsWith('$')) keys.add(k);
          collect(x);
        }
      }
    };
    for (let i = 0; i < 10000; i++) {
      const ctx = i % 2 ? COMPOUND : CTX;
      const text = generated(rand, ctx === COMPOUND);
      if (check(text, ctx) === 'ok') {
        counts.ok++;
        collect(compileQ(text, TEST_FIELDS, ctx));
      } else counts.error++;
    }
    expect(counts.ok).toBeGreaterThan(2000);
    expect(counts.error).toBeGreaterThan(1000);
    // Every allowed operator was produced at least once, so the safety check saw all shapes.
    expect([...keys].sort()).toEqual(['$and', '$exists', '$gt', '$gte', '$in', '$lt', '$lte', '$ne', '$options', '$or', '$regex']);
  });

  it('random code units, including control and surrogate characters', () => {
    const rand = rng(99);
    for (let i = 0; i < 5000; i++) {
      let text = '';
      const n = Math.floor(rand() * 40);
      for (let j = 0; j < n; j++) text += String.fromCharCode(rand() < 0.8 ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 0xffff));
      check(text, i % 2 ? COMPOUND : CTX);
    }
  });
});

describe('compileQ — examples from the service contracts', () => {
  const ASSIGNMENTS: FieldRegistry = {
    segmentId: { type: 'string', sortable: true },
    type: { type: 'string', sortable: true },
    'item.id': { type: 'string', sortable: true, aliases: ['itemId'] },
    'item.code': { type: 'string' },
    assignmentType: { type: 'string' },
    mixins: { type: 'mixins' },
    'metadata.mixins': { type: 'mixins' },
  };
  const COUPONS: FieldRegistry = {
    code: { db: '_id', type: 'string', sortable: true },
    discountType: { type: 'string', sortable: true },
    allowAnonymous: { type: 'boolean', sortable: true },
    'restrictions.validUntil': { type: 'date', sortable: true },
    'restrictions.segments': { type: 'string' },
    mixins: { type: 'mixins' },
  };
  const CATEGORIES: FieldRegistry = {
    id: { db: '_id', type: 'id', sortable: true },
    localizedName: { type: 'localized', sortable: true },
    ecn: { type: 'string' },
  };
  const ctx = { languages: ['en', 'de', 'fr'] };

  it('customer-segment: item assignments by segment list and type', () => {
    expect(compileQ('segmentId:(seg-a,seg-b) type:CATEGORY', ASSIGNMENTS, ctx)).toEqual({
      $and: [{ segmentId: { $in: ['seg-a', 'seg-b'] } }, { type: 'CATEGORY' }],
    });
    expect(compileQ('assignmentType:MANUAL', ASSIGNMENTS, ctx)).toEqual({ assignmentType: 'MANUAL' });
    expect(compileQ('metadata.mixins.segmentAttributes:exists', ASSIGNMENTS, ctx)).toEqual({
      'metadata.mixins.segmentAttributes': { $exists: true, $ne: null },
    });
  });

  it('coupon: terms, dates, the lower regex limit, compound off', () => {
    const couponCtx = { ...ctx, maxRegexLength: 100 };
    expect(compileQ('discountType:PERCENT allowAnonymous:false', COUPONS, couponCtx)).toEqual({
      $and: [{ discountType: 'PERCENT' }, { allowAnonymous: false }],
    });
    expect(compileQ('restrictions.validUntil:>="2025-01-01T00:00:00Z"', COUPONS, couponCtx)).toEqual({
      'restrictions.validUntil': { $gte: new Date('2025-01-01T00:00:00Z') },
    });
    expect(compileQ('code:(~WIN TER)', COUPONS, couponCtx)).toEqual({ _id: { $regex: 'WIN TER' } });
    expect(catchApiError(() => compileQ(`code:~${'x'.repeat(101)}`, COUPONS, couponCtx)).details[0].type).toBe('limit_exceeded');
    expect(catchApiError(() => compileQ('compoundLogicalQuery:((code:a) OR (code:b))', COUPONS, couponCtx)).details[0].type).toBe(
      'syntax_error',
    );
  });

  it('coupon → segment peer call: quoted id lists', () => {
    expect(compileQ('id:("s1","s-2")', TEST_FIELDS, ctx)).toEqual({ _id: { $in: ['s1', 's-2'] } });
  });

  it('category: case-insensitive regex on one language, bare names over all, ecn arrays', () => {
    expect(compileQ('localizedName.en:~"(?i)hand"', CATEGORIES, ctx)).toEqual({ 'localizedName.en': { $regex: 'hand', $options: 'i' } });
    expect(compileQ('localizedName:Hand', CATEGORIES, ctx)).toEqual({
      $or: [{ 'localizedName.en': 'Hand' }, { 'localizedName.de': 'Hand' }, { 'localizedName.fr': 'Hand' }],
    });
    expect(compileQ('ecn:AX6784', CATEGORIES, ctx)).toEqual({ ecn: 'AX6784' });
  });
});
