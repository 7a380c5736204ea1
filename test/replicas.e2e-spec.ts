/**
 * The suite scaled out: `npm start -- --replicas 2` as a test. Two processes of every app behind
 * the one base URL, their peer URLs pointing at it, one database. What must hold across instances:
 *   (a) coupon limits are exact: 200 concurrent redemptions against maxRedemptions 20, spread over
 *       both instances, give exactly 20 redemptions, in the answers and in the books;
 *   (b) no stale category tree: a write on one instance is in the tree the other one serves next;
 *   (c) no event published twice: one outbox dispatcher per service (a lease in MongoDB), every
 *       entry published exactly once, and the other instance takes over when the holder dies;
 *   (d) the per-tenant rate limit holds across instances (its counter is in MongoDB).
 * The base URL balances (least busy first, tools/gateway-balancing.spec.ts); where a case needs both
 * instances to serve for sure, it also calls each instance on its internal address.
 */
import { MongoClient } from 'mongodb';
import { launchSuite, RunningSuite, ServiceName } from '../tools/launcher';
import { authEnv, Call, httpClient, Reply, Signing, tokens, until } from './support/suite-http';

const SIGNING: Signing = { secret: 'replicas-e2e-secret-not-for-production', issuer: 'http://localhost/auth', audience: 'commerce-api' };
const mint = tokens(SIGNING);
const T = 'scaled';
const LIMITED = 'ratelim';
const RATE_LIMIT = 20;
const LEASE_MS = 2000;

const COUPON_ADMIN = ['coupon.coupon_manage', 'coupon.coupon_read'];
const CATEGORY_ADMIN = ['category.category_manage', 'category.category_publish', 'category.category_read_unpublished'];

interface Line {
  label: string;
  text: string;
  json?: Record<string, any>;
}
const lines: Line[] = [];
const output = (label: string, text: string) => {
  let json: Record<string, any> | undefined;
  if (text.startsWith('{')) {
    try {
      json = JSON.parse(text) as Record<string, any>;
    } catch {
      json = undefined;
    }
  }
  lines.push({ label, text, json });
  if (process.env.SUITE_E2E_LOGS) process.stdout.write(`[${label}] ${text}\n`);
};

/** Every publish call the dispatchers made (the suite's publisher logs each at debug level), by event id. */
function publishCalls(service: ServiceName): Array<{ label: string; id: string }> {
  return lines
    .filter((l) => l.label.startsWith(`${service}#`) && l.json?.msg === 'event published')
    .map((l) => ({ label: l.label, id: String(l.json!.event.id) }));
}

describe('the suite with two instances of every app (npm start -- --replicas 2)', () => {
  let suite: RunningSuite;
  let mongo: MongoClient;
  let base: Call;
  /** Each app instance on its internal address. */
  let direct: Record<ServiceName, Call[]>;

  beforeAll(async () => {
    suite = await launchSuite({
      port: 0,
      replicas: 2,
      env: {
        ...authEnv(SIGNING),
        // The publisher logs each event it hands over at debug level: the record of publish calls.
        LOG_LEVEL: 'debug',
        OUTBOX_LEASE_MS: String(LEASE_MS),
        OUTBOX_HEARTBEAT_MS: '250',
        RATE_LIMIT_TENANTS: JSON.stringify({ [LIMITED]: `${RATE_LIMIT}/24h` }),
      },
      // A killed instance comes back only after the lease it held has expired and the other instance
      // has taken it (every 250 ms): otherwise (c) races the restarted instance against the survivor.
      restart: { initialDelayMs: LEASE_MS * 2 },
      readyTimeoutMs: 180_000,
      output,
    }).catch((e) => {
      process.stderr.write(
        `${lines
          .slice(-60)
          .map((l) => `[${l.label}] ${l.text}`)
          .join('\n')}\n`,
      );
      throw e;
    });
    mongo = await MongoClient.connect(suite.mongodbUri);
    base = httpClient(suite.baseUrl);
    direct = Object.fromEntries(
      Object.entries(suite.services).map(([name, s]) => [name, s.instances.map((i) => httpClient(i.url))]),
    ) as Record<ServiceName, Call[]>;
  }, 240_000);

  afterAll(async () => {
    await mongo?.close();
    await suite?.stop();
  }, 60_000);

  it('runs two processes per app on distinct ports, and gives the apps the balancing base URL as peer URL', () => {
    for (const service of Object.values(suite.services)) {
      expect(service.instances.map((i) => i.label)).toEqual([`${service.name}#1`, `${service.name}#2`]);
      expect(new Set(service.instances.map((i) => i.port)).size).toBe(2);
      expect(service.instances.every((i) => typeof i.child?.pid === 'number')).toBe(true);
    }
    expect(suite.peerUrls).toEqual({
      'customer-segment': suite.baseUrl,
      coupon: suite.baseUrl,
      category: suite.baseUrl,
      webhook: suite.baseUrl,
    });
  });

  it('(a) keeps the redemption limit exact across instances: 200 concurrent redemptions, maxRedemptions 20', async () => {
    const admin = await mint.employee(T, COUPON_ADMIN);
    const created = await base('POST', `/coupon/${T}/coupons`, {
      token: admin,
      body: { code: 'SCALE20', name: 'Twenty', discountAbsolute: { amount: 5, currency: 'USD' }, maxRedemptions: 20 },
    });
    expect(created.status).toBe(201);

    const customers = await Promise.all(Array.from({ length: 200 }, (_, i) => mint.customer(T, `C-${i}`, ['coupon.coupon_redeem'])));
    // Half through the base URL, a quarter straight to each instance: both serve at the same time.
    const via = (i: number): Call => (i % 4 === 1 ? direct.coupon[0] : i % 4 === 3 ? direct.coupon[1] : base);
    const answers = await Promise.all(
      customers.map((token, i) =>
        via(i)('POST', `/coupon/${T}/coupons/SCALE20/redemptions`, {
          token,
          body: { orderCode: `ORD-${i}`, orderTotal: { amount: 50, currency: 'USD' }, discount: { amount: 5, currency: 'USD' } },
          timeoutMs: 60_000,
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(180);
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain('max_redemptions_reached');
    }
    // Both instances took part in the successful ones or the refusals: each served a quarter directly.
    const byInstance = [1, 3].map((k) => answers.filter((_, i) => i % 4 === k).length);
    expect(byInstance).toEqual([50, 50]);

    // The books, read back through either instance.
    for (const call of direct.coupon) {
      const coupon = await call('GET', `/coupon/${T}/coupons/SCALE20`, { token: admin });
      expect(coupon.body.redemptionCount).toBe(20);
      const list = await call('GET', `/coupon/${T}/coupons/SCALE20/redemptions?pageSize=1000`, { token: admin });
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(20);
      const winners = answers.map((a, i) => (a.status === 201 ? `C-${i}` : undefined)).filter(Boolean);
      expect(list.body.map((r: { customerNumber?: string }) => r.customerNumber).sort()).toEqual([...winners].sort());
    }
  }, 120_000);

  it('(b) serves no stale category tree: a write on one instance is in the very next tree read on the other', async () => {
    const admin = await mint.employee(T, CATEGORY_ADMIN);
    const guest = await mint.anonymous(T, 'visit-1');
    const ids = (tree: Reply): string[] => {
      const out: string[] = [];
      const walk = (n: { id: string; subcategories?: any[] }) => {
        out.push(n.id);
        (n.subcategories ?? []).forEach(walk);
      };
      (tree.body as any[]).forEach(walk);
      return out.sort();
    };
    expect(
      (
        await direct.category[0]('POST', `/category/${T}/categories`, {
          token: admin,
          body: { id: 'top', localizedName: { en: 'Top' }, position: 0, published: true },
        })
      ).status,
    ).toBe(201);
    const expected = ['top'];
    for (let round = 0; round < 10; round++) {
      const [writer, reader] = round % 2 ? [direct.category[1], direct.category[0]] : [direct.category[0], direct.category[1]];
      // The reader has this tenant's tree cached from its previous read.
      expect(ids(await reader('GET', `/category/${T}/category-trees`, { token: guest }))).toEqual([...expected].sort());
      const id = `child-${round}`;
      const parentId = round > 0 && round % 3 === 0 ? `child-${round - 1}` : 'top';
      const created = await writer('POST', `/category/${T}/categories`, {
        token: admin,
        body: { id, parentId, localizedName: { en: id }, position: round, published: true },
      });
      expect(created.status).toBe(201);
      expected.push(id);
      expect(ids(await reader('GET', `/category/${T}/category-trees`, { token: guest }))).toEqual([...expected].sort());
    }
    // A rename on one instance, read at once on the other.
    const current = await direct.category[0]('GET', `/category/${T}/categories/child-4`, { token: admin });
    const patched = await direct.category[0]('PATCH', `/category/${T}/categories/child-4`, {
      token: admin,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { localizedName: { en: 'renamed' }, metadata: { version: current.body.metadata.version } },
    });
    expect(patched.status).toBe(204);
    const tree = await direct.category[1]('GET', `/category/${T}/category-trees`, { token: guest, headers: { 'accept-language': 'en' } });
    expect(JSON.stringify(tree.body)).toContain('"renamed"');
  }, 60_000);

  it('(c) publishes every outbox event exactly once: one dispatcher per service holds the lease', async () => {
    const outbox = (db: string) =>
      mongo.db(db).collection<{ _id: string; publishedAt: Date | null; events?: Array<{ id: string }> }>('outbox');
    // Writes on both instances of coupon and category came from (a) and (b); add some on each coupon instance.
    const admin = await mint.employee(T, COUPON_ADMIN);
    for (let i = 0; i < 10; i++) {
      const res = await direct.coupon[i % 2]('POST', `/coupon/${T}/coupons`, {
        token: admin,
        body: { code: `EVT${i}`, name: `Event ${i}`, discountAbsolute: { amount: 1, currency: 'USD' } },
      });
      expect(res.status).toBe(201);
    }
    for (const [service, db] of [
      ['coupon', 'coupon'],
      ['category', 'category'],
    ] as const) {
      await until(`the ${service} outbox is drained`, async () => (await outbox(db).countDocuments({ publishedAt: null })) === 0);
      // An outbox document holds one event, or a run of one request's events (libs/persistence/src/outbox.ts).
      const events = (await outbox(db).find({}).toArray()).flatMap((d) => (d.events ? d.events.map((e) => e.id) : [d._id]));
      expect(events.length).toBeGreaterThan(service === 'coupon' ? 30 : 10);
      const calls = publishCalls(service);
      // Exactly one publish call per event, and no call for anything else.
      expect(calls.map((c) => c.id).sort()).toEqual(events.sort());
      // Every one of them from the same instance, though both instances wrote events.
      expect(new Set(calls.map((c) => c.label)).size).toBe(1);
      // All from the lease holder, which said so once; the other instance never took the lease.
      const lease = await mongo.db(db).collection<{ _id: string; holder: string }>('leases').findOne({ _id: 'outbox-dispatcher' });
      expect(lease?.holder).toBeTruthy();
      const taken = lines.filter((l) => l.label.startsWith(`${service}#`) && l.json?.msg?.startsWith('outbox lease taken'));
      expect(taken).toHaveLength(1);
      expect(new Set(calls.map((c) => c.label))).toEqual(new Set([taken[0].label]));
    }
  }, 60_000);

  it('(c) lets the other instance take over dispatching within seconds when the holder is killed', async () => {
    const holderLabel = lines.find((l) => l.label.startsWith('coupon#') && l.json?.msg?.startsWith('outbox lease taken'))!.label;
    const holder = suite.services.coupon.instances.find((i) => i.label === holderLabel)!;
    const other = suite.services.coupon.instances.find((i) => i !== holder)!;
    const mark = lines.length;
    process.kill(holder.child!.pid!, 'SIGKILL');

    const admin = await mint.employee(T, COUPON_ADMIN);
    const res = await httpClient(other.url)('POST', `/coupon/${T}/coupons`, {
      token: admin,
      body: { code: 'AFTERKILL', name: 'After the holder died', discountAbsolute: { amount: 1, currency: 'USD' } },
    });
    expect(res.status).toBe(201);
    const entry = await mongo
      .db('coupon')
      .collection<{ _id: string; event: { subject: string } }>('outbox')
      .findOne({ 'event.subject': 'AFTERKILL' });
    expect(entry).toBeTruthy();
    const published = await until(
      'the event is published by the other instance',
      () => lines.slice(mark).find((l) => l.json?.msg === 'event published' && l.json.event.id === entry!._id),
      LEASE_MS * 5,
    );
    expect(published.label).toBe(other.label);
    expect(lines.slice(mark).some((l) => l.label === other.label && l.json?.msg?.startsWith('outbox lease taken'))).toBe(true);
    // The supervisor brings the killed instance back.
    await until('the killed instance is back', () => lines.slice(mark).some((l) => l.text.startsWith(`${holderLabel} is back`)), 120_000);
  }, 180_000);

  it('(d) holds the per-tenant rate limit across instances: one allowance, shared through MongoDB', async () => {
    const admin = await mint.employee(LIMITED, CATEGORY_ADMIN);
    const answers: number[] = [];
    // Alternating instances: a per-process counter would allow the limit on each.
    for (let i = 0; i < RATE_LIMIT * 2 + 10; i++) {
      answers.push((await direct.category[i % 2]('GET', `/category/${LIMITED}/categories`, { token: admin })).status);
    }
    expect(answers.filter((s) => s === 200)).toHaveLength(RATE_LIMIT);
    expect(answers.slice(0, RATE_LIMIT).every((s) => s === 200)).toBe(true);
    expect(answers.slice(RATE_LIMIT).every((s) => s === 429)).toBe(true);
    // Through the base URL too, and another tenant is not affected.
    expect((await base('GET', `/category/${LIMITED}/categories`, { token: admin })).status).toBe(429);
    expect((await base('GET', `/category/${T}/categories`, { token: await mint.employee(T, CATEGORY_ADMIN) })).status).toBe(200);
  }, 60_000);
});
