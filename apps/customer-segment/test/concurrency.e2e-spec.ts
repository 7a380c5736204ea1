import { Harness, auth, client, expectError, startHarness } from './support';

const T = 'conctest';
const seg = `/customer-segment/${T}/segments`;

describe('concurrency and limits (META-5, segment §1.12)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ SEGMENT_MAX_PER_TENANT: '6', SEGMENT_MAX_PER_CUSTOMER: '3' });
    call = client(h.url);
    headers = await auth(T);
  });
  afterAll(async () => h.close());

  it('20 concurrent PUTs with the same version: exactly one 204, the rest 409, version +1 once', async () => {
    expect((await call('PUT', `${seg}/race`, { headers, body: { name: 'r', siteCode: 'main' } })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('PUT', `${seg}/race`, { headers, body: { name: `writer ${i}`, siteCode: 'main', metadata: { version: 1 } } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expectError(r, 409, 'version_conflict');
    const winner = results.findIndex((r) => r.status === 204);
    expect((await call('GET', `${seg}/race`, { headers })).body).toMatchObject({
      name: { en: `writer ${winner}` },
      metadata: { version: 2 },
    });
  });

  it('20 concurrent version-guarded assignment upserts: exactly one 204', async () => {
    await call('PUT', `${seg}/race/customers/c-race`, { headers });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('PUT', `${seg}/race/customers/c-race`, { headers, body: { metadata: { version: 1 } } })),
    );
    expect(results.map((r) => r.status).filter((s) => s === 204)).toHaveLength(1);
    expect(results.map((r) => r.status).filter((s) => s === 409)).toHaveLength(19);
  });

  it('concurrent unguarded creations of one assignment: one 201, the others 204 (unique index, no duplicates)', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => call('PUT', `${seg}/race/customers/c-new`, { headers })));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(204)]);
    const list = await call('GET', `${seg}/race/customers?q=customerId:c-new`, { headers });
    expect(list.body).toHaveLength(1);
    expect(list.body[0].metadata.version).toBe(10);
  });

  it('concurrent bulk upserts of the same customers: plans that collide fall back element by element, nothing lost', async () => {
    const body = Array.from({ length: 30 }, (_, i) => ({ customerId: `bulk-${i % 15}` }));
    const results = await Promise.all(Array.from({ length: 6 }, () => call('PUT', `${seg}/race/customers/bulk`, { headers, body })));
    const codes = results.flatMap((r) => r.body.map((x: { code: number }) => x.code));
    expect(codes.filter((c) => c !== 201 && c !== 204)).toEqual([]);
    // Each key was created exactly once and every element wrote exactly one version.
    expect(codes.filter((c) => c === 201)).toHaveLength(15);
    const list = await call('GET', `${seg}/race/customers?q=${encodeURIComponent('customerId:~^bulk-')}&pageSize=100`, { headers });
    expect(list.body).toHaveLength(15);
    expect(list.body.map((a: { metadata: { version: number } }) => a.metadata.version)).toEqual(Array(15).fill(12));
  });

  it('refuses a segment beyond SEGMENT_MAX_PER_TENANT with 400 business_rule_violation, also per bulk element', async () => {
    for (const id of ['l-1', 'l-2', 'l-3', 'l-4'])
      expect((await call('POST', seg, { headers, body: { id, name: id, siteCode: 'm' } })).status).toBe(201);
    // 6 exist now (race, l-1..l-4 plus one more below).
    const bulk = await call('POST', `${seg}/bulk`, {
      headers,
      body: [
        { id: 'l-5', name: 'x', siteCode: 'm' },
        { id: 'l-6', name: 'x', siteCode: 'm' },
      ],
    });
    expect(bulk.body.map((r: { code: number }) => r.code)).toEqual([201, 400]);
    expect(bulk.body[1].message).toContain('6');
    const single = await call('PUT', `${seg}/l-7`, { headers, body: { name: 'x', siteCode: 'm' } });
    expect(expectError(single, 400, 'business_rule_violation').message).toContain('SEGMENT_MAX_PER_TENANT');
    // Updates of existing segments are not creations.
    expect((await call('PUT', `${seg}/l-1`, { headers, body: { name: 'y', siteCode: 'm' } })).status).toBe(204);
  });

  it('refuses an assignment that would put a customer past SEGMENT_MAX_PER_CUSTOMER; B2C and each legal entity count apart', async () => {
    for (const s of ['l-1', 'l-2', 'l-3']) expect((await call('PUT', `${seg}/${s}/customers/busy`, { headers })).status).toBe(201);
    expectError(await call('PUT', `${seg}/l-4/customers/busy`, { headers }), 400, 'business_rule_violation');
    // An update of an existing membership is fine at the limit, so is another legal entity.
    expect((await call('PUT', `${seg}/l-3/customers/busy`, { headers })).status).toBe(204);
    expect((await call('PUT', `${seg}/l-4/customers/busy/le-1`, { headers })).status).toBe(201);
    const bulk = await call('PUT', `${seg}/l-4/customers/bulk`, {
      headers,
      body: [{ customerId: 'busy' }, { customerId: 'fresh' }, { customerId: 'busy', metadata: { version: 3 } }],
    });
    expect(bulk.body.map((r: { code: number }) => r.code)).toEqual([400, 201, 400]);
    expect(bulk.body[0].message).toContain('3');
  });
});
