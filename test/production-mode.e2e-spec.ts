/**
 * The production path, where it can run without a Docker engine: the four apps as real processes
 * with NODE_ENV=production (as the image runs them) against a real OAuth 2.0 / OpenID Connect
 * issuer, panva's OpenID Certified oidc-provider (tools/oidc-issuer.ts), each app that calls
 * another with its own client. Shows that a token the issuer signed is accepted and an HS256
 * development token is not (AUTH-2), that a peer call carries a client-credentials token the
 * calling service obtained from the issuer (S2S-4: coupon → customer-segment for a
 * segment-restricted coupon), that the events the three others write reach the webhook service
 * with their own issuer-signed tokens (scope `webhook.event_publish`) and show in its pull feed,
 * and that an app missing what production needs refuses to start, listing every missing setting.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_HS256_SECRET, signDevToken } from '@suite/auth';
import { EmbeddedMongo } from '@suite/mongo-embedded';
import { freePort } from '@suite/testing';
import { PRODUCTION_SETTINGS as CATEGORY_SETTINGS } from '../apps/category/src/config/category.config';
import { PRODUCTION_SETTINGS as COUPON_SETTINGS } from '../apps/coupon/src/config/coupon.config';
import { PRODUCTION_SETTINGS as SEGMENT_SETTINGS } from '../apps/customer-segment/src/config/customer-segment.config';
import { PRODUCTION_SETTINGS as WEBHOOK_SETTINGS } from '../apps/webhook/src/config/webhook.config';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const AUDIENCE = 'commerce-api';
const APPS = ['customer-segment', 'coupon', 'category', 'webhook'] as const;
type App = (typeof APPS)[number];
/** The apps that call other services (each with its own client) and hand their events to the webhook service. */
const PUBLISHERS = ['customer-segment', 'coupon', 'category'] as const;
type Publisher = (typeof PUBLISHERS)[number];
const PEER_URL: Record<App, string> = {
  'customer-segment': 'CUSTOMER_SEGMENT_URL',
  coupon: 'COUPON_URL',
  category: 'CATEGORY_URL',
  webhook: 'WEBHOOK_URL',
};
const PUBLISH = 'webhook.event_publish';

const ADMIN_SCOPES = [
  'customersegment.segment_manage',
  'customersegment.segment_read',
  'coupon.coupon_manage',
  'category.category_manage',
  'category.category_publish',
  'webhook.subscription_manage',
];
// Each service that calls another is its own client (S2S-4: client_id is the calling service),
// holding only the scopes its calls need: the read scope of its peer calls and the publish scope
// of the webhook service. The webhook service calls nobody and has no client. A back office and a
// checkout are the callers; `intruder` holds the publish scope but is none of the three services.
const CLIENTS = [
  { clientId: 'customer-segment', clientSecret: 'cs-secret', scopes: [PUBLISH] },
  { clientId: 'coupon', clientSecret: 'coupon-secret', scopes: ['customersegment.segment_read', PUBLISH] },
  { clientId: 'category', clientSecret: 'category-secret', scopes: ['customersegment.segment_read', PUBLISH] },
  { clientId: 'backoffice', clientSecret: 'backoffice-secret', scopes: ADMIN_SCOPES },
  { clientId: 'checkout', clientSecret: 'checkout-secret', scopes: ['coupon.coupon_redeem_on_behalf'] },
  { clientId: 'intruder', clientSecret: 'intruder-secret', scopes: [PUBLISH] },
];
const secretOf = (clientId: string) => CLIENTS.find((c) => c.clientId === clientId)!.clientSecret;

interface Issuer {
  issuer: string;
  jwksUri: string;
  tokenUrl: string;
}

/** A child process whose output lines are kept (and shown when something fails). */
function run(script: string, args: string[], env: NodeJS.ProcessEnv, lines: string[], label: string): ChildProcess {
  // The environment is exactly `env` (plus PATH): nothing of this process's, no HS256 secret.
  const child = spawn(process.execPath, [path.join(DIST, script), ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        lines.push(`[${label}] ${buffer.slice(0, nl)}`);
        buffer = buffer.slice(nl + 1);
      }
    });
  }
  return child;
}

// Generous: on a loaded two-core machine loading an app alone can take many seconds.
async function until<T>(what: string, check: () => Promise<T | undefined>, child: ChildProcess, timeoutMs = 90000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what}: the process exited with code ${child.exitCode}`);
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
}

/** What ClientCredentialsTokenProvider does: the client-credentials grant with HTTP Basic. */
async function clientCredentials(issuer: Issuer, clientId: string, scopes: string[]): Promise<string> {
  const res = await fetch(issuer.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: ['tenant=acme', ...scopes].join(' ') }).toString(),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

describe('production mode against a real OAuth 2.0 / OIDC issuer', () => {
  const lines: string[] = [];
  const children: ChildProcess[] = [];
  const url = {} as Record<App, string>;
  const processes = {} as Record<App, ChildProcess>;
  let issuer: Issuer;
  let db: EmbeddedMongo;

  const call = async (method: string, target: string, token: string, body?: unknown) => {
    const res = await fetch(target, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const issued = () =>
    lines
      .filter((l) => l.startsWith('[issuer] {"issued"'))
      .map((l) => (JSON.parse(l.slice('[issuer] '.length)) as { issued: { clientId: string; scope: string } }).issued);

  beforeAll(async () => {
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'issuer-'));
      writeFileSync(path.join(dir, 'issuer.json'), JSON.stringify({ clients: CLIENTS, audience: AUDIENCE }));
      const issuerChild = run('tools/oidc-issuer.js', ['--config', path.join(dir, 'issuer.json')], {}, lines, 'issuer');
      children.push(issuerChild);
      issuer = await until(
        'the issuer',
        async () => {
          const line = lines.find((l) => l.startsWith('[issuer] {"issuer"'));
          return line ? (JSON.parse(line.slice('[issuer] '.length)) as Issuer) : undefined;
        },
        issuerChild,
      );
      db = await EmbeddedMongo.start({ port: 0, quiet: true });
      const ports = {} as Record<App, number>;
      for (const app of APPS) {
        ports[app] = await freePort();
        url[app] = `http://127.0.0.1:${ports[app]}`;
      }
      await Promise.all(
        APPS.map(async (app) => {
          // The webhook service verifies tokens and calls nobody: no token endpoint, no client, no peers.
          const calls =
            app === 'webhook'
              ? {}
              : {
                  AUTH_TOKEN_URL: issuer.tokenUrl,
                  SERVICE_CLIENT_ID: app,
                  SERVICE_CLIENT_SECRET: secretOf(app),
                  ...Object.fromEntries(APPS.map((peer) => [PEER_URL[peer], url[peer]])),
                };
          const child = run(
            `apps/${app}/src/main.js`,
            [],
            {
              NODE_ENV: 'production',
              HOST: '127.0.0.1',
              PORT: String(ports[app]),
              MONGODB_URI: db.uri,
              AUTH_ISSUER: issuer.issuer,
              AUTH_AUDIENCE: AUDIENCE,
              AUTH_JWKS_URI: issuer.jwksUri,
              ...calls,
              LOG_LEVEL: 'warn',
            },
            lines,
            app,
          );
          children.push(child);
          processes[app] = child;
          await until(
            app,
            async () =>
              (await fetch(`${url[app]}/health/ready`, { signal: AbortSignal.timeout(1500) })).status === 200 ? true : undefined,
            child,
          );
        }),
      );
    } catch (e) {
      process.stderr.write(`${lines.slice(-60).join('\n')}\n`);
      throw e;
    }
  }, 240000);

  afterAll(async () => {
    await Promise.all(children.map((c) => stop(c)));
    await db?.stop();
  }, 30000);

  it('accepts a token the issuer signed (RS256, verified with its JWKS)', async () => {
    const admin = await clientCredentials(issuer, 'backoffice', ADMIN_SCOPES);
    const created = await call('POST', `${url['customer-segment']}/customer-segment/acme/segments`, admin, {
      id: 'prod-accept',
      name: { en: 'Accepted' },
      status: 'ACTIVE',
      siteCode: 'main',
    });
    expect(created.status).toBe(201);
    const read = await call('GET', `${url['customer-segment']}/customer-segment/acme/segments/prod-accept`, admin);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: 'prod-accept', name: { en: 'Accepted' } });
  });

  it('refuses an HS256 development token, even one signed with the default development secret', async () => {
    for (const app of APPS) {
      // Everything a valid token needs except the algorithm: right issuer, audience, tenant, scopes.
      const dev = await signDevToken(
        { tenant: 'acme', principalType: 'employee', scopes: ADMIN_SCOPES },
        { secret: DEV_HS256_SECRET, issuer: issuer.issuer, audience: AUDIENCE },
      );
      const prefix = {
        'customer-segment': 'customer-segment/acme/segments',
        coupon: 'coupon/acme/coupons',
        category: 'category/acme/categories',
        webhook: 'webhook/acme/events',
      }[app];
      const res = await call('GET', `${url[app]}/${prefix}`, dev);
      expect({ app, status: res.status }).toEqual({ app, status: 401 });
    }
    // Nor may an HS256 service token hand events to the webhook service.
    const devService = await signDevToken(
      { tenant: 'acme', principalType: 'service', clientId: 'coupon', sub: 'coupon', scopes: [PUBLISH] },
      { secret: DEV_HS256_SECRET, issuer: issuer.issuer, audience: AUDIENCE },
    );
    expect((await call('POST', `${url.webhook}/webhook/acme/events`, devService, [])).status).toBe(401);
  });

  it('makes the coupon → customer-segment call with a client-credentials token coupon obtained from the issuer', async () => {
    const admin = await clientCredentials(issuer, 'backoffice', ADMIN_SCOPES);
    const segments = `${url['customer-segment']}/customer-segment/acme/segments`;
    expect(
      (
        await call('POST', segments, admin, {
          id: 'gold',
          name: { en: 'Gold' },
          status: 'ACTIVE',
          siteCode: 'main',
          validity: { from: '2024-01-01T00:00:00.000Z' },
        })
      ).status,
    ).toBe(201);
    expect((await call('PUT', `${segments}/gold/customers/C1`, admin)).status).toBe(201);
    const coupon = await call('POST', `${url.coupon}/coupon/acme/coupons`, admin, {
      code: 'GOLD5',
      name: 'Gold five',
      discountType: 'ABSOLUTE',
      discountAbsolute: { amount: 5, currency: 'EUR' },
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      segmentRestricted: true,
      restrictions: { segments: ['gold'] },
    });
    expect(coupon.status).toBe(201);
    // Creating the coupon may already have made coupon obtain its publish token (its event goes to
    // the webhook service); the segment read is asked for only by the validation below.
    const segmentReads = () => issued().filter((t) => t.clientId === 'coupon' && t.scope.includes('customersegment.segment_read'));
    expect(segmentReads()).toEqual([]);

    // A checkout validates for customers it names (coupon.coupon_redeem_on_behalf).
    const checkout = await clientCredentials(issuer, 'checkout', ['coupon.coupon_redeem_on_behalf']);
    const order = { orderTotal: { amount: 60, currency: 'EUR' }, discount: { amount: 5, currency: 'EUR' } };
    const member = await call('POST', `${url.coupon}/coupon/acme/coupons/GOLD5/validation`, checkout, { ...order, customerNumber: 'C1' });
    expect(member.status).toBe(200);
    const outsider = await call('POST', `${url.coupon}/coupon/acme/coupons/GOLD5/validation`, checkout, { ...order, customerNumber: 'C2' });
    expect(outsider.status).toBe(400);
    expect(outsider.body.details).toEqual([expect.objectContaining({ type: 'customer_not_in_segment' })]);

    // The segment service answered coupon's own token: the issuer issued it to client `coupon`, for
    // the request's tenant and only the read scope of the call, once (coupon caches it). The
    // issuer's output line may trail the answer by a moment, hence the short wait.
    const deadline = Date.now() + 5000;
    while (!segmentReads().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(segmentReads()).toEqual([{ clientId: 'coupon', scope: 'tenant=acme customersegment.segment_read' }]);
  });

  it("hands each service's events to the webhook service with the service's own issuer-signed token", async () => {
    const admin = await clientCredentials(issuer, 'backoffice', ADMIN_SCOPES);
    // One write in each of the three event-writing services.
    const writes: Record<Publisher, { target: string; body: object; subject: string; type: string }> = {
      'customer-segment': {
        target: `${url['customer-segment']}/customer-segment/acme/segments`,
        body: { id: 'evt-segment', name: { en: 'Events' }, status: 'ACTIVE', siteCode: 'main' },
        subject: 'evt-segment',
        type: 'customer-segment.segment-created',
      },
      category: {
        target: `${url.category}/category/acme/categories`,
        body: { id: 'evt-category', code: 'EVT', localizedName: { en: 'Events' }, published: true },
        subject: 'evt-category',
        type: 'category.created',
      },
      coupon: {
        target: `${url.coupon}/coupon/acme/coupons`,
        body: {
          code: 'EVT10',
          name: 'Events ten',
          discountType: 'ABSOLUTE',
          discountAbsolute: { amount: 10, currency: 'EUR' },
          maxRedemptions: -1,
          maxRedemptionsPerCustomer: -1,
        },
        subject: 'EVT10',
        type: 'coupon.created',
      },
    };
    for (const app of PUBLISHERS) {
      const res = await call('POST', writes[app].target, admin, writes[app].body);
      expect({ app, status: res.status }).toEqual({ app, status: 201 });
    }

    // The webhook service's pull feed (a manager's token) shows each event, from its own source: the
    // webhook service stored it because a token of that service's client, with the publish scope,
    // signed by the issuer and verified with its JWKS, handed it in. Events settle for a second
    // before the feed shows them.
    type FeedEvent = { source: string; type: string; subject: string; tenant: string };
    const wanted = (events: FeedEvent[]) =>
      PUBLISHERS.map((app) => events.find((e) => e.subject === writes[app].subject && e.type === writes[app].type));
    const found = await until(
      'the events in the webhook feed',
      async () => {
        const feed = await call('GET', `${url.webhook}/webhook/acme/events?pageSize=1000`, admin);
        if (feed.status !== 200) throw new Error(`feed answered ${feed.status}: ${JSON.stringify(feed.body)}`);
        const events = wanted(feed.body.events as FeedEvent[]);
        return events.every(Boolean) ? (events as FeedEvent[]) : undefined;
      },
      processes.webhook,
      30000,
    );
    expect(found).toEqual(
      PUBLISHERS.map((app) =>
        expect.objectContaining({ source: `/${app}`, tenant: 'acme', subject: writes[app].subject, type: writes[app].type }),
      ),
    );
    // Each service asked the issuer for its own publish token: its client, the tenant, that one scope.
    for (const app of PUBLISHERS)
      expect({ app, publish: issued().filter((t) => t.clientId === app && t.scope.includes(PUBLISH)) }).toEqual({
        app,
        publish: [expect.objectContaining({ scope: `tenant=acme ${PUBLISH}` })],
      });

    // The scope alone is not enough: a client that is none of the three services is refused.
    const intruder = await clientCredentials(issuer, 'intruder', [PUBLISH]);
    const forged = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/coupon',
      type: 'coupon.created',
      subject: 'FORGED',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      tenant: 'acme',
      entityversion: 1,
      actortype: 'service',
      actorid: 'intruder',
      requestid: randomUUID(),
      data: { code: 'FORGED' },
    };
    const refused = await call('POST', `${url.webhook}/webhook/acme/events`, intruder, [forged]);
    expect(refused.status).toBe(403);
  });
});

describe('refuses to start without what production needs', () => {
  const start = async (app: App, env: NodeJS.ProcessEnv) => {
    const output: string[] = [];
    const child = run(`apps/${app}/src/main.js`, [], { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', ...env }, output, app);
    // 'close': the process has exited and its output is fully read.
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, output: output.join('\n') };
  };

  it.each([
    ['customer-segment', SEGMENT_SETTINGS],
    ['coupon', COUPON_SETTINGS],
    ['category', CATEGORY_SETTINGS],
  ] as const)(
    '%s lists every missing setting and exits 1',
    async (app, settings) => {
      const { code, output } = await start(app, { MONGODB_URI: 'mongodb://127.0.0.1:1' });
      expect(code).toBe(1);
      expect(settings).toEqual(expect.arrayContaining(['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI', 'AUTH_TOKEN_URL']));
      expect(settings).toEqual(expect.arrayContaining(['SERVICE_CLIENT_ID', 'SERVICE_CLIENT_SECRET', 'WEBHOOK_URL']));
      for (const name of settings) expect(output).toContain(`${name} is required when NODE_ENV=production`);
    },
    90000,
  );

  it('webhook lists every missing setting, the issuer, audience and JWKS only (it calls no peer), and exits 1', async () => {
    const { code, output } = await start('webhook', { MONGODB_URI: 'mongodb://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(WEBHOOK_SETTINGS).toEqual(['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI']);
    const missing = [...output.matchAll(/- (\w+) is required when NODE_ENV=production/g)].map((m) => m[1]);
    expect(missing).toEqual(WEBHOOK_SETTINGS);
  }, 90000);

  it('names only what is missing', async () => {
    const { code, output } = await start('coupon', {
      MONGODB_URI: 'mongodb://127.0.0.1:1',
      AUTH_ISSUER: 'https://idp.example.test/',
      AUTH_JWKS_URI: 'https://idp.example.test/jwks',
      AUTH_TOKEN_URL: 'https://idp.example.test/token',
      SERVICE_CLIENT_ID: 'coupon',
      CUSTOMER_SEGMENT_URL: 'http://customer-segment:3001',
      WEBHOOK_URL: 'http://webhook:3004',
    });
    expect(code).toBe(1);
    const missing = [...output.matchAll(/- (\w+) is required when NODE_ENV=production/g)].map((m) => m[1]);
    expect(missing).toEqual(['AUTH_AUDIENCE', 'SERVICE_CLIENT_SECRET']);
  }, 90000);
});
