import { createHmac, randomUUID } from 'node:crypto';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { HttpStub, RecordedRequest, startTestDatabase, StubHandler, TestDatabase, testAuthEnv, uniqueDbName } from '@suite/testing';
import type { Connection } from 'mongoose';
import pino from 'pino';
import type { Lookup } from '../src/common/destination-policy';
import { loadWebhookConfig, WebhookServiceConfig } from '../src/config/webhook.config';
import { EventsConfigurationEntry, WebhookConfig, WebhookConfigReader } from '../src/configs/webhook-config.types';
import { DeliveryAttempts } from '../src/delivery/delivery-attempts';
import { deliveryIdOf, destinationKeyOf, tenantOfDestination } from '../src/delivery/delivery-keys';
import { DeliveryMaintenance } from '../src/delivery/delivery-maintenance';
import { DeliveryQueueService } from '../src/delivery/delivery-queue.service';
import { DeliveryScheduler } from '../src/delivery/delivery-scheduler';
import { DeliverySender } from '../src/delivery/delivery-sender';
import { DeliveryRepository } from '../src/delivery/delivery.repository';
import type { Delivery, NewDelivery } from '../src/delivery/delivery.types';
import { DestinationRepository } from '../src/delivery/destination.repository';
import { StatisticsCounters } from '../src/statistics/statistics-counters';
import { StatisticsRepository } from '../src/statistics/statistics.repository';
import { monthOf } from '../src/statistics/statistics.types';

/** The stored configs the engine reads at every attempt, changed by the tests as the config API would. */
class FakeConfigs extends WebhookConfigReader {
  readonly configs = new Map<string, WebhookConfig>();
  reads = 0;
  async httpConfig(tenant: string): Promise<WebhookConfig | null> {
    this.reads += 1;
    const c = this.configs.get(tenant);
    return c ? structuredClone(c) : null;
  }
  set(
    tenant: string,
    entries: Array<Partial<EventsConfigurationEntry> & { id: string; destinationUrl: string }>,
    root: Partial<WebhookConfig['configuration']> = {},
  ) {
    this.configs.set(tenant, {
      code: 'http',
      provider: 'HTTP',
      active: true,
      configuration: { ...root, eventsConfiguration: entries.map((e) => ({ eventType: 'category.updated', active: true, ...e })) },
      metadata: { version: 1, createdAt: new Date(), modifiedAt: new Date() },
    });
  }
}

interface Engine {
  scheduler: DeliveryScheduler;
  queue: DeliveryQueueService;
  stop(): Promise<void>;
}

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(15);
  }
}

describe('the delivery engine against the embedded database and real receivers', () => {
  let db: TestDatabase;
  let connection: Connection;
  let deliveries: DeliveryRepository;
  let destinations: DestinationRepository;
  let statistics: StatisticsRepository;
  let counters: StatisticsCounters;
  let configs: FakeConfigs;
  const engines: Engine[] = [];
  const stubs: HttpStub[] = [];

  const settings = (env: Record<string, string> = {}): WebhookServiceConfig =>
    loadWebhookConfig({
      ...testAuthEnv(),
      MONGODB_URI: db.uri,
      WEBHOOK_ALLOWED_DESTINATIONS: 'loopback',
      WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
      WEBHOOK_DELIVERY_TIMEOUT_MS: '400',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_BREAKER_FAILURES: '50',
      ...env,
    });

  async function engine(env: Record<string, string> = {}, lookup?: Lookup): Promise<Engine> {
    const config = settings(env);
    const sender = new DeliverySender(config.delivery.timeoutMs, config.destinations, lookup);
    const attempts = new DeliveryAttempts(deliveries, destinations, counters, sender, config, silent);
    const scheduler = new DeliveryScheduler(destinations, deliveries, attempts, configs, config, silent, { leaseMs: 3000 });
    const queue = new DeliveryQueueService(deliveries, destinations, scheduler);
    scheduler.start();
    const e = {
      scheduler,
      queue,
      stop: async () => {
        await scheduler.stop();
        await sender.close();
      },
    };
    engines.push(e);
    return e;
  }

  async function receiver(handler: StubHandler = () => ({ status: 200 })): Promise<HttpStub & { times: number[] }> {
    const stub = await HttpStub.start();
    const times: number[] = [];
    stub.respond((req) => {
      times.push(Date.now());
      return handler(req);
    });
    stubs.push(stub);
    return Object.assign(stub, { times });
  }

  const newTenant = () => `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const event = (url: string, entryId: string | null, over: Partial<NewDelivery> = {}): NewDelivery => ({
    eventId: randomUUID(),
    eventType: 'category.updated',
    entryId,
    url,
    body: JSON.stringify({ id: randomUUID(), name: 'Gr\u00fcn' }),
    eventTime: new Date().toISOString(),
    ...over,
  });
  const record = (tenant: string, n: NewDelivery) => deliveries.find(tenant, deliveryIdOf(n.eventId, n.entryId));
  const inState = (tenant: string, n: NewDelivery, state: Delivery['state']) =>
    waitFor(`${state}`, async () => {
      const d = await record(tenant, n);
      return d?.state === state ? d : undefined;
    });

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('webhookengine') });
    const registry = new TenantModelRegistry(connection);
    deliveries = new DeliveryRepository(registry);
    destinations = new DestinationRepository(connection);
    statistics = new StatisticsRepository(registry);
    counters = new StatisticsCounters(statistics, silent);
    await destinations.ensureIndexes();
  });
  beforeEach(() => {
    configs = new FakeConfigs();
  });
  afterEach(async () => {
    while (engines.length) await (engines.pop() as Engine).stop();
    while (stubs.length) await (stubs.pop() as HttpStub).close();
    // The counters' 250 ms flush must not outlive the test.
    await counters.flush();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('destinations: one lease holder at a time, and a release that loses no enqueue', async () => {
    const tenant = newTenant();
    const url = 'https://receiver.example/hooks';
    const key = destinationKeyOf(tenant, url);
    const now = () => new Date();
    await destinations.announce([{ key, tenant, url, count: 2 }], now());
    const claimed = await destinations.claim(key, 'one', now(), 5000);
    expect(claimed).toMatchObject({ tenant, url, enqueued: 2, lease: { holder: 'one' }, breaker: { failures: 0 } });
    expect(await destinations.claim(key, 'two', now(), 5000)).toBeNull();
    expect(await destinations.due('two', now(), 10)).not.toContain(key);
    expect(await destinations.renew(key, 'two', now(), 5000)).toBe(false);
    expect(await destinations.renew(key, 'one', now(), 5000)).toBe(true);
    // An enqueue between the holder's last look and its release: the release must fail.
    const seen = (await destinations.enqueuedCount(key, 'one')) as number;
    await destinations.announce([{ key, tenant, url, count: 1 }], now());
    expect(await destinations.release(key, 'one', seen, null)).toBe(false);
    expect((await destinations.find(key))?.dueAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await destinations.release(key, 'one', seen + 1, null)).toBe(true);
    expect(await destinations.find(key)).toMatchObject({ dueAt: new Date('9999-12-31T00:00:00.000Z'), lease: { holder: null } });
    // An enqueue after a release lowers dueAt again ($min), and the destination is claimable.
    await destinations.announce([{ key, tenant, url, count: 1 }], now());
    expect(await destinations.claim(key, 'two', now(), 5000)).toMatchObject({ enqueued: 4, lease: { holder: 'two' } });
    // An expired lease can be taken over.
    await destinations.abandon(key, 'two', now());
    await destinations.claim(key, 'one', now(), 1);
    await sleep(5);
    expect(await destinations.claim(key, 'two', now(), 5000)).toMatchObject({ lease: { holder: 'two' } });
    expect(await destinations.renew(key, 'one', now(), 5000)).toBe(false);
  });

  it('delivers the exact body, a verifiable signature, the protocol and configured headers, once per event and target', async () => {
    const { queue } = await engine();
    const hooks = await receiver();
    const tenant = newTenant();
    configs.set(
      tenant,
      [
        {
          id: 'signed',
          destinationUrl: `${hooks.url}/signed`,
          secretKey: 'entry-secret',
          headers: { 'X-Api-Key': { value: 'entry-key' } },
        },
        { id: 'plain', destinationUrl: `${hooks.url}/plain` },
      ],
      { secretKey: undefined, headers: { 'X-Api-Key': { value: 'root-key' }, 'X-Tenant': { value: tenant } } },
    );
    const signed = event(`${hooks.url}/signed`, 'signed');
    const plain = event(`${hooks.url}/plain`, 'plain', { eventId: signed.eventId, body: signed.body });
    const before = Date.now();
    await queue.enqueue(tenant, [signed, plain]);
    await queue.enqueue(tenant, [signed]); // a re-sent batch adds nothing
    const done = await inState(tenant, signed, 'SUCCEEDED');
    await inState(tenant, plain, 'SUCCEEDED');
    await sleep(150);
    expect(hooks.requests.map((r) => r.path).sort()).toEqual(['/plain', '/signed']);
    const req = hooks.requests.find((r) => r.path === '/signed') as RecordedRequest;
    expect(req.body).toBe(signed.body);
    // The documented verification: base64(HMAC-SHA256(secret, raw body bytes)).
    const expected = createHmac('sha256', 'entry-secret').update(Buffer.from(req.body, 'utf8')).digest('base64');
    expect(req.headers['emporix-event-signature']).toBe(expected);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['ce-id']).toBe(signed.eventId);
    expect(req.headers['ce-type']).toBe('category.updated');
    expect(req.headers['ce-time']).toBe(signed.eventTime);
    expect(req.headers['x-api-key']).toBe('entry-key');
    expect(req.headers['x-tenant']).toBe(tenant);
    expect(req.headers['user-agent']).toBe('commerce-suite-webhook/1.0');
    const publishTime = String(req.headers['emporix-event-publish-time']);
    expect(publishTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(publishTime)).toBeGreaterThanOrEqual(before - 5);
    const other = hooks.requests.find((r) => r.path === '/plain') as RecordedRequest;
    expect(other.headers).not.toHaveProperty('emporix-event-signature');
    expect(other.headers['x-api-key']).toBe('root-key');
    expect(done).toMatchObject({ attemptCount: 1, nextAttemptAt: null });
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ statusCode: 200, url: `${hooks.url}/signed` });
    expect(done.attempts[0].headerNames).toEqual(expect.arrayContaining(['X-Api-Key', 'emporix-event-signature', 'ce-id']));
    expect(JSON.stringify(done)).not.toContain('entry-key');
    await counters.flush();
    expect(await statistics.months(tenant, monthOf(new Date()), monthOf(new Date()))).toEqual([
      { month: monthOf(new Date()), succeeded: 2, failedAttempts: 0, deadLettered: 0, cancelled: 0 },
    ]);
    // Idle again: nothing due, lease free.
    const dest = await destinations.find(destinationKeyOf(tenant, `${hooks.url}/signed`));
    expect(dest?.dueAt.getUTCFullYear()).toBe(9999);
    expect(dest?.lease.holder).toBeNull();
  });

  it('retries a 5xx after the scheduled waits (±20 %) and succeeds; dead-letters after the schedule', async () => {
    const { queue } = await engine();
    let calls = 0;
    const flaky = await receiver(() => (++calls <= 2 ? { status: 503, raw: 'busy, try later' } : { status: 200 }));
    const dead = await receiver(() => ({ status: 500 }));
    const tenant = newTenant();
    configs.set(tenant, [
      { id: 'flaky', destinationUrl: flaky.url },
      { id: 'dead', destinationUrl: dead.url },
    ]);
    const a = event(flaky.url, 'flaky');
    const b = event(dead.url, 'dead');
    await queue.enqueue(tenant, [a, b]);
    const ok = await inState(tenant, a, 'SUCCEEDED');
    expect(ok.attemptCount).toBe(3);
    expect(ok.attempts.map((t) => t.statusCode)).toEqual([503, 503, 200]);
    expect(ok.attempts[0]).toMatchObject({ error: 'answered 503', responseExcerpt: 'busy, try later' });
    const gaps = flaky.times.slice(1).map((t, i) => t - flaky.times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(75);
    expect(gaps[1]).toBeGreaterThanOrEqual(155);
    const failed = await inState(tenant, b, 'FAILED');
    expect(failed.attemptCount).toBe(3);
    expect(failed.nextAttemptAt).toBeNull();
    expect(failed.completedAt).toBeInstanceOf(Date);
    expect(failed.reason).toBe('no 2xx answer after 3 attempts; last: answered 500');
    await sleep(400);
    expect(dead.requests).toHaveLength(3);
    await counters.flush();
    const [month] = await statistics.months(tenant, monthOf(new Date()), monthOf(new Date()));
    expect(month).toMatchObject({ succeeded: 1, failedAttempts: 5, deadLettered: 1 });
  });

  it('retries a receiver that never answers (timeout) and a closed port (refused connection)', async () => {
    const { queue } = await engine({ WEBHOOK_DELIVERY_TIMEOUT_MS: '150' });
    const silentOne = await receiver(() => ({ hang: true }));
    const closed = await HttpStub.start();
    const closedUrl = closed.url;
    await closed.close();
    const tenant = newTenant();
    configs.set(tenant, [
      { id: 'hang', destinationUrl: silentOne.url },
      { id: 'closed', destinationUrl: closedUrl },
    ]);
    const a = event(silentOne.url, 'hang');
    const b = event(closedUrl, 'closed');
    await queue.enqueue(tenant, [a, b]);
    const timedOut = await inState(tenant, a, 'FAILED');
    expect(timedOut.attempts.map((t) => t.error)).toEqual(Array(3).fill('no complete answer within 150 ms'));
    expect(silentOne.requests).toHaveLength(3);
    const refused = await inState(tenant, b, 'FAILED');
    expect(refused.attempts).toHaveLength(3);
    for (const t of refused.attempts) expect(t.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+$/);
  });

  it('keeps a fast receiver fast while a slow one hangs', async () => {
    const { queue } = await engine({ WEBHOOK_DELIVERY_TIMEOUT_MS: '3000', WEBHOOK_DESTINATION_CONCURRENCY: '2' });
    const slow = await receiver(() => ({ hang: true }));
    const fast = await receiver();
    const tenant = newTenant();
    configs.set(tenant, [
      { id: 'slow', destinationUrl: slow.url },
      { id: 'fast', destinationUrl: fast.url },
    ]);
    const slowOnes = Array.from({ length: 6 }, () => event(slow.url, 'slow'));
    await queue.enqueue(tenant, slowOnes);
    await waitFor('the slow receiver to hold its connections', () => slow.requests.length >= 2);
    const fastOnes = Array.from({ length: 10 }, () => event(fast.url, 'fast'));
    const started = Date.now();
    await queue.enqueue(tenant, fastOnes);
    await waitFor('the fast receiver to get everything', () => fast.requests.length === 10);
    expect(Date.now() - started).toBeLessThan(1500);
    // The slow destination is bounded by its own concurrency and nothing of it has completed.
    expect(slow.requests).toHaveLength(2);
    for (const n of slowOnes) expect((await record(tenant, n))?.state).toBe('PENDING');
  });

  it('opens the breaker after N consecutive failures, makes no attempt while open, then closes it with one probe', async () => {
    const { queue } = await engine({
      WEBHOOK_RETRY_SCHEDULE: '20ms,20ms,20ms,20ms,20ms,20ms',
      WEBHOOK_BREAKER_FAILURES: '3',
      WEBHOOK_BREAKER_OPEN_MS: '700',
      WEBHOOK_DESTINATION_CONCURRENCY: '1',
    });
    let healthy = false;
    const hooks = await receiver(() => ({ status: healthy ? 200 : 502 }));
    const tenant = newTenant();
    configs.set(tenant, [{ id: 'e', destinationUrl: hooks.url }]);
    const events = Array.from({ length: 4 }, () => event(hooks.url, 'e'));
    await queue.enqueue(tenant, events);
    await waitFor('three failures', () => hooks.requests.length >= 3);
    const openedAt = hooks.times[2];
    const key = destinationKeyOf(tenant, hooks.url);
    const open = await waitFor('the stored open breaker', async () => {
      const d = await destinations.find(key);
      return d && d.breaker.openUntil.getTime() > Date.now() ? d : undefined;
    });
    expect(open.breaker.failures).toBe(3);
    await sleep(450);
    expect(hooks.requests).toHaveLength(3); // no attempt while open
    const counted = await Promise.all(events.map((n) => record(tenant, n)));
    expect(counted.reduce((sum, d) => sum + (d?.attemptCount ?? 0), 0)).toBe(3);
    healthy = true;
    await Promise.all(events.map((n) => inState(tenant, n, 'SUCCEEDED')));
    // The probe came after the open period and alone; then the rest followed.
    expect(hooks.times[3] - openedAt).toBeGreaterThanOrEqual(650);
    expect(hooks.requests).toHaveLength(3 + 4);
    expect((await destinations.find(key))?.breaker).toEqual({ failures: 0, openUntil: new Date(0) });
  });

  it('reopens the breaker when the probe fails', async () => {
    const { queue } = await engine({
      WEBHOOK_RETRY_SCHEDULE: '20ms,20ms,20ms,20ms,20ms,20ms,20ms,20ms',
      WEBHOOK_BREAKER_FAILURES: '2',
      WEBHOOK_BREAKER_OPEN_MS: '300',
      WEBHOOK_DESTINATION_CONCURRENCY: '1',
    });
    const hooks = await receiver(() => ({ status: 500 }));
    const tenant = newTenant();
    configs.set(tenant, [{ id: 'e', destinationUrl: hooks.url }]);
    await queue.enqueue(tenant, [event(hooks.url, 'e'), event(hooks.url, 'e')]);
    await waitFor('the probe after the first open period', () => hooks.requests.length >= 3);
    await sleep(150);
    expect(hooks.requests).toHaveLength(3); // the failed probe opened it again
    expect(hooks.times[2] - hooks.times[1]).toBeGreaterThanOrEqual(280);
  });

  it('cancels, without sending, deliveries whose entry or config is inactive or gone', async () => {
    const { queue } = await engine();
    const hooks = await receiver();
    const tenant = newTenant();
    configs.set(tenant, [
      { id: 'off', destinationUrl: hooks.url, active: false },
      { id: 'on', destinationUrl: `${hooks.url}/on` },
    ]);
    const off = event(hooks.url, 'off');
    const gone = event(hooks.url, 'removed-entry');
    await queue.enqueue(tenant, [off, gone]);
    expect(await inState(tenant, off, 'CANCELLED')).toMatchObject({
      reason: 'the eventsConfiguration entry off is inactive',
      attemptCount: 0,
    });
    expect(await inState(tenant, gone, 'CANCELLED')).toMatchObject({
      reason: 'the eventsConfiguration entry removed-entry does not exist any more',
    });
    const other = newTenant();
    const orphan = event(`${hooks.url}/on`, 'on');
    await queue.enqueue(other, [orphan]);
    expect(await inState(other, orphan, 'CANCELLED')).toMatchObject({ reason: 'the tenant has no http webhook config any more' });
    expect(hooks.requests).toHaveLength(0);
    await counters.flush();
    const [month] = await statistics.months(tenant, monthOf(new Date()), monthOf(new Date()));
    expect(month).toMatchObject({ cancelled: 2, succeeded: 0 });
  });

  it("sends a pending delivery to its entry's new URL when the config changed meanwhile", async () => {
    const { queue } = await engine({ WEBHOOK_RETRY_SCHEDULE: '300ms' });
    const old = await receiver(() => ({ status: 500 }));
    const moved = await receiver();
    const tenant = newTenant();
    configs.set(tenant, [{ id: 'e', destinationUrl: old.url, secretKey: 'old' }]);
    const n = event(old.url, 'e');
    await queue.enqueue(tenant, [n]);
    await waitFor('the first attempt', () => old.requests.length === 1);
    configs.set(tenant, [{ id: 'e', destinationUrl: `${moved.url}/new`, secretKey: 'new' }]);
    const done = await inState(tenant, n, 'SUCCEEDED');
    expect(old.requests).toHaveLength(1);
    expect(moved.requests).toHaveLength(1);
    expect(moved.requests[0].headers['emporix-event-signature']).toBe(createHmac('sha256', 'new').update(n.body).digest('base64'));
    expect(done).toMatchObject({ url: `${moved.url}/new`, destinationKey: destinationKeyOf(tenant, `${moved.url}/new`), attemptCount: 2 });
    expect(done.attempts.map((a) => a.url)).toEqual([old.url, `${moved.url}/new`]);
  });

  it('dead-letters a destination that resolves into the internal network at delivery time (DNS rebinding)', async () => {
    const hooks = await receiver();
    const port = new URL(hooks.url).port;
    const rebinding: Lookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const { queue } = await engine({ WEBHOOK_ALLOWED_DESTINATIONS: '' }, rebinding);
    const tenant = newTenant();
    const url = `http://hooks.rebind.test:${port}/in`;
    configs.set(tenant, [{ id: 'e', destinationUrl: url }]);
    const n = event(url, 'e');
    await queue.enqueue(tenant, [n]);
    const dead = await inState(tenant, n, 'FAILED');
    expect(dead.attempts.map((a) => a.error)).toEqual(
      Array(3).fill('destination refused: hooks.rebind.test resolves to 127.0.0.1 (127.0.0.1 is a loopback address)'),
    );
    expect(hooks.requests).toHaveLength(0);
  });

  it('two instances on one database never send one attempt twice', async () => {
    const env = { WEBHOOK_DELIVERY_TIMEOUT_MS: '5000' };
    const first = await engine(env);
    const second = await engine(env);
    const hooks = await Promise.all(Array.from({ length: 4 }, () => receiver(async () => ({ status: 200, delayMs: 5 }))));
    const tenant = newTenant();
    configs.set(
      tenant,
      hooks.map((h, i) => ({ id: `e${i}`, destinationUrl: h.url })),
    );
    const all: NewDelivery[] = [];
    for (let round = 0; round < 20; round++) {
      const batch = hooks.map((h, i) => event(h.url, `e${i}`));
      all.push(...batch);
      // Both instances enqueue, so both are woken for the same destinations.
      const [a, b] = round % 2 ? [first, second] : [second, first];
      await Promise.all([a.queue.enqueue(tenant, batch), b.queue.enqueue(tenant, batch)]);
    }
    const done = await Promise.all(all.map((n) => inState(tenant, n, 'SUCCEEDED')));
    await sleep(200);
    // Every attempt reaches the receiver once; a second receipt of a delivery is only ever a
    // recorded retry (a timeout on a loaded machine), never the other instance sending it too.
    const attempts = hooks.flatMap((h) =>
      h.requests.map((r) => `${String(r.headers['x-delivery-id'])}#${String(r.headers['x-delivery-attempt'])}`),
    );
    expect(new Set(attempts).size).toBe(attempts.length);
    expect(attempts).toHaveLength(done.reduce((sum, d) => sum + d.attemptCount, 0));
    expect(new Set(attempts.map((a) => a.split('#')[0]))).toEqual(new Set(done.map((d) => d.id)));
  });

  it('a holder that cannot renew its lease abandons its attempt in flight before another instance may send it', async () => {
    // The attempt's timeout (5 s) outlasts the lease (2 s): the holder's renewals fail (its database
    // is out of reach), so the other instance takes over once the lease ran out.
    const config = settings({ WEBHOOK_DELIVERY_TIMEOUT_MS: '5000' });
    const tenant = newTenant();
    // Its one successful claim is of this test's destination: a destination an earlier test left due
    // (a retry on a loaded machine) must not use it up.
    class Unrenewable extends DestinationRepository {
      private claims = 0;
      override renew(): Promise<boolean> {
        return Promise.reject(new Error('database unreachable'));
      }
      override claim(...args: Parameters<DestinationRepository['claim']>) {
        if (tenantOfDestination(args[0]) !== tenant || this.claims++) return Promise.reject(new Error('database unreachable'));
        return super.claim(...args);
      }
    }
    const holderSender = new DeliverySender(config.delivery.timeoutMs, config.destinations);
    let holderEnded = 0;
    const send = holderSender.send.bind(holderSender);
    holderSender.send = async (...args) => {
      try {
        return await send(...args);
      } finally {
        holderEnded = Date.now();
      }
    };
    const holderAttempts = new DeliveryAttempts(deliveries, destinations, counters, holderSender, config, silent);
    // Two seconds: a loaded machine still gets the attempt out before the lease runs out.
    const holder = new DeliveryScheduler(new Unrenewable(connection), deliveries, holderAttempts, configs, config, silent, {
      leaseMs: 2000,
    });
    const holderQueue = new DeliveryQueueService(deliveries, destinations, holder);
    holder.start();
    engines.push({
      scheduler: holder,
      queue: holderQueue,
      stop: async () => {
        await holder.stop();
        await holderSender.close();
      },
    });
    let takenOverAt = 0;
    const hooks = await receiver((req) => {
      if (String(req.headers['x-delivery-attempt']) === '1' && hooks.requests.length === 1) return { hang: true };
      takenOverAt ||= Date.now();
      return { status: 200 };
    });
    configs.set(tenant, [{ id: 'e', destinationUrl: hooks.url }]);
    const n = event(hooks.url, 'e');
    await holderQueue.enqueue(tenant, [n]);
    await waitFor('the first attempt', () => hooks.requests.length === 1);
    const otherSender = new DeliverySender(config.delivery.timeoutMs, config.destinations);
    const other = new DeliveryScheduler(
      destinations,
      deliveries,
      new DeliveryAttempts(deliveries, destinations, counters, otherSender, config, silent),
      configs,
      config,
      silent,
      { leaseMs: 1000 },
    );
    other.start();
    engines.push({ scheduler: other, queue: holderQueue, stop: async () => (await other.stop(), await otherSender.close()) });
    await inState(tenant, n, 'SUCCEEDED');
    expect(takenOverAt).toBeGreaterThan(0);
    // The holder's request was given up before the other instance sent the delivery.
    expect(holderEnded).toBeGreaterThan(0);
    expect(holderEnded).toBeLessThanOrEqual(takenOverAt);
  });

  it('keeps up with a stream of enqueues without losing a wake-up', async () => {
    const { queue } = await engine({ WEBHOOK_POLL_MS: '60000', WEBHOOK_DELIVERY_TIMEOUT_MS: '5000' }); // no poll: wake-ups only
    const hooks = await receiver();
    const tenant = newTenant();
    configs.set(tenant, [{ id: 'e', destinationUrl: hooks.url }]);
    const all: NewDelivery[] = [];
    const latencies: number[] = [];
    const sentAt = new Map<string, number>();
    hooks.respond((req) => {
      latencies.push(Date.now() - (sentAt.get(String(req.headers['ce-id'])) ?? 0));
      return { status: 200 };
    });
    for (let i = 0; i < 100; i++) {
      const n = event(hooks.url, 'e');
      all.push(n);
      sentAt.set(n.eventId, Date.now());
      void queue.enqueue(tenant, [n]);
      if (i % 10 === 0) await sleep(5);
    }
    await waitFor('every event', () => hooks.requests.length === 100, 10_000);
    latencies.sort((x, y) => x - y);
    // The goal is 1 s at p99 (README "Delivery"); the margin is for a machine busy with other suites.
    expect(latencies[98]).toBeLessThan(2000);
  });

  it('maintenance removes deliveries 7 days after completion and re-announces stranded pending ones', async () => {
    const { queue } = await engine();
    const hooks = await receiver();
    const tenant = newTenant();
    configs.set(tenant, [{ id: 'e', destinationUrl: hooks.url }]);
    const n = event(hooks.url, 'e');
    await queue.enqueue(tenant, [n]);
    await inState(tenant, n, 'SUCCEEDED');
    const key = destinationKeyOf(tenant, hooks.url);
    await waitFor('the destination to be released', async () => (await destinations.find(key))?.lease.holder === null);
    // A delivery stored whose announcement never happened (the process stopped in between).
    const stranded = event(hooks.url, 'e');
    const now = new Date();
    await deliveries.insertNew(tenant, [
      {
        ...stranded,
        id: deliveryIdOf(stranded.eventId, 'e'),
        destinationKey: destinationKeyOf(tenant, hooks.url),
        state: 'PENDING',
        attemptCount: 0,
        nextAttemptAt: new Date(now.getTime() - 120_000),
        attempts: [],
        createdAt: now,
        completedAt: null,
      },
    ]);
    await sleep(300);
    expect(hooks.requests).toHaveLength(1);
    const maintenance = new DeliveryMaintenance(destinations, deliveries, silent);
    expect(await maintenance.run()).toMatchObject({ purged: 0 });
    await inState(tenant, stranded, 'SUCCEEDED');
    expect(hooks.requests).toHaveLength(2);
    const later = await maintenance.run(new Date(Date.now() + 8 * 24 * 3_600_000));
    expect(later.purged).toBeGreaterThanOrEqual(2);
    expect(await record(tenant, n)).toBeNull();
    expect(await destinations.find(key)).toBeNull();
  });
});
