import { windowEnded, withinOneWindow } from '@suite/testing';
import { Client, expectCategoryError, Harness, startHarness } from './support';

const HOUR = 3_600_000;

describe('category: per-tenant rate limits (RATE_LIMIT_PER_TENANT, RATE_LIMIT_TENANTS)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_PER_TENANT: '3/1h', RATE_LIMIT_TENANTS: '{"bigco": "5/1h", "brief": "1/2s"}' });
  });
  afterAll(() => h.close());

  it('answers 429 in the category profile with Retry-After once a tenant is spent; another tenant is unaffected', async () => {
    const endsAt = await withinOneWindow(HOUR, 20_000);
    const alpha = await Client.as(h.url, 'alpha');
    const beta = await Client.as(h.url, 'beta');
    for (let i = 0; i < 3; i++) expect((await alpha.get('/categories')).status).toBe(200);
    const refused = await alpha.get('/categories');
    expectCategoryError(refused, 429, 'too_many_requests');
    expect(refused.body).toEqual({
      code: 429,
      status: 'Too Many Requests',
      errorCode: 'too_many_requests',
      message: expect.stringMatching(/^The request rate limit of tenant alpha is exhausted; retry after \d+ seconds\.$/),
      details: ['at most 3 requests per 3600 s'],
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((endsAt - Date.now()) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((endsAt - Date.now()) / 1000) + 1);
    // A write of the spent tenant is refused before its body is read (no 400 for the bad body).
    expectCategoryError(await alpha.post('/categories', '{not json'), 429, 'too_many_requests');
    for (let i = 0; i < 3; i++) expect((await beta.get('/categories')).status).toBe(200);
  });

  it('applies per-tenant overrides, and a new window admits requests again', async () => {
    await withinOneWindow(HOUR, 20_000);
    const bigco = await Client.as(h.url, 'bigco');
    for (let i = 0; i < 5; i++) expect((await bigco.get('/categories')).status).toBe(200);
    expectCategoryError(await bigco.get('/categories'), 429, 'too_many_requests');

    const brief = await Client.as(h.url, 'brief');
    const endsAt = await withinOneWindow(2000, 1500);
    expect((await brief.get('/categories')).status).toBe(200);
    expectCategoryError(await brief.get('/categories'), 429, 'too_many_requests');
    await windowEnded(endsAt);
    expect((await brief.get('/categories')).status).toBe(200);
  });
});
