import { openConnection } from '@suite/persistence';
import { httpRequest, ServiceHarness, startServiceHarness, windowEnded, withinOneWindow } from '@suite/testing';
import type { Connection } from 'mongoose';
import { AppModule } from '../src/app.module';
import { DATABASE_NAME, loadCustomerSegmentConfig } from '../src/config/customer-segment.config';
import { auth, expectError, READ, READ_OWN, startHarness } from './support';

const HOUR = 3_600_000;
// Small limits per hour-long window: a spec never crosses a window edge (withinOneWindow); `brief`
// has a two-second window to show that a new window admits requests again.
const ENV = {
  RATE_LIMIT_PER_TENANT: '3/1h',
  RATE_LIMIT_TENANTS: JSON.stringify({ bigco: '6/1h', unlimited: 'off', brief: '2/2s' }),
};

const segments = (base: string, tenant: string, headers: Record<string, string>) =>
  httpRequest(`${base}/customer-segment/${tenant}/segments`, 'GET', { headers });

describe('customer-segment: per-tenant rate limits (RATE_LIMIT_PER_TENANT, RATE_LIMIT_TENANTS)', () => {
  let h: ServiceHarness;
  let second: ServiceHarness;
  let db: Connection;

  beforeAll(async () => {
    h = await startHarness(ENV);
    // A second instance of the service on the same database (as with several replicas).
    second = await startServiceHarness({
      service: 'customer-segment',
      peerUrlEnv: 'CATEGORY_URL',
      build: (e, logger) => AppModule.forRoot(loadCustomerSegmentConfig(e), logger),
      env: ENV,
      database: h.db,
    });
    db = await openConnection({ uri: h.db.uri, dbName: DATABASE_NAME });
  });
  afterAll(async () => {
    await db.close();
    await second.close();
    await h.close();
  });

  it('answers 429 in the segment profile with Retry-After once a tenant is spent; another tenant is unaffected', async () => {
    const endsAt = await withinOneWindow(HOUR, 20_000);
    const alpha = await auth('alpha', [READ]);
    const beta = await auth('beta', [READ]);
    for (let i = 0; i < 3; i++) expect((await segments(h.url, 'alpha', alpha)).status).toBe(200);
    const refused = await segments(h.url, 'alpha', alpha);
    const body = expectError(refused, 429, 'too_many_requests');
    expect(body).toEqual({
      code: 429,
      status: 'Too Many Requests',
      errorCode: 'too_many_requests',
      message: expect.stringMatching(/^The request rate limit of tenant alpha is exhausted; retry after \d+ seconds\.$/),
      details: [{ type: 'limit_exceeded', message: 'at most 3 requests per 3600 s' }],
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((endsAt - Date.now()) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((endsAt - Date.now()) / 1000) + 1);
    expect(refused.headers.get('x-request-id')).toBeTruthy();
    // Any route of the tenant, any token of it: the limit is the tenant's.
    const ownToken = await auth('alpha', [READ_OWN], { principalType: 'customer', customerId: 'c-1' });
    expectError(await segments(h.url, 'alpha', ownToken), 429, 'too_many_requests');
    for (let i = 0; i < 3; i++) expect((await segments(h.url, 'beta', beta)).status).toBe(200);
  });

  it('checks the token, the tenant and the scopes first: those refusals are never counted', async () => {
    await withinOneWindow(HOUR, 20_000);
    const gamma = await auth('gamma', [READ]);
    const noScope = await auth('gamma', []);
    const delta = await auth('delta', [READ]);
    for (let i = 0; i < 5; i++) {
      expect((await segments(h.url, 'gamma', {})).status).toBe(401);
      expectError(await segments(h.url, 'gamma', delta), 403, 'tenant_mismatch');
      expectError(await segments(h.url, 'gamma', noScope), 403, 'insufficient_scope');
    }
    for (let i = 0; i < 3; i++) expect((await segments(h.url, 'gamma', gamma)).status).toBe(200);
    expectError(await segments(h.url, 'gamma', gamma), 429, 'too_many_requests');
    // Once spent, the earlier checks still answer first (401, 403 before 429).
    expect((await segments(h.url, 'gamma', {})).status).toBe(401);
    expectError(await segments(h.url, 'gamma', noScope), 403, 'insufficient_scope');
  });

  it('stores nothing for tenants that were refused: random tenants in the path create no counters or collections', async () => {
    const beta = await auth('beta', [READ]);
    const randoms = Array.from({ length: 20 }, (_, i) => `rnd${i}x${Date.now().toString(36)}`);
    for (const t of randoms) expectError(await segments(h.url, t, beta), 403, 'tenant_mismatch');
    const ids = (await db.collection('ratelimits').find({}).toArray()).map((d) => String(d._id));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => randoms.some((t) => id.includes(t)))).toEqual([]);
    const collections = (await db.db!.listCollections().toArray()).map((c) => c.name);
    expect(collections.filter((c) => randoms.some((t) => c.startsWith(t)))).toEqual([]);
    // The counters expire with their window (a TTL index on expiresAt).
    const indexes = await db.collection('ratelimits').indexes();
    expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 })]));
  });

  it('does not limit health and documentation routes', async () => {
    await withinOneWindow(HOUR, 20_000);
    const eps = await auth('eps', [READ]);
    for (let i = 0; i < 4; i++) await segments(h.url, 'eps', eps);
    expectError(await segments(h.url, 'eps', eps), 429, 'too_many_requests');
    for (let i = 0; i < 5; i++) {
      expect((await httpRequest(`${h.url}/health/live`, 'GET')).status).toBe(200);
      expect((await httpRequest(`${h.url}/customer-segment/openapi.json`, 'GET')).status).toBe(200);
    }
  });

  it('applies per-tenant overrides: a larger limit, no limit, a shorter window', async () => {
    await withinOneWindow(HOUR, 20_000);
    const bigco = await auth('bigco', [READ]);
    for (let i = 0; i < 6; i++) expect((await segments(h.url, 'bigco', bigco)).status).toBe(200);
    const refused = expectError(await segments(h.url, 'bigco', bigco), 429, 'too_many_requests');
    expect(refused.details).toEqual([{ type: 'limit_exceeded', message: 'at most 6 requests per 3600 s' }]);

    const unlimited = await auth('unlimited', [READ]);
    for (let i = 0; i < 10; i++) expect((await segments(h.url, 'unlimited', unlimited)).status).toBe(200);

    const brief = await auth('brief', [READ]);
    const endsAt = await withinOneWindow(2000, 1500);
    for (let i = 0; i < 2; i++) expect((await segments(h.url, 'brief', brief)).status).toBe(200);
    const spent = await segments(h.url, 'brief', brief);
    expectError(spent, 429, 'too_many_requests');
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(spent.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    await windowEnded(endsAt);
    expect((await segments(h.url, 'brief', brief)).status).toBe(200);
  });

  it('does not count the suite’s own services calling each other, but counts other service clients', async () => {
    await withinOneWindow(HOUR, 20_000);
    // The coupon service asks for a customer's segments with its own token (S2S-3): the tenant's
    // request was counted where it entered the suite, and a 429 here would open the caller's
    // circuit breaker for every tenant.
    const coupon = await auth('peers', [READ], { principalType: 'service', clientId: 'coupon' });
    for (let i = 0; i < 6; i++) expect((await segments(h.url, 'peers', coupon)).status).toBe(200);
    const checkout = await auth('peers', [READ], { principalType: 'service', clientId: 'checkout' });
    for (let i = 0; i < 3; i++) expect((await segments(h.url, 'peers', checkout)).status).toBe(200);
    expectError(await segments(h.url, 'peers', checkout), 429, 'too_many_requests');
    expect((await segments(h.url, 'peers', coupon)).status).toBe(200);
  });

  it('holds across two instances on one database: their sum is limited, not each', async () => {
    await withinOneWindow(HOUR, 20_000);
    const multi = await auth('multi', [READ]);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await segments(i % 2 === 0 ? h.url : second.url, 'multi', multi)).status);
    expect(answers).toEqual([200, 200, 200, 429, 429, 429]);
    // Concurrent requests through both instances: exactly the limit passes.
    const many = await auth('many', [READ]);
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => segments(i % 2 ? h.url : second.url, 'many', many)));
    expect(statuses.filter((r) => r.status === 200)).toHaveLength(3);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(9);
  });
});
