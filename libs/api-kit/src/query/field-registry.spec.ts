import { ApiError } from '../errors';
import { compileQ } from './compile-q';
import type { FieldCondition } from './field-condition';
import { FieldRegistry, isPathSyntax, metadataFields, resolveField } from './field-registry';
import { assertNoForbiddenOperators } from './filter';
import { queryError } from './query-error';
import { parseSort } from './sort';
import { catchApiError, TEST_FIELDS } from './test-support';

describe('field registry (§5.5)', () => {
  it('resolves declared fields, aliases, localized languages and free sub-paths', () => {
    const langs = ['en', 'de'];
    expect(resolveField(TEST_FIELDS, 'id', langs)).toMatchObject({ kind: 'declared', name: 'id', db: '_id' });
    expect(resolveField(TEST_FIELDS, 'metadataCreatedAt', langs)).toMatchObject({
      kind: 'declared',
      name: 'metadata.createdAt',
      db: 'metadata.createdAt',
    });
    expect(resolveField(TEST_FIELDS, 'name.DE', langs)).toMatchObject({ kind: 'language', name: 'name.de', db: 'name.de', language: 'de' });
    expect(resolveField(TEST_FIELDS, 'item.code', langs)).toMatchObject({ kind: 'free', db: 'item.code' });
    expect(resolveField(TEST_FIELDS, 'item.id', langs)).toMatchObject({ kind: 'declared', db: 'item.id' });
    expect(resolveField(TEST_FIELDS, 'metadata.mixins.x.y', langs)).toMatchObject({ kind: 'free', db: 'metadata.mixins.x.y' });
    expect(resolveField(TEST_FIELDS, 'name.fr', langs)).toMatchObject({ kind: 'error', type: 'unsupported_language' });
    expect(resolveField(TEST_FIELDS, 'hasOwnProperty', langs)).toMatchObject({ kind: 'error', type: 'unknown_field' });
  });

  it('lets a mixin be called constructor or prototype, nowhere else, and never __proto__', () => {
    const langs = ['en'];
    expect(resolveField(TEST_FIELDS, 'metadata.mixins.constructor.tier', langs)).toMatchObject({
      kind: 'free',
      db: 'metadata.mixins.constructor.tier',
    });
    expect(resolveField(TEST_FIELDS, 'metadata.mixins.x.prototype', langs)).toMatchObject({
      kind: 'free',
      db: 'metadata.mixins.x.prototype',
    });
    expect(resolveField(TEST_FIELDS, 'metadata.mixins.__proto__.x', langs)).toMatchObject({ kind: 'error', type: 'unknown_field' });
    expect(resolveField(TEST_FIELDS, 'item.constructor', langs)).toMatchObject({ kind: 'error', type: 'unknown_field' });
    expect(resolveField(TEST_FIELDS, 'constructor', langs)).toMatchObject({ kind: 'error', type: 'unknown_field' });
  });

  it('uses the db path of the parent for sub-paths', () => {
    const reg: FieldRegistry = { ref: { type: 'object', db: 'reference' }, title: { type: 'localized', db: 'i18n.title' } };
    expect(compileQ('ref.id:x title.en:y', reg, { languages: ['en'] })).toEqual({
      $and: [{ 'reference.id': 'x' }, { 'i18n.title.en': 'y' }],
    });
  });

  it('rejects broken registries as programming errors (plain Error)', () => {
    const bad: FieldRegistry[] = [
      { 'a..b': { type: 'string' } },
      { $where: { type: 'string' } },
      { a: { type: 'text' as never } },
      { a: { type: 'string', aliases: ['b'] }, b: { type: 'string' } },
      { a: { type: 'string', db: '$a' } },
      { a: { type: 'string', aliases: ['__proto__'] } },
    ];
    for (const reg of bad) {
      let thrown: unknown;
      try {
        compileQ('a:1', reg, { languages: ['en'] });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(ApiError);
    }
  });

  it('isPathSyntax follows the path production', () => {
    for (const ok of ['a', '_id', 'a.b-c.d_1', 'A9']) expect(isPathSyntax(ok)).toBe(true);
    for (const bad of ['', '.', 'a.', '.a', 'a..b', '1a', 'a.1', '$a', 'a b', 'a[0]', '-a']) expect(isPathSyntax(bad)).toBe(false);
  });
});

describe('FieldSpec.compile for derived fields (coupon status)', () => {
  // A stand-in for the coupon service: status:X and status:(X,Y) only.
  const conditions: FieldCondition[] = [];
  const STATUS = ['VALID', 'EXPIRED', 'USED', 'INACTIVE'];
  const registry: FieldRegistry = {
    code: { db: '_id', type: 'string', sortable: true },
    status: {
      type: 'string',
      compile: (condition) => {
        conditions.push(condition);
        const values = condition.kind === 'eq' ? [condition.value] : condition.kind === 'in' ? condition.values : undefined;
        if (!values) throw queryError('invalid_value', 'status supports only status:X and status:(X,Y)');
        if (!values.every((v) => typeof v === 'string' && STATUS.includes(v))) throw queryError('invalid_value', 'unknown status');
        return { $or: values.map((v) => ({ derivedStatus: v })) };
      },
    },
    evil: { type: 'string', compile: () => ({ $where: 'sleep(1000)' }) },
  };

  it('hands the typed condition to the hook and uses its filter', () => {
    expect(compileQ('status:VALID', registry, { languages: ['en'] })).toEqual({ $or: [{ derivedStatus: 'VALID' }] });
    expect(compileQ('status:(USED,"EXPIRED")', registry, { languages: ['en'] })).toEqual({
      $or: [{ derivedStatus: 'USED' }, { derivedStatus: 'EXPIRED' }],
    });
    expect(conditions.slice(-2)).toEqual([
      { kind: 'eq', value: 'VALID' },
      { kind: 'in', values: ['USED', 'EXPIRED'] },
    ]);
  });

  it('lets the hook reject forms with a clean invalid_query', () => {
    for (const q of ['status:>VALID', 'status:~V', 'status:exists', 'status:NOPE']) {
      const err = catchApiError(() => compileQ(q, registry, { languages: ['en'] }));
      expect(err.errorCode).toBe('invalid_query');
    }
  });

  it('passes regex and range conditions typed and checked', () => {
    expect(() => compileQ('status:~"(a+)+"', registry, { languages: ['en'] })).toThrow(ApiError);
    compileQ('s:(>A AND <B)', { s: { type: 'string', compile: (c) => (conditions.push(c), {}) } }, { languages: [] });
    expect(conditions[conditions.length - 1]).toEqual({ kind: 'compare', bounds: { $gt: 'A', $lt: 'B' } });
  });

  it('a hook that emits a forbidden operator is a programming error, not a client error', () => {
    let thrown: unknown;
    try {
      compileQ('evil:x', registry, { languages: ['en'] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(ApiError);
    expect(String(thrown)).toMatch(/\$where/);
  });
});

describe('assertNoForbiddenOperators', () => {
  it('accepts what the compiler emits', () => {
    expect(() =>
      assertNoForbiddenOperators({
        $and: [
          { a: { $in: ['x', 1, true, null, new Date(0)] } },
          { 'b.c': { $regex: 'x', $options: 'i' } },
          { d: { $exists: true, $ne: null } },
        ],
        e: { $gt: 1, $gte: 1, $lt: 2, $lte: 2 },
        $or: [{ f: 'g' }],
      }),
    ).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['$where', { $where: 'x' }],
    ['$expr', { $expr: { $eq: ['$a', 1] } }],
    ['nested $function', { a: { $in: [{ $function: {} }] } }],
    ['$nor', { $nor: [{ a: 1 }] }],
    ['$text', { $text: { $search: 'x' } }],
    ['$jsonSchema', { $jsonSchema: {} }],
    ['$elemMatch', { a: { $elemMatch: { b: 1 } } }],
    ['RegExp value', { a: /x/ }],
    ['RegExp in $regex', { a: { $regex: /x/ } }],
    ['$options other than i', { a: { $regex: 'x', $options: 'si' } }],
    ['function', { a: () => 1 }],
    ['bigint', { a: BigInt(1) }],
    ['NaN', { a: Number.NaN }],
    ['class instance', { a: new Map() }],
    ['bad field key', { 'a b': 1 }],
    ['empty field key', { '': 1 }],
    ['dollar in a path', { 'a.$b': 1 }],
    ['empty $or', { $or: [] }],
    ['symbol key', { [Symbol('x')]: 1 }],
    ['invalid date', { a: new Date('x') }],
  ])('rejects %s', (_name, filter) => {
    expect(() => assertNoForbiddenOperators(filter)).toThrow();
  });
});

describe('metadataFields (META-1 in a registry)', () => {
  it('declares the timestamps under their Q-18 aliases, the version and the mixins', () => {
    const registry = metadataFields();
    expect(resolveField(registry, 'metadataCreatedAt', [])).toMatchObject({ kind: 'declared', db: 'metadata.createdAt' });
    expect(resolveField(registry, 'metadataModifiedAt', [])).toMatchObject({ kind: 'declared', db: 'metadata.modifiedAt' });
    expect(resolveField(registry, 'metadata.mixins', [])).toMatchObject({ kind: 'error' });
    expect(resolveField(metadataFields({ mixinSchemas: true }), 'metadata.mixins', [])).toMatchObject({ kind: 'declared' });
  });

  it('makes the version sortable only where asked', () => {
    const sort = (registry: FieldRegistry) => () => parseSort('metadata.version', registry, { tenantLanguages: [] });
    expect(catchApiError(sort(metadataFields())).errorCode).toBe('validation_failed');
    expect(sort(metadataFields({ sortableVersion: true }))()).toMatchObject({ 'metadata.version': 1 });
  });
});
