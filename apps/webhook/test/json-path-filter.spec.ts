import { compileFilter, filterProblem, FilterSyntaxError, MAX_FILTER_LENGTH } from '../src/common/json-path-filter';

// README "Filters": the Jayway predicate subset an entry's `filter` may use, and what it means.

const payload = {
  code: 'SUMMER',
  status: 'ACTIVE',
  published: true,
  deleted: false,
  count: 0,
  empty: '',
  nothing: null,
  total: { amount: 120.5, currency: 'EUR' },
  items: [{ sku: 'a', qty: 2 }, { sku: 'b' }],
  tags: ['x', 'y'],
  'odd key': 'yes',
  localizedName: { en: 'Shoes', de: 'Schuhe' },
};

const matches = (filter: string, data: unknown = payload) => compileFilter(filter)(data);

describe('compileFilter', () => {
  it.each([
    ["$[?(@.status == 'ACTIVE')]", true],
    ["$[?(@.status == 'INACTIVE')]", false],
    ["$[?(@.status != 'INACTIVE')]", true],
    ['$[?(@.total.amount > 100)]', true],
    ['$[?(@.total.amount >= 120.5)]', true],
    ['$[?(@.total.amount < 120.5)]', false],
    ['$[?(@.total.amount <= -1)]', false],
    ['$[?(@.total.amount > -1)]', true],
    ["$[?(@.code > 'A' && @.code < 'T')]", true],
    ["$[?(@.localizedName.de == 'Schuhe')]", true],
    ["$[?(@['odd key'] == 'yes')]", true],
    ["$[?(@['localizedName']['en'] == 'Shoes')]", true],
    ['$[?(@.items[0].qty == 2)]', true],
    ["$[?(@.items[1].sku == 'b')]", true],
    ['$[?(@.items[5].sku)]', false],
    ["$[?(@.status == 'X' || @.published)]", true],
    ['$[?(!@.deleted && @.published)]', true],
    ["$[?((@.status == 'X' || @.code == 'SUMMER') && !(@.count > 0))]", true],
    ['$[?(@.nothing == null)]', true],
    ['$[?(@.published == true)]', true],
    ['$[?(@.deleted == false)]', true],
    ['  $ [ ? ( @.published ) ]  ', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('compares with == and != strictly, without type coercion', () => {
    expect(matches("$[?(@.total.amount == '120.5')]")).toBe(false);
    expect(matches('$[?(@.count == false)]')).toBe(false);
    expect(matches('$[?(@.empty == 0)]')).toBe(false);
    expect(matches("$[?(@.count != '0')]")).toBe(true);
  });

  it('a missing path never matches == and always matches !=, also against another missing path', () => {
    expect(compileFilter('$[?(@.a == @.b)]')({})).toBe(false);
    expect(compileFilter('$[?(@.a != @.b)]')({})).toBe(true);
    expect(compileFilter('$[?(@.a == @.b)]')({ a: 1 })).toBe(false);
    expect(compileFilter('$[?(@.a != @.b)]')({ a: 1 })).toBe(true);
  });

  it('compares arrays and objects by content', () => {
    expect(compileFilter('$[?(@.a == @.b)]')({ a: { x: [1, 2] }, b: { x: [1, 2] } })).toBe(true);
    expect(compileFilter('$[?(@.a == @.b)]')({ a: { x: [1, 2] }, b: { x: [2, 1] } })).toBe(false);
  });

  it('orders only two numbers or two strings; anything else is false', () => {
    expect(matches("$[?(@.total.amount > '100')]")).toBe(false);
    expect(matches('$[?(@.code < 5)]')).toBe(false);
    expect(matches('$[?(@.published > 0)]')).toBe(false);
    expect(matches('$[?(@.nothing < 1)]')).toBe(false);
  });

  it('a missing path never matches == or an ordering and always matches !=', () => {
    expect(matches("$[?(@.missing == 'x')]")).toBe(false);
    expect(matches('$[?(@.missing == null)]')).toBe(false);
    expect(matches('$[?(@.missing > 1)]')).toBe(false);
    expect(matches('$[?(@.missing <= 1)]')).toBe(false);
    expect(matches("$[?(@.missing != 'x')]")).toBe(true);
    expect(matches('$[?(@.total.missing.deeper != 1)]')).toBe(true);
    expect(matches('$[?(@.code.length == 6)]')).toBe(false);
  });

  it('a bare path tests existence and truthiness (false, null, 0 and empty strings do not count)', () => {
    expect(matches('$[?(@.code)]')).toBe(true);
    expect(matches('$[?(@.tags)]')).toBe(true);
    for (const path of ['missing', 'deleted', 'nothing', 'count', 'empty']) expect(matches(`$[?(@.${path})]`)).toBe(false);
    expect(matches('$[?(!@.missing)]')).toBe(true);
  });

  it('reads own properties only: prototype names find nothing', () => {
    expect(matches('$[?(@.constructor)]')).toBe(false);
    expect(matches("$[?(@['__proto__'])]")).toBe(false);
    expect(matches('$[?(@.toString != 1)]')).toBe(true);
  });

  it('never throws for payloads of any shape', () => {
    const filter = compileFilter("$[?(@.a.b == 'x')]");
    for (const data of [null, undefined, 'text', 42, [], [{ a: { b: 'x' } }], { a: null }, { a: 'str' }]) expect(filter(data)).toBe(false);
    expect(filter({ a: { b: 'x' } })).toBe(true);
  });

  it.each([
    ['$.status', 'the filter must have the form'],
    ["$[?(@.status == 'A')", 'the filter must have the form'],
    ['[?(@.a)]', 'the filter must have the form'],
    ['$[?()]', 'the predicate is empty'],
    ['$[?(  )]', 'the predicate is empty'],
    ['$[?(@.name =~ /a.*/)]', 'does not parse'],
    ['$[?(@.code.length() > 2)]', 'CallExpression is not supported'],
    ['$[?(status == 1)]', "unknown name 'status'"],
    ['$[?(@.a + 1 > 2)]', 'operator + is not supported'],
    ['$[?(@.a in [1, 2])]', 'does not parse'],
    ['$[?(@.a ? 1 : 2)]', 'ConditionalExpression is not supported'],
    ['$[?(~@.a)]', 'operator ~ is not supported'],
    ['$[?(@[@.key] == 1)]', 'bracketed path segment'],
    ['$[?($.a == 1)]', 'a path must start with @'],
    ['$[?([1, 2] == @.a)]', 'ArrayExpression is not supported'],
  ])('refuses %s', (filter, words) => {
    expect(() => compileFilter(filter)).toThrow(FilterSyntaxError);
    const problem = filterProblem(filter);
    expect(problem).toBeDefined();
    expect(problem).toContain(words);
  });

  it('refuses filters longer than the limit and predicates nested too deeply', () => {
    const long = `$[?(@.a == '${'x'.repeat(MAX_FILTER_LENGTH)}')]`;
    expect(filterProblem(long)).toBe(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
    const deep = `$[?(${'!'.repeat(40)}@.a)]`;
    expect(filterProblem(deep)).toBe('the predicate is nested too deeply');
  });

  it('filterProblem is undefined for a valid filter', () => {
    expect(filterProblem("$[?(@.status == 'DECLINED')]")).toBeUndefined();
  });
});
