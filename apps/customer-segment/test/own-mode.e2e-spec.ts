import { Harness, READ, READ_OWN, auth, client, customer, expectError, startHarness } from './support';

const T = 'owntest';
const seg = `/customer-segment/${T}/segments`;

/**
 * Segment §1.2.2–§1.2.3, §2.4, AUTH-12, AUTH-13: a `segment_read_own` caller sees only the
 * effectively active segments it belongs to; everything else reads as 404 or is left out.
 */
describe('OWN mode (segment_read_own)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let admin: Record<string, string>;
  const ids = (res: { body: Array<{ id: string }> }) => res.body.map((s) => s.id);

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    admin = await auth(T);
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    const segments: Array<[string, Record<string, unknown>]> = [
      ['s-active', { status: 'ACTIVE' }],
      ['s-inactive', { status: 'INACTIVE' }],
      ['s-expired', { status: 'ACTIVE', validity: { to: '2020-01-01T00:00:00Z' } }],
      ['s-future', { status: 'ACTIVE', validity: { from: soon } }],
      ['s-window', { status: 'ACTIVE', validity: { from: '2020-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z' } }],
      ['s-le1', { status: 'ACTIVE' }],
      ['s-le2', { status: 'ACTIVE' }],
      ['s-other', { status: 'ACTIVE' }],
    ];
    for (const [id, extra] of segments)
      expect((await call('PUT', `${seg}/${id}`, { headers: admin, body: { name: id, siteCode: 'main', ...extra } })).status).toBe(201);
    for (const id of ['s-active', 's-inactive', 's-expired', 's-future', 's-window'])
      await call('PUT', `${seg}/${id}/customers/alice`, { headers: admin });
    await call('PUT', `${seg}/s-le1/customers/alice/le-1`, { headers: admin });
    await call('PUT', `${seg}/s-le2/customers/alice/le-2`, { headers: admin });
    await call('PUT', `${seg}/s-other/customers/bob`, { headers: admin });
    await call('PUT', `${seg}/s-other/customers/carol/le-9`, { headers: admin });
    await call('PUT', `${seg}/s-active/customers/bob`, { headers: admin });
    await call('PUT', `${seg}/s-active/items/PRODUCT/p-a`, { headers: admin });
    await call('PUT', `${seg}/s-inactive/items/PRODUCT/p-i`, { headers: admin });
    await call('PUT', `${seg}/s-other/items/PRODUCT/p-o`, { headers: admin });
    await call('PUT', `${seg}/s-le2/items/PRODUCT/p-2`, { headers: admin });
  });
  afterAll(async () => h.close());

  it('lists only the visible segments: member, ACTIVE and inside validity (bounds inclusive)', async () => {
    // Alice has two legal entities; without a legal-entity context she keeps all her assignments.
    const res = await call('GET', seg, { headers: { ...(await customer(T, 'alice')), 'x-total-count': 'true' } });
    expect(ids(res)).toEqual(['s-active', 's-le1', 's-le2', 's-window']);
    expect(res.headers.get('x-total-count')).toBe('4');
    expect(ids(await call('POST', `${seg}/search`, { headers: await customer(T, 'alice'), body: { q: 'id:~window' } }))).toEqual([
      's-window',
    ]);
  });

  it('applies the legal-entity rule of §2.4 with the token claim', async () => {
    expect(ids(await call('GET', seg, { headers: await customer(T, 'alice', 'le-1') }))).toEqual(['s-active', 's-le1', 's-window']);
    // A legal entity matching none of hers leaves only the B2C assignments.
    expect(ids(await call('GET', seg, { headers: await customer(T, 'alice', 'le-x') }))).toEqual(['s-active', 's-window']);
    // A customer with a single legal entity keeps everything whatever the claim.
    expect(ids(await call('GET', seg, { headers: await customer(T, 'carol', 'le-zz') }))).toEqual(['s-other']);
    expect(ids(await call('GET', `${seg}?legalEntityId=le-1`, { headers: await customer(T, 'alice', 'le-1') }))).toEqual([
      's-active',
      's-le1',
      's-window',
    ]);
  });

  it('refuses another customerId, a differing legalEntityId and anonymous callers with 403 forbidden', async () => {
    expectError(await call('GET', `${seg}?customerId=bob`, { headers: await customer(T, 'alice') }), 403, 'forbidden');
    expectError(await call('GET', `${seg}?customerId=alice`, { headers: await auth(T, [READ_OWN]) }), 403, 'forbidden');
    expectError(await call('GET', `${seg}?legalEntityId=le-2`, { headers: await customer(T, 'alice', 'le-1') }), 403, 'forbidden');
    expectError(await call('GET', `${seg}?legalEntityId=le-1`, { headers: await customer(T, 'alice') }), 403, 'forbidden');
    expectError(await call('GET', seg, { headers: await auth(T, [READ_OWN], { principalType: 'anonymous' }) }), 403, 'forbidden');
    // The 403 comes before the body is even read (ERR-10 step 4).
    expectError(await call('POST', `${seg}/search?customerId=x`, { headers: await customer(T, 'alice'), raw: '{bad' }), 403, 'forbidden');
  });

  it('answers 404 for any segment not visible, including another customer’s, and 200 for a visible one', async () => {
    const alice = await customer(T, 'alice');
    expect((await call('GET', `${seg}/s-active`, { headers: alice })).status).toBe(200);
    for (const id of ['s-inactive', 's-expired', 's-future', 's-other', 'nope']) {
      expectError(await call('GET', `${seg}/${id}`, { headers: alice }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/${id}/items`, { headers: alice }), 404, 'resource_not_found');
      expectError(await call('POST', `${seg}/${id}/items/search`, { headers: alice, body: {} }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/${id}/customers`, { headers: alice }), 404, 'resource_not_found');
    }
    expectError(await call('GET', `${seg}/s-le2`, { headers: await customer(T, 'alice', 'le-1') }), 404, 'resource_not_found');
  });

  it('lists only the caller’s own assignment of a visible segment', async () => {
    const res = await call('GET', `${seg}/s-active/customers`, { headers: { ...(await customer(T, 'bob')), 'x-total-count': 'true' } });
    expect(res.body.map((a: { customer: { id: string } }) => a.customer.id)).toEqual(['bob']);
    expect(res.headers.get('x-total-count')).toBe('1');
  });

  it('lists the items of visible segments only; onlyActive=false is ignored', async () => {
    const alice = await customer(T, 'alice');
    const items = await call('GET', `${seg}/items?onlyActive=false`, { headers: alice });
    expect(items.body.map((a: { item: { id: string } }) => a.item.id)).toEqual(['p-a', 'p-2']);
    expect((await call('GET', `${seg}/items?q=type:PRODUCT&siteCode=other`, { headers: alice })).body).toEqual([]);
    expect((await call('GET', `${seg}/s-active/items/PRODUCT/p-a`, { headers: alice })).status).toBe(200);
    expectError(await call('GET', `${seg}/s-inactive/items/PRODUCT/p-i`, { headers: alice }), 404, 'resource_not_found');
    expectError(await call('GET', `${seg}/items?onlyActive=maybe`, { headers: alice }), 400, 'validation_failed');
  });

  it('gives a non-customer read_own token empty lists and 404s (§1.2.3)', async () => {
    const service = await auth(T, [READ_OWN], { principalType: 'service', clientId: 'svc' });
    expect((await call('GET', seg, { headers: service })).body).toEqual([]);
    expect((await call('GET', `${seg}/items`, { headers: service })).body).toEqual([]);
    expectError(await call('GET', `${seg}/s-active`, { headers: service }), 404, 'resource_not_found');
  });

  it('forbids the FULL-only reads to OWN callers (403) and lets FULL callers see everything', async () => {
    const alice = await customer(T, 'alice');
    expectError(await call('POST', `${seg}/s-active/customers/search`, { headers: alice, body: {} }), 403, 'insufficient_scope');
    expectError(await call('GET', `${seg}/s-active/customers/alice`, { headers: alice }), 403, 'insufficient_scope');
    expectError(await call('GET', `${seg}/s-le1/customers/alice/le-1`, { headers: alice }), 403, 'insufficient_scope');
    const full = await auth(T, [READ, READ_OWN]);
    expect(ids(await call('GET', seg, { headers: full }))).toHaveLength(8);
    expect((await call('GET', `${seg}/s-inactive`, { headers: full })).status).toBe(200);
  });

  it('FULL mode with customerId returns the customer’s segments whatever their activity (the coupon call)', async () => {
    const full = await auth(T, [READ], { principalType: 'service', clientId: 'coupon' });
    const q = encodeURIComponent('id:("s-active","s-inactive","s-expired","s-other","s-le2")');
    const res = await call('GET', `${seg}?customerId=alice&q=${q}&pageSize=5`, { headers: full });
    expect(res.body.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      's-active:ACTIVE',
      's-expired:ACTIVE',
      's-inactive:INACTIVE',
      's-le2:ACTIVE',
    ]);
    expect(res.body.find((s: { id: string }) => s.id === 's-expired').validity).toEqual({ to: '2020-01-01T00:00:00.000Z' });
    expect(ids(await call('GET', `${seg}?customerId=alice&legalEntityId=le-1&q=${q}`, { headers: full }))).toEqual([
      's-active',
      's-expired',
      's-inactive',
    ]);
    // legalEntityId without customerId has no effect.
    expect(ids(await call('GET', `${seg}?legalEntityId=le-1`, { headers: full }))).toHaveLength(8);
    expect(await call('GET', `${seg}?customerId=nobody`, { headers: full }).then((r) => r.body)).toEqual([]);
  });
});
