import { buildEvent, BuildEventInput } from './event-envelope';
import { EVENT_SOURCES, EVENT_SUBJECTS, EVENT_TYPES, EVENT_TYPES_BY_SOURCE } from './event-types';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function input(over: Partial<BuildEventInput<Record<string, unknown>>> = {}): BuildEventInput<Record<string, unknown>> {
  return {
    source: EVENT_SOURCES.customerSegment,
    type: EVENT_TYPES.customerSegment.segmentUpdated,
    subject: '628cd20c6e8b2432b6346ca6',
    tenant: 'acme',
    entityVersion: 4,
    actor: { type: 'employee', id: 'u-1029' },
    requestId: '5d0b6a0e-2f5e-4f1b-9a8f-3a9f5d1d2e10',
    time: '2024-06-01T08:30:00.000Z',
    data: { id: '628cd20c6e8b2432b6346ca6', tenant: 'acme', status: 'ACTIVE', previousStatus: 'INACTIVE' },
    ...over,
  };
}

describe('buildEvent (EVT-1)', () => {
  it('produces exactly the EVT-1 attributes with their values', () => {
    const e = buildEvent(input());
    expect(Object.keys(e)).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'tenant',
      'entityversion',
      'actortype',
      'actorid',
      'requestid',
      'data',
    ]);
    expect(e).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(UUID_V4),
      source: '/customer-segment',
      type: 'customer-segment.segment-updated',
      subject: '628cd20c6e8b2432b6346ca6',
      time: '2024-06-01T08:30:00.000Z',
      datacontenttype: 'application/json',
      tenant: 'acme',
      entityversion: 4,
      actortype: 'employee',
      actorid: 'u-1029',
      requestid: '5d0b6a0e-2f5e-4f1b-9a8f-3a9f5d1d2e10',
      data: { id: '628cd20c6e8b2432b6346ca6', tenant: 'acme', status: 'ACTIVE', previousStatus: 'INACTIVE' },
    });
  });

  it('gives every event a new lowercase UUID v4', () => {
    const ids = new Set(Array.from({ length: 500 }, () => buildEvent(input()).id));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('writes a Date time as UTC with milliseconds', () => {
    expect(buildEvent(input({ time: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) })).time).toBe('2024-01-02T03:04:05.006Z');
  });

  it('snapshots data as JSON: later mutations do not leak in, undefined disappears, dates become strings', () => {
    const data: Record<string, unknown> = { id: 'x', nested: { a: 1 }, gone: undefined, at: new Date('2024-06-01T00:00:00.000Z') };
    const e = buildEvent(input({ data }));
    (data.nested as { a: number }).a = 2;
    data.id = 'changed';
    expect(e.data).toEqual({ id: 'x', nested: { a: 1 }, at: '2024-06-01T00:00:00.000Z' });
    expect('gone' in e.data).toBe(false);
  });

  it('accepts every EVT-2 type for its own source and version 0 for services that start there', () => {
    for (const [source, types] of Object.entries(EVENT_TYPES_BY_SOURCE)) {
      for (const type of types) {
        const e = buildEvent(input({ source: source as never, type, entityVersion: 0 }));
        expect(e.type).toBe(type);
        expect(e.source).toBe(source);
      }
    }
  });

  it.each<[string, Partial<BuildEventInput<Record<string, unknown>>>]>([
    ['a type of another service', { type: EVENT_TYPES.coupon.created }],
    ['a category assignment update (EVT-2 has none)', { source: EVENT_SOURCES.category, type: 'assignment.updated' as never }],
    ['an unknown source', { source: '/orders' as never }],
    ['an empty subject', { subject: '' }],
    ['an invalid tenant', { tenant: 'ACME' }],
    ['a fractional version', { entityVersion: 1.5 }],
    ['a negative version', { entityVersion: -1 }],
    ['an unknown actor type', { actor: { type: 'admin' as never, id: 'u' } }],
    ['an empty actor id', { actor: { type: 'employee', id: '' } }],
    ['an empty request id', { requestId: '' }],
    ['a time with an offset', { time: '2024-06-01T10:30:00.000+02:00' }],
    ['a time without milliseconds', { time: '2024-06-01T08:30:00Z' }],
    ['an impossible date', { time: '2024-02-30T08:30:00.000Z' }],
    ['an invalid Date', { time: new Date('nope') }],
    ['array data', { data: [] as never }],
    ['null data', { data: null as never }],
  ])('refuses %s', (_name, over) => {
    expect(() => buildEvent(input(over))).toThrow(TypeError);
  });
});

describe('EVENT_TYPES (EVT-2)', () => {
  it('lists exactly the types of the conventions', () => {
    expect(
      Object.values(EVENT_TYPES)
        .flatMap((g) => Object.values(g))
        .sort(),
    ).toEqual(
      [
        'customer-segment.segment-created',
        'customer-segment.segment-updated',
        'customer-segment.segment-deleted',
        'customer-segment.customer-assignment-created',
        'customer-segment.customer-assignment-updated',
        'customer-segment.customer-assignment-deleted',
        'customer-segment.item-assignment-created',
        'customer-segment.item-assignment-updated',
        'customer-segment.item-assignment-deleted',
        'category.created',
        'category.updated',
        'category.deleted',
        'assignment.created',
        'assignment.deleted',
        'coupon.created',
        'coupon.updated',
        'coupon.deleted',
        'coupon.redemption-created',
        'coupon.redemption-deleted',
        'coupon.redemption-rolled-back',
        'coupon.campaign-created',
        'coupon.campaign-completed',
        'coupon.campaign-deleted',
      ].sort(),
    );
  });

  it('builds the path-like subjects of assignments', () => {
    expect(EVENT_SUBJECTS.customerAssignment('s1', 'c1')).toBe('s1/customers/c1');
    expect(EVENT_SUBJECTS.customerAssignment('s1', 'c1', 'le1')).toBe('s1/customers/c1/le1');
    expect(EVENT_SUBJECTS.itemAssignment('s1', 'CATEGORY', 'cat1')).toBe('s1/items/CATEGORY/cat1');
    expect(EVENT_SUBJECTS.categoryAssignment('cat1', 'a1')).toBe('cat1/assignments/a1');
  });
});
