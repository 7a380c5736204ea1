import { createHmac } from 'node:crypto';
import { httpRequest, ServiceHarness } from '@suite/testing';
import { DeliveryFlow, Receiver, sleep, startReceiver, waitFor } from './delivery-flow';
import { asService, startWebhookApp } from './support';

const ENV = {
  WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
  WEBHOOK_DELIVERY_TIMEOUT_MS: '300',
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_BREAKER_FAILURES: '50',
};

describe('delivery: from a published event to the receiver', () => {
  let h: ServiceHarness;
  let flow: DeliveryFlow;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    h = await startWebhookApp({ env: ENV });
    flow = new DeliveryFlow(h);
  });
  afterEach(async () => {
    while (receivers.length) await (receivers.pop() as Receiver).close();
  });
  afterAll(() => h?.close());

  it('posts the event data, signed with the entry secret, with the protocol and configured headers', async () => {
    const T = 'dlvsigned';
    const hooks = await receiver();
    const [entry] = await flow.configure(T, { headers: { 'X-Root': { value: 'root-value' } } }, [
      { destinationUrl: `${hooks.url}/coupons`, secretKey: 'shh-entry-secret', headers: { 'X-Api-Key': { value: 'k-123' } } },
    ]);
    await flow.subscribe(T);
    const before = Date.now();
    const [e] = await flow.publish(T, 1, { extra: 'caf\u00e9 \u2713' });
    const [d] = await flow.settled(T, e.id, 'SUCCEEDED');
    expect(hooks.requests).toHaveLength(1);
    const req = hooks.requests[0];
    expect(req.path).toBe('/coupons');
    expect(JSON.parse(req.body)).toEqual(e.data);
    // The receiver's check, exactly as the contract documents it.
    const signature = createHmac('sha256', 'shh-entry-secret').update(Buffer.from(req.body, 'utf8')).digest('base64');
    expect(req.headers['emporix-event-signature']).toBe(signature);
    expect(req.headers['ce-id']).toBe(e.id);
    expect(req.headers['ce-type']).toBe('coupon.created');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-api-key']).toBe('k-123');
    expect(req.headers['x-root']).toBe('root-value');
    expect(req.headers['x-delivery-id']).toBe(d.id);
    const published = Date.parse(String(req.headers['emporix-event-publish-time']));
    expect(published).toBeGreaterThanOrEqual(before - 5);
    expect(published).toBeLessThanOrEqual(Date.now());
    expect(d).toMatchObject({ entryId: entry.id, eventType: 'coupon.created', url: `${hooks.url}/coupons`, attemptCount: 1 });
  });

  it('retries failures, dead-letters after the schedule, and delivers on replay', async () => {
    const T = 'dlvreplay';
    let healthy = false;
    const hooks = await receiver(() => ({ status: healthy ? 200 : 500 }));
    await flow.configure(T, {}, [{ destinationUrl: hooks.url }]);
    await flow.subscribe(T);
    const [e] = await flow.publish(T);
    const [dead] = await flow.settled(T, e.id, 'FAILED');
    expect(dead.attemptCount).toBe(3);
    expect(hooks.requests).toHaveLength(3);
    const gaps = hooks.times.slice(1).map((t, i) => t - hooks.times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(75);
    expect(gaps[1]).toBeGreaterThanOrEqual(155);
    healthy = true;
    // A double click: two replays at once create one replay and deliver once.
    const [one, two] = await Promise.all([flow.replay(T, dead.id), flow.replay(T, dead.id)]);
    expect([one.status, two.status].sort()).toEqual([201, 409]);
    const created = one.status === 201 ? one : two;
    expect(created.body).toMatchObject({ state: 'PENDING', attemptCount: 0, replayOf: dead.id, eventId: e.id });
    expect(created.headers.get('location')).toBe(`/webhook/${T}/deliveries/${created.body.id}`);
    await waitFor('the replay to succeed', async () => (await flow.delivery(T, created.body.id)).body.state === 'SUCCEEDED');
    await sleep(200);
    expect(hooks.requests).toHaveLength(4);
    expect(hooks.requests[3].headers['ce-id']).toBe(e.id);
    expect((await flow.delivery(T, dead.id)).body).toMatchObject({ state: 'REPLAYED', replayedBy: created.body.id });
  });

  it('drops pending deliveries of an entry deactivated meanwhile, without another attempt', async () => {
    const T = 'dlvinactive';
    const hooks = await receiver(() => ({ status: 503 }));
    // A second target keeps the config valid once the first is inactive.
    const [entry] = await flow.configure(T, {}, [
      { destinationUrl: hooks.url },
      { eventType: 'coupon.deleted', destinationUrl: hooks.url },
    ]);
    await flow.subscribe(T);
    const [e] = await flow.publish(T);
    await waitFor('the first attempt', () => hooks.requests.length >= 1);
    const r = await httpRequest(`${h.url}/webhook/${T}/config/http`, 'PATCH', {
      headers: await flow.manager(T),
      body: [{ op: 'UPSERT', path: `/configuration/http/eventsConfigurationEntry/${entry.id}/active`, value: false }],
    });
    expect([r.status, r.text]).toEqual([204, '']);
    const attemptsSoFar = hooks.requests.length;
    const [cancelled] = await flow.settled(T, e.id, 'CANCELLED');
    expect(cancelled.reason).toBe(`the eventsConfiguration entry ${entry.id} is inactive`);
    await sleep(400);
    expect(hooks.requests).toHaveLength(attemptsSoFar);
  });

  it("sends a pending delivery to the entry's new URL after the config changed", async () => {
    const T = 'dlvmoved';
    const old = await receiver(() => ({ status: 500 }));
    const next = await receiver();
    await flow.configure(T, {}, [{ destinationUrl: old.url, secretKey: 'one' }]);
    await flow.subscribe(T);
    const [e] = await flow.publish(T);
    await waitFor('the first attempt', () => old.requests.length >= 1);
    await flow.configure(T, {}, [{ destinationUrl: `${next.url}/v2`, secretKey: 'two' }]);
    const [d] = await flow.settled(T, e.id, 'SUCCEEDED');
    expect(d.url).toBe(`${next.url}/v2`);
    expect(next.requests).toHaveLength(1);
    expect(next.requests[0].headers['emporix-event-signature']).toBe(
      createHmac('sha256', 'two').update(next.requests[0].body).digest('base64'),
    );
    expect(old.requests.length).toBeLessThanOrEqual(2);
  });

  it('delivers each event to each matching target, each attempt once, with two instances working one database', async () => {
    const T = 'dlvtwice';
    const second = await startWebhookApp({ env: ENV, database: h.db });
    try {
      const a = await receiver(async () => ({ status: 200, delayMs: 5 }));
      const b = await receiver(async () => ({ status: 200, delayMs: 5 }));
      await flow.configure(T, {}, [{ destinationUrl: a.url }, { destinationUrl: b.url }]);
      await flow.subscribe(T);
      const events = [];
      for (let i = 0; i < 10; i++) {
        // The same batch through both instances: both route it and both are woken for it.
        const batch = [flow.event(T), flow.event(T), flow.event(T)];
        events.push(...batch);
        await Promise.all([publishBatch(h.url, T, batch), publishBatch(second.url, T, batch)]);
      }
      const all = await waitFor(
        'every delivery',
        async () => {
          const items = (await flow.list(T, '?pageSize=100')).body as any[];
          return items.length === 60 && items.every((d) => d.state === 'SUCCEEDED') ? items : undefined;
        },
        15_000,
      );
      await sleep(400);
      const receipts = [a, b].flatMap((r) => r.requests);
      expect(new Set(receipts.map((q) => String(q.headers['ce-id'])))).toEqual(new Set(events.map((e) => e.id)));
      // Each attempt reaches the receiver once: a second receipt of a delivery is only ever a
      // recorded retry (a timeout on a busy machine), never the other instance sending it too.
      const attempts = receipts.map((q) => `${String(q.headers['x-delivery-id'])}#${String(q.headers['x-delivery-attempt'])}`);
      expect(new Set(attempts).size).toBe(attempts.length);
      expect(attempts).toHaveLength(all.reduce((sum, d) => sum + d.attemptCount, 0));
    } finally {
      await second.close();
    }
  });
});

async function publishBatch(url: string, tenant: string, batch: object[]): Promise<void> {
  const r = await httpRequest(`${url}/webhook/${tenant}/events`, 'POST', { headers: await asService(tenant, 'coupon'), body: batch });
  if (r.status !== 200) throw new Error(`publish failed: ${r.status} ${r.text}`);
}
