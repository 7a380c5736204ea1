/**
 * Events reach integrators (issue #13), end to end through `npm start -- --replicas 2`: two
 * processes of every app, one base URL, one database. A tenant subscribes through the webhook API;
 * writes in each of the three services arrive at a real receiver as signed Emporix-style POSTs. An
 * app killed between its write and its dispatch still delivers the event after its restart, and
 * no event arrives twice except by a retry the receiver asked for (a non-2xx answer).
 */
import { MongoClient } from 'mongodb';
import { launchSuite, RunningSuite } from '../tools/launcher';
import { authEnv, Call, httpClient, Signing, sleep, tokens, until } from './support/suite-http';
import { signatureValid, WebhookReceiver } from './support/webhook-receiver';

const SIGNING: Signing = { secret: 'webhook-suite-secret-not-for-production', issuer: 'http://localhost/auth', audience: 'commerce-api' };
const mint = tokens(SIGNING);
const T = 'hooked';
const SECRET = 'receiver-shared-secret';
const TYPES = ['customer-segment.segment-created', 'category.created', 'coupon.created'];

describe('webhooks across the suite (two instances of every app)', () => {
  let suite: RunningSuite;
  let mongo: MongoClient;
  let base: Call;
  let receiver: WebhookReceiver;
  const logs: string[] = [];

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    suite = await launchSuite({
      port: 0,
      replicas: 2,
      env: {
        ...authEnv(SIGNING),
        LOG_LEVEL: 'warn',
        OUTBOX_LEASE_MS: '2000',
        OUTBOX_HEARTBEAT_MS: '250',
        WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,800ms',
        WEBHOOK_ALLOWED_DESTINATIONS: 'loopback',
      },
      restart: { initialDelayMs: 200 },
      readyTimeoutMs: 180_000,
      output: (label, line) => {
        logs.push(`[${label}] ${line}`);
        if (process.env.SUITE_E2E_LOGS) process.stdout.write(`[${label}] ${line}\n`);
      },
    }).catch((e) => {
      process.stderr.write(`${logs.slice(-60).join('\n')}\n`);
      throw e;
    });
    mongo = await MongoClient.connect(suite.mongodbUri);
    base = httpClient(suite.baseUrl);

    const manager = await mint.employee(T, ['webhook.subscription_manage', 'webhook.subscription_read']);
    const config = await base('POST', `/webhook/${T}/config`, {
      token: manager,
      body: { code: 'http', provider: 'HTTP', active: true, configuration: { destinationUrl: receiver.url, secretKey: SECRET } },
    });
    expect(config.status).toBe(201);
    const subscribed = await base('PATCH', `/webhook/${T}/event-subscriptions`, {
      token: manager,
      body: TYPES.map((eventType) => ({ eventType, action: 'SUBSCRIBE' })),
    });
    expect(subscribed.status).toBe(207);
    expect(subscribed.body.map((r: { code: number }) => r.code)).toEqual(TYPES.map(() => 200));
  }, 240_000);

  afterAll(async () => {
    await mongo?.close();
    await suite?.stop();
    await receiver?.close();
  }, 60_000);

  it('delivers a write of each service to the receiver, signed as documented', async () => {
    const admin = await mint.employee(T, [
      'customersegment.segment_manage',
      'category.category_manage',
      'category.category_publish',
      'coupon.coupon_manage',
    ]);
    const segment = await base('POST', `/customer-segment/${T}/segments`, {
      token: admin,
      body: { id: 'hook-seg', name: { en: 'Hooked' }, status: 'ACTIVE', siteCode: 'main' },
    });
    expect(segment.status).toBe(201);
    const category = await base('POST', `/category/${T}/categories`, {
      token: admin,
      body: { id: 'hook-cat', localizedName: { en: 'Hooked' }, published: true },
    });
    expect(category.status).toBe(201);
    const coupon = await base('POST', `/coupon/${T}/coupons`, {
      token: admin,
      body: { code: 'HOOK10', name: 'Hooked', discountAbsolute: { amount: 10, currency: 'EUR' } },
    });
    expect(coupon.status).toBe(201);

    const seg = await until(
      'the segment event arrives',
      () => receiver.of('customer-segment.segment-created', (b) => b?.id === 'hook-seg')[0],
    );
    const cat = await until('the category event arrives', () => receiver.of('category.created', (b) => b?.id === 'hook-cat')[0]);
    const cpn = await until('the coupon event arrives', () => receiver.of('coupon.created', (b) => b?.code === 'HOOK10')[0]);
    expect([seg.type, cat.type, cpn.type]).toEqual(TYPES);
    for (const r of [seg, cat, cpn]) {
      expect(signatureValid(r, SECRET)).toBe(true);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(new Date(String(r.headers['emporix-event-publish-time'])).toISOString()).toBe(String(r.headers['emporix-event-publish-time']));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      // EVT-7: the body is `data` alone, never the envelope.
      expect(r.body.specversion).toBeUndefined();
      expect(r.body.data).toBeUndefined();
    }
  }, 60_000);

  it('still delivers an event whose app was killed between its write and its dispatch', async () => {
    // The webhook service is down: the dispatchers cannot hand the entry over, it stays in the outbox.
    await suite.stopService('webhook');
    const admin = await mint.employee(T, ['category.category_manage', 'category.category_publish']);
    const created = await base('POST', `/category/${T}/categories`, {
      token: admin,
      body: { id: 'hook-crash', localizedName: { en: 'Crash' }, published: true },
    });
    expect(created.status).toBe(201);
    const outbox = mongo.db('category').collection('outbox');
    const entry = (await until('the entry is in the outbox', () => outbox.findOne({ tenant: T, 'event.subject': 'hook-crash' })))!;
    expect(entry.publishedAt).toBeNull();
    // kill -9 both category processes (the launcher restarts them), then bring the webhook service back.
    const pids = suite.services.category.instances.map((i) => i.child?.pid);
    for (const i of suite.services.category.instances) i.child?.kill('SIGKILL');
    await until('the category processes were restarted', () =>
      suite.services.category.instances.every(
        (i) => i.child?.pid !== undefined && !pids.includes(i.child.pid) && i.child.exitCode === null,
      ),
    );
    expect((await outbox.findOne({ _id: entry._id }))?.publishedAt).toBeNull();
    await suite.startService('webhook');
    const received = await until(
      'the event arrives after the restart',
      () => receiver.of('category.created', (b) => b?.id === 'hook-crash')[0],
      60_000,
    );
    expect(received.id).toBe(entry._id);
    expect(signatureValid(received, SECRET)).toBe(true);
  }, 180_000);

  it('delivers every event once across two instances of each app, except the retries the receiver asked for', async () => {
    const admin = await mint.employee(T, ['coupon.coupon_manage']);
    // The receiver refuses the first attempt of every fifth coupon: those come again, by retry.
    const refusedOnce = new Set<string>();
    receiver.answer = (r) => {
      const code = r.body?.code as string | undefined;
      if (r.type === 'coupon.created' && code?.startsWith('ONCE-') && Number(code.slice(5)) % 5 === 0 && !refusedOnce.has(code)) {
        refusedOnce.add(code);
        return 503;
      }
      return 200;
    };
    const direct = suite.services.coupon.instances.map((i) => httpClient(i.url));
    const codes = Array.from({ length: 40 }, (_, i) => `ONCE-${i}`);
    const answers = await Promise.all(
      codes.map((code, i) =>
        direct[i % 2]('POST', `/coupon/${T}/coupons`, {
          token: admin,
          body: { code, name: code, discountAbsolute: { amount: 1, currency: 'EUR' } },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(codes.map(() => 201));
    await until('every coupon event was acknowledged', () =>
      codes.every((code) => receiver.of('coupon.created', (b) => b?.code === code).some((r) => r.status === 200)),
    );
    await sleep(1500); // room for a stray duplicate to show up
    for (const code of codes) {
      const receipts = receiver.of('coupon.created', (b) => b?.code === code);
      const acknowledged = receipts.filter((r) => r.status === 200);
      expect(acknowledged).toHaveLength(1);
      // Every receipt before the acknowledged one was refused by the receiver: a retry, never a second instance.
      expect(receipts.filter((r) => r.status !== 200)).toHaveLength(Number(code.slice(5)) % 5 === 0 ? 1 : 0);
      expect(new Set(receipts.map((r) => r.id)).size).toBe(1);
    }
    receiver.answer = () => 200;
  }, 120_000);
});
