import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serializeOpenApiDocument } from '@suite/api-kit';
import { signDevToken } from '@suite/auth';
import { launchSuite, RunningSuite, SERVICES } from './launcher';

// The start command's launcher, as `npm start` runs it: embedded database, three app processes,
// one gateway. Proves the base URL routes to each app, that health reflects the apps, and that a
// stopped app makes the gateway answer 503 (never a hang or a 502) until it is back.
const SIGNING = { secret: 'launcher-test-secret', issuer: 'http://localhost/auth', audience: 'commerce-api' };

describe('suite launcher (npm start)', () => {
  let suite: RunningSuite;
  const lines: string[] = [];

  beforeAll(async () => {
    // On a failed start the children's output is the first thing to read.
    suite = await launchSuite({
      port: 0,
      env: {
        AUTH_HS256_SECRET: SIGNING.secret,
        AUTH_ISSUER: SIGNING.issuer,
        AUTH_AUDIENCE: SIGNING.audience,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
      },
      output: (service, line) => lines.push(`[${service}] ${line}`),
    }).catch((e) => {
      process.stderr.write(`${lines.slice(-40).join('\n')}\n`);
      throw e;
    });
  }, 90000);
  afterAll(async () => {
    await suite?.stop();
  }, 30000);

  it('serves live and ready health on the base URL', async () => {
    expect(await (await fetch(`${suite.baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${suite.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('routes each service prefix to its app, with the app answering (its own error profile)', async () => {
    const token = await signDevToken({ tenant: 'acme', principalType: 'employee', scopes: [] }, SIGNING);
    for (const [service, profileKey] of [
      ['customer-segment', 'errorCode'],
      ['category', 'errorCode'],
      ['coupon', 'type'],
    ] as const) {
      const res = await fetch(`${suite.baseUrl}/${service}/other/no-such-route`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(await res.json()).toHaveProperty(profileKey);
    }
  });

  it(
    'answers what never reaches an app (bad percent-encoding, ' + "headers beyond 70 KiB) in that app's profile, with X-Request-Id",
    async () => {
      for (const [service, profileKey] of [
        ['customer-segment', 'errorCode'],
        ['category', 'errorCode'],
        ['coupon', 'type'],
      ] as const) {
        const res = await fetch(`${suite.baseUrl}/${service}/acme/x/%E0%A4%A`, { headers: { 'x-request-id': `bad-url-${service}` } });
        expect(res.status).toBe(400);
        expect(res.headers.get('x-request-id')).toBe(`bad-url-${service}`);
        expect(await res.json()).toHaveProperty(profileKey);
      }
      // 60 KB of headers pass the gateway and reach the app (customer-segment §1.12); 80 KB do not.
      const big = await fetch(`${suite.baseUrl}/customer-segment/acme/segments`, { headers: { 'x-big': 'h'.repeat(60_000) } });
      expect(big.status).toBe(401);
      const long = await fetch(`${suite.baseUrl}/category/acme/categories?q=${'a'.repeat(80_000)}`);
      expect(long.status).toBe(400);
      expect(long.headers.get('x-request-id')).toBeTruthy();
      expect((await long.json()).errorCode).toBe('validation_failed');
    },
  );

  it("serves each service's OpenAPI document and interactive reference (with its assets) on the base URL, without a token", async () => {
    for (const service of SERVICES) {
      const doc = await fetch(`${suite.baseUrl}/${service}/openapi.json`);
      expect(doc.status).toBe(200);
      expect(doc.headers.get('content-type')).toMatch(/^application\/json/);
      const served = await doc.text();
      // What the running service serves is the committed document (test/openapi.spec.ts checks the latter is
      // current); compared as canonical JSON, so a formatter pass over the committed file does not matter.
      const committed = readFileSync(path.join(__dirname, '..', 'openapi', `${service}.json`), 'utf8');
      if (served !== serializeOpenApiDocument(JSON.parse(committed))) {
        throw new Error(`${service} serves a document other than openapi/${service}.json: run npm run openapi`);
      }
      expect(JSON.parse(served).openapi).toBe('3.1.0');

      const pageUrl = `${suite.baseUrl}/${service}/docs`;
      const page = await fetch(pageUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      // Everything the page loads, resolved against the page URL as a browser does, plus the document it shows.
      const loaded = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
      const documentUrl = /url: '([^']+)'/.exec(html)?.[1];
      const ui = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'];
      expect(loaded).toEqual(expect.arrayContaining(ui.map((file) => `docs?asset=${file}`)));
      expect(new URL(documentUrl ?? '', pageUrl).href).toBe(`${suite.baseUrl}/${service}/openapi.json`);
      for (const asset of loaded) {
        const res = await fetch(new URL(asset, pageUrl));
        expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
      const unknown = await fetch(`${pageUrl}?asset=../../package.json`);
      expect(unknown.status).toBe(404);
    }
  });

  it('answers 503 for a stopped app and recovers when it is started again', async () => {
    await suite.stopService('coupon');
    const down = await fetch(`${suite.baseUrl}/coupon/acme/coupons`, { signal: AbortSignal.timeout(5000) });
    expect(down.status).toBe(503);
    expect((await down.json()).errorCode).toBe('service_unavailable');
    expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(503);
    await suite.startService('coupon');
    expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(200);
  }, 60000);
});
