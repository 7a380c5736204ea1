import { ApiError, ServiceHttpClient } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { CustomerSegmentClient, effectivelyActive } from './customer-segment.client';

describe('effectivelyActive (customer-segment §2.1)', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  it('needs ACTIVE and a window containing now, both bounds inclusive', () => {
    expect(effectivelyActive({ id: 's', status: 'ACTIVE' }, now)).toBe(true);
    expect(effectivelyActive({ id: 's', status: 'INACTIVE' }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'active' }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { from: now.toISOString(), to: now.toISOString() } }, now)).toBe(true);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { from: '2025-06-01T12:00:00.001Z' } }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { to: '2025-06-01T11:59:59.999Z' } }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { from: '2025-06-01T14:00:00+02:00' } }, now)).toBe(true);
  });
});

describe('CustomerSegmentClient.activeMemberships (one logical question for R12, R13 and qualifications)', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  const ctx = { tenant: 'acme', requestId: 'r1' } as RequestContext;
  const logger = { warn: jest.fn(), error: jest.fn() };

  /** A fake peer: the customer's segments, answered per call like the §10.2 list endpoint. */
  function peer(segments: Array<{ id: string; status: string; validity?: object }>) {
    const calls: Array<Record<string, unknown>> = [];
    const http = {
      request: jest.fn(async (req: { query: Record<string, unknown> }) => {
        calls.push(req.query);
        const ids = new Set([...String(req.query.q).matchAll(/"([^"]*)"/g)].map((m) => m[1]));
        const size = Number(req.query.pageSize);
        const rows = segments.filter((s) => ids.has(s.id));
        const pageNumber = Number(req.query.pageNumber);
        return { status: 200, body: rows.slice((pageNumber - 1) * size, pageNumber * size) };
      }),
    };
    return { client: new CustomerSegmentClient(http as unknown as ServiceHttpClient, logger), calls };
  }

  it('answers the effectively active memberships among the ids, in calls of at most 50 ids', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `s${i}`);
    const { client, calls } = peer([
      { id: 's3', status: 'ACTIVE' },
      { id: 's77', status: 'ACTIVE', validity: { to: '2025-06-01T12:00:00.000Z' } },
      { id: 's110', status: 'INACTIVE' },
      { id: 'other', status: 'ACTIVE' },
    ]);
    const found = await client.activeMemberships(ctx, { couponCodes: ['A', 'B'], customerNumber: 'C1', segmentIds: ids, now });
    expect([...found].sort()).toEqual(['s3', 's77']);
    expect(calls.map((q) => q.pageSize)).toEqual([50, 50, 20]);
    expect(calls.every((q) => q.customerId === 'C1' && q.pageNumber === 1 && q.legalEntityId === undefined)).toBe(true);
  });

  it('reads every page unless the caller says the memberships found so far decide', async () => {
    const rows = [
      { id: 'a', status: 'ACTIVE' },
      { id: 'b', status: 'ACTIVE' },
      { id: 'c', status: 'ACTIVE' },
    ];
    const all = peer(rows);
    // A page of 3 for 3 ids is full: S2S-14 asks for the next one.
    expect(await all.client.activeMemberships(ctx, { couponCodes: ['A'], customerNumber: 'C1', segmentIds: ['a', 'b', 'c'], now })).toEqual(
      new Set(['a', 'b', 'c']),
    );
    expect(all.calls.map((q) => q.pageNumber)).toEqual([1, 2]);
    const early = peer(rows);
    const decided = (found: ReadonlySet<string>) => found.has('a');
    await early.client.activeMemberships(ctx, { couponCodes: ['A'], customerNumber: 'C1', segmentIds: ['a', 'b', 'c'], now }, decided);
    expect(early.calls).toHaveLength(1);
    const none = peer(rows);
    expect(await none.client.activeMemberships(ctx, { couponCodes: [], customerNumber: 'C1', segmentIds: [], now })).toEqual(new Set());
    expect(none.calls).toHaveLength(0);
  });

  it('fails closed with the §10.3 503, logging the coupons without the customer', async () => {
    const http = { request: jest.fn(async () => ({ status: 200, body: { not: 'a list' } })) };
    const client = new CustomerSegmentClient(http as unknown as ServiceHttpClient, logger);
    const codes = Array.from({ length: 30 }, (_, i) => `K${i}`);
    const error = await client
      .activeMemberships(ctx, { couponCodes: codes, customerNumber: 'C1', segmentIds: ['a'], now })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).details).toEqual([
      { field: 'restrictions.segments', type: 'segment_service_unavailable', message: 'The customer segment service did not answer.' },
    ]);
    const [fields] = logger.warn.mock.calls.at(-1) as [Record<string, unknown>];
    expect(fields).toMatchObject({ tenant: 'acme', couponCount: 30 });
    expect(fields.couponCodes).toHaveLength(20);
    expect(JSON.stringify(fields)).not.toContain('C1');
    await expect(
      new CustomerSegmentClient(undefined, logger).isMemberOfAny(ctx, { couponCode: 'A', customerNumber: 'C1', segmentIds: ['a'], now }),
    ).rejects.toBeInstanceOf(ApiError);
  });
});
