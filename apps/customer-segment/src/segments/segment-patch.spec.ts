import { ApiError } from '@suite/api-kit';
import { applySegmentPatch, parseSegmentPatch } from './segment-patch';
import { Segment } from './segment.types';

const langs = ['en', 'de'];
const stored: Segment = {
  id: 's1',
  name: { en: 'Gold' },
  status: 'ACTIVE',
  siteCode: 'main',
  mixins: { attrs: { list: [1, 2] } },
  metadata: { version: 3, createdAt: new Date(0), modifiedAt: new Date(0) },
};

function err(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
  }
  throw new Error('expected an ApiError');
}

const apply = (ops: unknown[]) => applySegmentPatch(stored, parseSegmentPatch(ops, langs), langs, { kind: 'absent', language: 'en' });

describe('segment JSON Patch (segment §3.6)', () => {
  it('patches arrays inside mixins by index and with -, and validity through its parts only when present', () => {
    const state = apply([
      { op: 'replace', path: '/mixins/attrs/list/0', value: 9 },
      { op: 'add', path: '/mixins/attrs/list/-', value: 3 },
      { op: 'add', path: '/validity', value: { from: '2024-01-01T00:00:00Z' } },
      { op: 'replace', path: '/validity/to', value: '2025-01-01T00:00:00Z' },
    ]);
    expect(state.mixins).toEqual({ attrs: { list: [9, 2, 3] } });
    expect(state.validity).toEqual({ from: new Date('2024-01-01T00:00:00Z'), to: new Date('2025-01-01T00:00:00Z') });
    expect(stored.mixins).toEqual({ attrs: { list: [1, 2] } });
  });

  it('creates missing intermediates only below /mixins and /metadata/mixins', () => {
    expect(apply([{ op: 'add', path: '/metadata/mixins/a', value: 'https://x.example/a.json' }]).metadataMixins).toEqual({
      a: 'https://x.example/a.json',
    });
    expect(err(() => apply([{ op: 'add', path: '/validity/from', value: '2024-01-01T00:00:00Z' }])).details[0]).toMatchObject({
      field: '[0].path',
      type: 'invalid_value',
    });
  });

  it('rejects paths outside the patchable set, unknown languages and read-only targets', () => {
    const e = err(() =>
      parseSegmentPatch(
        [
          { op: 'add', path: '/name/xx', value: 'x' },
          { op: 'replace', path: '/metadata/createdAt', value: 'x' },
          { op: 'add', path: '/validity/from/x', value: 1 },
          { op: 'add', path: '/mixins/__proto__/x', value: 1 },
        ],
        langs,
      ),
    );
    expect(e.details.map((d) => `${d.field}:${d.type}`)).toEqual([
      '[0].path:unsupported_language',
      '[1].path:read_only',
      '[2].path:invalid_value',
      '[3].path:invalid_value',
    ]);
  });

  it('validates the result as a whole segment', () => {
    expect(err(() => apply([{ op: 'remove', path: '/siteCode' }])).details.map((d) => d.field)).toEqual(['siteCode']);
    expect(
      err(() => apply([{ op: 'replace', path: '/validity', value: { from: '2025-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' } }]))
        .details[0].field,
    ).toBe('validity');
  });
});
