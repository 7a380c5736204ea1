import { Harness, auth, client, startHarness } from './support';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('creates and reads a segment', async () => {
    const call = client(h.url);
    const headers = await auth('smoke');
    const c = await call('POST', '/customer-segment/smoke/segments', { headers, body: { id: 'gold', name: { en: 'Gold' }, siteCode: 'main', status: 'ACTIVE' } });
    expect(c.status).toBe(201);
    const g = await call('GET', '/customer-segment/smoke/segments/gold', { headers });
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ id: 'gold', name: { en: 'Gold' }, metadata: { version: 1 } });
    const p = await call('PUT', '/customer-segment/smoke/segments/gold/customers/c1', { headers });
    expect([p.status, p.body]).toEqual([201, undefined]);
    const b = await call('PUT', '/customer-segment/smoke/segments/gold/customers/bulk', { headers, body: [{ customerId: 'c2' }, { customerId: 'c1', legalEntityId: 'le1' }, {}] });
    expect(b.status).toBe(207);
    console.log(JSON.stringify(b.body));
    const l = await call('GET', '/customer-segment/smoke/segments/gold/customers', { headers: { ...headers, 'x-total-count': 'true' } });
    console.log(l.status, JSON.stringify(l.body), l.headers.get('x-total-count'));
  });
});
