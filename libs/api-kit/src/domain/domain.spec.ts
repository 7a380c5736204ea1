import { ApiError } from '../errors';
import { assertBulkArray, runBulk } from './bulk';
import { isDateTimeWithOffset, toIsoString } from './dates';
import { assertAddressableId, assertCustomId, newHexId, newUuid } from './ids';
import {
  expectedVersionOf,
  newMetadata,
  renderMetadata,
  validateMixinSchemas,
  validateMixins,
  versionMiss,
  withVersionRetry,
} from './metadata';
import { applyJsonPatch, applyMergePatch, validateJsonPatch } from './patch';

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('merge patch (META-7)', () => {
  it('replaces, merges nested objects, removes with null and replaces arrays', () => {
    const target = { a: 1, name: { en: 'x', de: 'y' }, list: [1, 2], mixins: { m: { k: 1, j: 2 } } };
    const out = applyMergePatch(target, { a: 2, name: { de: null, fr: 'z' }, list: [3], mixins: { m: { j: null } }, b: 'new' });
    expect(out).toEqual({ a: 2, name: { en: 'x', fr: 'z' }, list: [3], mixins: { m: { k: 1 } }, b: 'new' });
    expect(target.name).toEqual({ en: 'x', de: 'y' });
  });
});

describe('JSON Patch (META-6)', () => {
  const doc = { id: 'S1', name: { en: 'a' }, tags: ['x'], metadata: { version: 3 } };
  it('applies add, remove and replace and reports a tested version', () => {
    const ops = validateJsonPatch([
      { op: 'test', path: '/metadata/version', value: 3 },
      { op: 'replace', path: '/name/en', value: 'b' },
      { op: 'add', path: '/tags/-', value: 'y' },
      { op: 'add', path: '/mixins/loyalty/tier', value: 'gold' },
      { op: 'remove', path: '/tags/0' },
    ]);
    const { doc: out, expectedVersion } = applyJsonPatch(doc, ops);
    expect(out).toEqual({ id: 'S1', name: { en: 'b' }, tags: ['y'], metadata: { version: 3 }, mixins: { loyalty: { tier: 'gold' } } });
    expect(expectedVersion).toBe(3);
    expect(doc.tags).toEqual(['x']);
  });
  it('rejects read-only targets, move/copy and tests on other paths, listing every problem', () => {
    const e = apiError(() =>
      validateJsonPatch([
        { op: 'replace', path: '/id', value: 'x' },
        { op: 'move', path: '/a', from: '/b' },
        { op: 'test', path: '/name', value: 'x' },
        { op: 'replace', path: '/metadata/createdAt', value: 'x' },
        { op: 'add', path: 'no-slash', value: 1 },
      ]),
    );
    expect(e.httpStatus).toBe(400);
    expect(e.details.map((d) => `${d.field}:${d.type}`)).toEqual([
      '[0].path:read_only',
      '[1].op:invalid_value',
      '[2].path:invalid_value',
      '[3].path:read_only',
      '[4].path:invalid_format',
    ]);
  });
  it('rejects non-array and empty bodies and unresolvable paths', () => {
    expect(apiError(() => validateJsonPatch({})).details[0].type).toBe('invalid_type');
    expect(apiError(() => validateJsonPatch([])).details[0].type).toBe('missing_value');
    expect(apiError(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }])).details[0]).toMatchObject({
      field: '[0].path',
      type: 'invalid_value',
    });
    expect(apiError(() => applyJsonPatch(doc, [{ op: 'replace', path: '/tags/5', value: 1 }])).httpStatus).toBe(400);
    expect(apiError(() => applyJsonPatch(doc, [{ op: 'add', path: '/__proto__', value: { polluted: true } }])).httpStatus).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('metadata and optimistic locking (META-1..5)', () => {
  it('renders ISO timestamps and omits empty mixin links', () => {
    const now = new Date('2024-05-14T12:00:00Z');
    expect(renderMetadata(newMetadata(now))).toEqual({
      version: 1,
      createdAt: '2024-05-14T12:00:00.000Z',
      modifiedAt: '2024-05-14T12:00:00.000Z',
    });
    expect(renderMetadata(newMetadata(now, { a: 'https://x' }, 0))).toMatchObject({ version: 0, mixins: { a: 'https://x' } });
  });
  it('reads the optional version precondition and rejects a malformed one', () => {
    expect(expectedVersionOf({})).toBeUndefined();
    expect(expectedVersionOf({ metadata: { version: 2 } })).toBe(2);
    expect(apiError(() => expectedVersionOf({ metadata: { version: '2' } })).details[0].field).toBe('metadata.version');
  });
  it('decides 404 versus 409 after a missed guarded write', () => {
    expect(apiError(() => versionMiss('S1', 2, null)).errorCode).toBe('resource_not_found');
    const conflict = apiError(() => versionMiss('S1', 2, { version: 3 }));
    expect(conflict.errorCode).toBe('version_conflict');
    expect(conflict.details).toEqual([
      { field: 'metadata.version', type: 'version_mismatch', message: 'expected version 2 but the stored version is 3' },
    ]);
  });
  it('retries a server-side read-modify-write only when the client sent no version', async () => {
    let calls = 0;
    await expect(
      withVersionRetry(
        undefined,
        async () => ++calls === 3,
        async () => {
          throw new Error('miss');
        },
      ),
    ).resolves.toBeUndefined();
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withVersionRetry(
        5,
        async () => {
          calls++;
          return false;
        },
        async () => {
          throw new Error('409');
        },
      ),
    ).rejects.toThrow('409');
    expect(calls).toBe(1);
  });
  it('validates mixins and schema links (META-8, META-9)', () => {
    expect(validateMixins({ loyalty: { tier: 'gold' } })).toEqual([]);
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 12; i++) cur = (cur.n = {}) as Record<string, unknown>;
    expect(
      validateMixins({ '1bad': {}, scalar: 3, arr: [], deep })
        .map((d) => `${d.field}:${d.type}`)
        .sort(),
    ).toEqual(['mixins.1bad:invalid_key', 'mixins.arr:invalid_type', 'mixins.deep:out_of_range', 'mixins.scalar:invalid_type']);
    expect(validateMixins({ big: { s: 'x'.repeat(600 * 1024) } })[0].type).toBe('too_long');
    expect(validateMixinSchemas({ a: 'https://ok.example/a.json', b: 'ftp://x', c: 'relative' }).map((d) => d.field)).toEqual([
      'metadata.mixins.b',
      'metadata.mixins.c',
    ]);
  });
});

describe('ids (ID-2, ID-3)', () => {
  it('generates hex ids and uuids', () => {
    expect(newHexId()).toMatch(/^[0-9a-f]{24}$/);
    expect(newUuid()).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('checks custom ids and reserved words', () => {
    expect(() => assertCustomId('Gold-1.a~_', 'id')).not.toThrow();
    expect(apiError(() => assertCustomId('.dot', 'id')).details[0]).toMatchObject({ field: 'id', type: 'invalid_format' });
    expect(apiError(() => assertCustomId('a'.repeat(129), 'id')).details[0].type).toBe('invalid_format');
    expect(apiError(() => assertCustomId('search', 'segmentId', { reserved: ['search', 'bulk'] })).details[0]).toMatchObject({
      field: 'segmentId',
      type: 'invalid_value',
    });
    expect(apiError(() => assertAddressableId('a b')).errorCode).toBe('resource_not_found');
  });
});

describe('dates (HTTP-10)', () => {
  it('requires an explicit offset and writes UTC with milliseconds', () => {
    expect(isDateTimeWithOffset('2024-05-14T12:00:00Z')).toBe(true);
    expect(isDateTimeWithOffset('2024-05-14T12:00:00.5+02:00')).toBe(true);
    expect(isDateTimeWithOffset('2024-05-14T12:00:00')).toBe(false);
    expect(isDateTimeWithOffset('2024-13-45T12:00:00Z')).toBe(false);
    // Parts that Date.parse would roll over into another day are not dates.
    expect(isDateTimeWithOffset('2025-02-30T12:00:00Z')).toBe(false);
    expect(isDateTimeWithOffset('2025-02-29T12:00:00Z')).toBe(false);
    expect(isDateTimeWithOffset('2024-02-29T12:00:00Z')).toBe(true);
    expect(isDateTimeWithOffset('2024-04-31T12:00:00Z')).toBe(false);
    expect(isDateTimeWithOffset('2024-05-14T24:00:00Z')).toBe(false);
    expect(isDateTimeWithOffset('2024-05-14T12:60Z')).toBe(false);
    expect(isDateTimeWithOffset('2024-05-14T12:00:60Z')).toBe(false);
    expect(isDateTimeWithOffset('2024-05-14T12:00:00+24:00')).toBe(false);
    expect(isDateTimeWithOffset('2024-05-14T12:00:00-05:60')).toBe(false);
    expect(isDateTimeWithOffset('2024-12-31T23:59:59.999999999-12:00')).toBe(true);
    // The UTC instant must be writable as YYYY-MM-DDTHH:mm:ss.SSSZ (HTTP-10).
    expect(isDateTimeWithOffset('9999-12-31T23:59:59.999-14:00')).toBe(false);
    expect(isDateTimeWithOffset('0000-01-01T00:00:00+01:00')).toBe(false);
    expect(isDateTimeWithOffset('9999-12-31T23:59:59.999Z')).toBe(true);
    expect(isDateTimeWithOffset('0000-01-01T00:00:00Z')).toBe(true);
    expect(toIsoString('2024-05-14T14:00:00+02:00')).toBe('2024-05-14T12:00:00.000Z');
  });
});

describe('bulk (BULK-1..4)', () => {
  it('rejects non-arrays, empty arrays and more than 200 items as a whole', () => {
    expect(apiError(() => assertBulkArray({})).details[0].type).toBe('invalid_type');
    expect(apiError(() => assertBulkArray([])).details[0].type).toBe('missing_value');
    const tooMany = apiError(() => assertBulkArray(new Array(201).fill({})));
    expect(tooMany.details).toEqual([{ type: 'too_many_items', message: expect.any(String) }]);
    expect(assertBulkArray(new Array(200).fill({}))).toHaveLength(200);
  });
  it('processes items in order and reports each outcome at its index', async () => {
    const seen: number[] = [];
    const results = await runBulk(['a', 'bad', 'c', 'boom'], async (item, i) => {
      seen.push(i);
      if (item === 'bad') throw ApiError.versionConflict('B', 1, 2);
      if (item === 'boom') throw new Error('db down');
      return { code: i === 0 ? 201 : 204, id: item };
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(results).toEqual([
      { index: 0, id: 'a', code: 201, status: 'Created' },
      {
        index: 1,
        id: 'B',
        code: 409,
        status: 'Conflict',
        errorCode: 'version_conflict',
        message: expect.any(String),
        details: [expect.objectContaining({ type: 'version_mismatch' })],
      },
      { index: 2, id: 'c', code: 204, status: 'No Content' },
      { index: 3, code: 500, status: 'Internal Server Error', errorCode: 'internal_error', message: expect.any(String), details: [] },
    ]);
  });
});
