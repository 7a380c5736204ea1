import { ApiError, assertNoForbiddenOperators, compileQ } from '@suite/api-kit';
import { compileRule, PROFILE_RULE_FIELDS, ProfileFacts } from './profile-rule';

/** Profiles the stored data may hold but the type does not describe (nulls, odd mixins). */
function stored(doc: object): ProfileFacts {
  return doc as ProfileFacts;
}

const PROFILES: Record<string, ProfileFacts> = {
  anna: {
    attributes: {
      country: 'DE',
      emailDomain: 'example.com',
      orderCount: 12,
      totalSpent: { amount: 640.5, currency: 'EUR' },
      lastOrderAt: new Date('2024-03-01T10:00:00.000Z'),
      tags: ['vip', 'newsletter'],
    },
    mixins: {
      loyalty: { tier: 'gold', points: 1200, active: true },
      orders: [
        { sku: 'A-1', qty: 2 },
        { sku: 'B-7', qty: 1 },
      ],
      legacyScore: '700',
    },
  },
  ben: {
    attributes: { country: 'AT', emailDomain: 'shop.at', orderCount: 0, tags: [] },
    mixins: { loyalty: { tier: 'silver', points: 80, active: false }, legacyScore: 300 },
  },
  cleo: {
    attributes: {
      country: 'FR',
      emailDomain: 'Example.org',
      orderCount: 3,
      totalSpent: { amount: 99.99, currency: 'EUR' },
      lastOrderAt: new Date('2023-12-24T18:30:00.000Z'),
      tags: ['newsletter'],
    },
    mixins: { orders: [{ sku: 'C-3', qty: 5 }, { qty: 1 }], loyalty: 'gold' },
  },
  dora: stored({ attributes: { country: null, tags: [null, 'vip'] }, mixins: { loyalty: null, orders: [] } }),
  emil: { attributes: {} },
};

/** The names of the fixtures `rule` matches, checking that `explain` agrees on every profile. */
function matching(rule: string): string[] {
  const compiled = compileRule(rule);
  return Object.entries(PROFILES)
    .filter(([, profile]) => {
      const matched = compiled.matches(profile);
      expect(compiled.explain(profile).held).toBe(matched);
      return matched;
    })
    .map(([name]) => name);
}

/** Runs `fn`, which must throw an ApiError, and returns it. */
function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, but nothing was thrown');
}

describe('compileRule — the filter', () => {
  it('keeps the source and compiles with compileQ over PROFILE_RULE_FIELDS', () => {
    const rule = 'attributes.country:DE attributes.totalSpent.amount:>500';
    const compiled = compileRule(rule);
    expect(compiled.source).toBe(rule);
    expect(compiled.filter).toEqual({ $and: [{ 'attributes.country': 'DE' }, { 'attributes.totalSpent.amount': { $gt: 500 } }] });
    expect(compiled.filter).toEqual(compileQ(rule, PROFILE_RULE_FIELDS, { languages: [], allowCompound: true }));
    assertNoForbiddenOperators(compiled.filter);
  });

  it('types declared fields by the registry and mixin paths by syntax (Q-20, Q-22)', () => {
    expect(compileRule('attributes.lastOrderAt:>=2024-01-01').filter).toEqual({
      'attributes.lastOrderAt': { $gte: new Date('2024-01-01T00:00:00.000Z') },
    });
    expect(compileRule('attributes.totalSpent.currency:"100"').filter).toEqual({ 'attributes.totalSpent.currency': '100' });
    expect(compileRule('mixins.a.b:100').filter).toEqual({ 'mixins.a.b': 100 });
    expect(compileRule('mixins.a.b:"100"').filter).toEqual({ 'mixins.a.b': '100' });
    expect(compileRule('mixins.a.b:2024-01-01').filter).toEqual({ 'mixins.a.b': '2024-01-01' });
  });
});

describe('compileRule — whether the database may pick a re-evaluation’s candidates', () => {
  it('yes for terms that need a value; no as soon as one holds through a missing value or null', () => {
    for (const rule of [
      'attributes.country:DE',
      'attributes.totalSpent.amount:>500 attributes.tags:(a,b)',
      'attributes.emailDomain:~"^shop" mixins.loyalty.tier:exists',
      'compoundLogicalQuery:((attributes.country:DE) OR (attributes.orderCount:>=3))',
    ])
      expect({ rule, ok: compileRule(rule).databaseFindsAll }).toEqual({ rule, ok: true });
    for (const rule of [
      'attributes.country:missing',
      'attributes.country:DE mixins.orders.sku:null',
      'compoundLogicalQuery:((attributes.country:DE) OR (attributes.tags:missing))',
    ])
      expect({ rule, ok: compileRule(rule).databaseFindsAll }).toEqual({ rule, ok: false });
  });
});

describe('compileRule — every form of q over profiles', () => {
  it.each<[string, string, string[]]>([
    ['string equality', 'attributes.country:DE', ['anna']],
    ['number equality', 'attributes.orderCount:12', ['anna']],
    ['number equality, zero', 'attributes.orderCount:0', ['ben']],
    ['boolean equality through mixins', 'mixins.loyalty.active:true', ['anna']],
    ['a quoted "true" is a string, not the boolean', 'mixins.loyalty.active:"true"', []],
    ['date equality, another offset for the same instant', 'attributes.lastOrderAt:2024-03-01T11:00:00+01:00', ['anna']],
    ['list', 'attributes.country:(DE,AT)', ['anna', 'ben']],
    ['list with null', 'attributes.country:(AT,null)', ['ben', 'dora', 'emil']],
    ['>', 'attributes.orderCount:>3', ['anna']],
    ['>=', 'attributes.orderCount:>=3', ['anna', 'cleo']],
    ['<', 'attributes.orderCount:<3', ['ben']],
    ['<=', 'attributes.orderCount:<=3', ['ben', 'cleo']],
    ['range', 'attributes.orderCount:(>=1 AND <12)', ['cleo']],
    ['range written upper bound first', 'attributes.orderCount:(<=12 AND >0)', ['anna', 'cleo']],
    ['the money path', 'attributes.totalSpent.amount:>500', ['anna']],
    ['the money currency', 'attributes.totalSpent.currency:EUR', ['anna', 'cleo']],
    ['a date compared with an ISO date', 'attributes.lastOrderAt:>2024-01-01', ['anna']],
    ['a date range with quoted date-times', 'attributes.lastOrderAt:(>="2023-12-24T18:30:00Z" AND <"2024-03-01T10:00:00Z")', ['cleo']],
    ['null: null or missing', 'attributes.country:null', ['dora', 'emil']],
    ['exists: present and not null', 'attributes.country:exists', ['anna', 'ben', 'cleo']],
    ['missing: absent only', 'attributes.country:missing', ['emil']],
    ['an object field: exists', 'attributes.totalSpent:exists', ['anna', 'cleo']],
    ['an object field: missing', 'attributes.totalSpent:missing', ['ben', 'dora', 'emil']],
    ['regex, case-sensitive', 'attributes.emailDomain:~^example', ['anna']],
    ['regex, case-insensitive', 'attributes.emailDomain:~"(?i)^EXAMPLE"', ['anna', 'cleo']],
    ['regex in the parenthesised form', 'attributes.emailDomain:~(\\.(com|org)$)', ['anna', 'cleo']],
    ['an array field: any element', 'attributes.tags:vip', ['anna', 'dora']],
    ['an array field: regex over the elements', 'attributes.tags:~^news', ['anna', 'cleo']],
    ['an array field: list', 'attributes.tags:(vip,newsletter)', ['anna', 'cleo', 'dora']],
    ['an array field: null matches a null element', 'attributes.tags:null', ['dora', 'emil']],
    ['an array field: an empty array exists', 'attributes.tags:exists', ['anna', 'ben', 'cleo']],
    ['a mixin path', 'mixins.loyalty.tier:gold', ['anna']],
    ['a mixin number comparison', 'mixins.loyalty.points:>100', ['anna']],
    ['a mixin string vs a numeric comparison: other type bracket', 'mixins.legacyScore:>500', []],
    ['a mixin number vs a numeric comparison', 'mixins.legacyScore:>200', ['ben']],
    ['a mixin string compared as a string', 'mixins.legacyScore:>"500"', ['anna']],
    ['a mixin string equality does not match the number', 'mixins.legacyScore:"300"', []],
    ['a mixin boolean comparison: false < true', 'mixins.loyalty.active:>false', ['anna']],
    ['an array of objects fans out', 'mixins.orders.sku:B-7', ['anna']],
    ['an array of objects with a comparison', 'mixins.orders.qty:>=5', ['cleo']],
    ['an array of objects with a regex', 'mixins.orders.sku:~^[AC]-', ['anna', 'cleo']],
    ['an array of objects: an element without the key counts as missing', 'mixins.orders.sku:null', ['ben', 'cleo', 'emil']],
    ['an array of objects: missing', 'mixins.orders.sku:missing', ['ben', 'dora', 'emil']],
    ['a scalar in the middle of the path is missing', 'mixins.loyalty.tier:missing', ['cleo', 'dora', 'emil']],
    ['own keys only (META-8 names)', 'mixins.constructor:exists', []],
    ['AND by whitespace', 'attributes.country:(DE,FR) attributes.orderCount:>5', ['anna']],
    ['OR', 'compoundLogicalQuery:((attributes.country:AT) OR (mixins.loyalty.tier:gold))', ['anna', 'ben']],
    ['AND in parentheses', 'compoundLogicalQuery:((attributes.tags:newsletter) AND (attributes.orderCount:<10))', ['cleo']],
    [
      'nested groups',
      'compoundLogicalQuery:(((attributes.country:DE) AND (attributes.tags:vip)) OR ((attributes.country:missing) AND (mixins:missing)))',
      ['anna', 'emil'],
    ],
    [
      'a compound clause ANDed with a term',
      'compoundLogicalQuery:((attributes.country:DE) OR (attributes.country:FR)) attributes.tags:vip',
      ['anna'],
    ],
  ])('%s: %s', (_name, rule, expected) => {
    expect(matching(rule)).toEqual(expected);
  });
});

describe('compileRule — MongoDB semantics at the edges', () => {
  const edge = (doc: object) => stored({ attributes: {}, mixins: doc });
  const holds = (rule: string, doc: object) => compileRule(rule).matches(edge(doc));

  it('an array along the path: an empty array or one without documents yields no value (MongoDB 8.0)', () => {
    for (const orders of [[], [1, 2], [[{ sku: 'A' }]]]) {
      expect(holds('mixins.orders.sku:null', { orders })).toBe(false);
      expect(holds('mixins.orders.sku:exists', { orders })).toBe(false);
      expect(holds('mixins.orders.sku:missing', { orders })).toBe(true);
    }
    // One document without the key yields "missing": null and (x,null) hold, so exists cannot.
    expect(holds('mixins.orders.sku:(x,null)', { orders: [{ sku: 'y' }, {}] })).toBe(true);
    expect(holds('mixins.orders.sku:exists', { orders: [{ sku: 'y' }, {}] })).toBe(false);
    expect(holds('mixins.orders.sku:missing', { orders: [{ sku: 'y' }, {}] })).toBe(false);
  });

  it('a nested array at the end of the path is not searched, only the outer elements', () => {
    expect(holds('mixins.matrix:1', { matrix: [[1, 2]] })).toBe(false);
    expect(holds('mixins.matrix:1', { matrix: [1, [2]] })).toBe(true);
  });

  it('the bounds of a range may be met by different elements (no $elemMatch)', () => {
    expect(holds('mixins.scores:(>1 AND <5)', { scores: [0, 10] })).toBe(true);
    expect(holds('mixins.scores:(>1 AND <5)', { scores: [10] })).toBe(false);
  });

  it('exists means present and not null: [null] and null do not exist, and null finds them', () => {
    expect(holds('mixins.x:exists', { x: [null] })).toBe(false);
    expect(holds('mixins.x:null', { x: [null] })).toBe(true);
    expect(holds('mixins.x:exists', { x: null })).toBe(false);
    expect(holds('mixins.x:missing', { x: null })).toBe(false);
    expect(holds('mixins.x:exists', { x: {} })).toBe(true);
  });

  it('compares numbers numerically and strings by code unit, never across types', () => {
    expect(holds('mixins.n:1', { n: 1.0 })).toBe(true);
    expect(holds('mixins.n:"1"', { n: 1 })).toBe(false);
    expect(holds('mixins.s:<a', { s: 'Z' })).toBe(true);
    expect(holds('mixins.s:>10', { s: '9' })).toBe(false);
    expect(holds('mixins.s:>"10"', { s: '9' })).toBe(true);
    expect(holds('mixins.b:<2', { b: true })).toBe(false);
    expect(holds('mixins.d:>"2024"', { d: new Date('2025-01-01') })).toBe(false);
  });

  it('regexes apply to strings only', () => {
    expect(holds('mixins.code:~^12', { code: 123 })).toBe(false);
    expect(holds('mixins.code:~^12', { code: '123' })).toBe(true);
    expect(holds('mixins.code:~^12', { code: [5, '129'] })).toBe(true);
  });

  it('a Date stored in a mixin is a date, not an object to descend into', () => {
    expect(holds('mixins.d.x:missing', { d: new Date('2025-01-01') })).toBe(true);
  });
});

describe('compileRule — bad rules', () => {
  /** Asserts a 400 validation_failed with exactly one detail on `rule` of the given type. */
  function fails(rule: unknown, type: string): ApiError {
    const err = apiErrorOf(() => compileRule(rule));
    expect(err.errorCode).toBe('validation_failed');
    expect(err.httpStatus).toBe(400);
    expect(err.details).toEqual([{ field: 'rule', type, message: expect.any(String) }]);
    return err;
  }

  it.each<[string, unknown, string]>([
    ['empty', '', 'missing_value'],
    ['whitespace only', ' \t\n', 'missing_value'],
    ['not a string', 42, 'invalid_type'],
    ['absent', undefined, 'invalid_type'],
    ['null', null, 'invalid_type'],
    ['a list of strings', ['attributes.country:DE'], 'invalid_type'],
  ])('%s', (_name, rule, type) => {
    fails(rule, type);
  });

  it.each<[string, string, string]>([
    ['unknown field', 'attributes.city:Berlin', 'unknown_field'],
    ['undeclared parent', 'attributes:exists', 'unknown_field'],
    ['wrong value type', 'attributes.orderCount:abc', 'invalid_value'],
    ['date that is not ISO', 'attributes.lastOrderAt:>yesterday', 'invalid_value'],
    ['regex on a number field', 'attributes.orderCount:~5', 'invalid_value'],
    ['an object field compared with a value', 'attributes.totalSpent:500', 'invalid_value'],
    ['too many terms', Array.from({ length: 51 }, (_, i) => `mixins.m${i}:1`).join(' '), 'limit_exceeded'],
    ['a regex that backtracks catastrophically', 'attributes.emailDomain:~"(a+)+$"', 'invalid_regex'],
    ['AND between top-level clauses (whitespace means AND)', 'attributes.country:DE AND attributes.orderCount:>1', 'syntax_error'],
    ['mixed AND and OR in one group', 'compoundLogicalQuery:((mixins.a:1) AND (mixins.b:2) OR (mixins.c:3))', 'syntax_error'],
  ])('%s', (_name, rule, type) => {
    const err = fails(rule, type);
    // The message is compileQ's own; only the field changes from q to rule.
    const original = apiErrorOf(() => compileQ(rule, PROFILE_RULE_FIELDS, { languages: [], allowCompound: true }));
    expect(original.details).toEqual([{ field: 'q', type, message: err.details[0].message }]);
  });

  it('accepts the maximum of 50 terms', () => {
    expect(() => compileRule(Array.from({ length: 50 }, (_, i) => `mixins.m${i}:1`).join(' '))).not.toThrow();
  });
});

describe('compileRule — explain', () => {
  const rule = compileRule(
    'attributes.country:(DE,AT) attributes.totalSpent.amount:>500 attributes.lastOrderAt:>=2024-01-01 ' +
      'compoundLogicalQuery:((attributes.tags:vip) OR (mixins.orders.sku:~"(?i)^b-")) attributes.emailDomain:exists',
  );

  it('shows every clause with the actual values of a profile the rule holds for', () => {
    expect(rule.explain(PROFILES.anna)).toEqual({
      kind: 'all',
      held: true,
      clauses: [
        { kind: 'clause', field: 'attributes.country', condition: 'in [DE, AT]', actual: 'DE', present: true, held: true },
        { kind: 'clause', field: 'attributes.totalSpent.amount', condition: '> 500', actual: 640.5, present: true, held: true },
        {
          kind: 'clause',
          field: 'attributes.lastOrderAt',
          condition: '>= 2024-01-01T00:00:00.000Z',
          actual: '2024-03-01T10:00:00.000Z',
          present: true,
          held: true,
        },
        {
          kind: 'any',
          held: true,
          clauses: [
            { kind: 'clause', field: 'attributes.tags', condition: '= vip', actual: ['vip', 'newsletter'], present: true, held: true },
            { kind: 'clause', field: 'mixins.orders.sku', condition: 'matches /^b-/i', actual: ['A-1', 'B-7'], present: true, held: true },
          ],
        },
        { kind: 'clause', field: 'attributes.emailDomain', condition: 'exists', actual: 'example.com', present: true, held: true },
      ],
    });
    expect(rule.matches(PROFILES.anna)).toBe(true);
  });

  it('shows which clauses failed, with missing values as null and not present', () => {
    expect(rule.explain(PROFILES.ben)).toEqual({
      kind: 'all',
      held: false,
      clauses: [
        { kind: 'clause', field: 'attributes.country', condition: 'in [DE, AT]', actual: 'AT', present: true, held: true },
        { kind: 'clause', field: 'attributes.totalSpent.amount', condition: '> 500', actual: null, present: false, held: false },
        {
          kind: 'clause',
          field: 'attributes.lastOrderAt',
          condition: '>= 2024-01-01T00:00:00.000Z',
          actual: null,
          present: false,
          held: false,
        },
        {
          kind: 'any',
          held: false,
          clauses: [
            { kind: 'clause', field: 'attributes.tags', condition: '= vip', actual: [], present: true, held: false },
            { kind: 'clause', field: 'mixins.orders.sku', condition: 'matches /^b-/i', actual: null, present: false, held: false },
          ],
        },
        { kind: 'clause', field: 'attributes.emailDomain', condition: 'exists', actual: 'shop.at', present: true, held: true },
      ],
    });
    expect(rule.matches(PROFILES.ben)).toBe(false);
  });

  it('tells a stored null from a missing field and turns dates inside values into ISO strings', () => {
    const country = compileRule('attributes.country:null');
    expect(country.explain(PROFILES.dora)).toEqual({
      kind: 'clause',
      field: 'attributes.country',
      condition: 'null or missing',
      actual: null,
      present: true,
      held: true,
    });
    expect(country.explain(PROFILES.emil)).toMatchObject({ actual: null, present: false, held: true });
    const profile = stored({ attributes: {}, mixins: { visit: { at: new Date('2024-05-01T00:00:00Z'), pages: ['a'] } } });
    expect(compileRule('mixins.visit:missing').explain(profile)).toMatchObject({
      condition: 'missing',
      actual: { at: '2024-05-01T00:00:00.000Z', pages: ['a'] },
      present: true,
      held: false,
    });
  });

  it('quotes argument texts that would read as another type', () => {
    const condition = (text: string) => (compileRule(text).explain(PROFILES.emil) as { condition: string }).condition;
    expect(condition('mixins.a:500')).toBe('= 500');
    expect(condition('mixins.a:"500"')).toBe('= "500"');
    expect(condition('mixins.a:("true",false,null,"a b",x)')).toBe('in ["true", false, null, "a b", x]');
    expect(condition('mixins.a:2024-01-01')).toBe('= "2024-01-01"');
    expect(condition('mixins.a:(>1 AND <="9")')).toBe('> 1 and <= "9"');
  });
});
