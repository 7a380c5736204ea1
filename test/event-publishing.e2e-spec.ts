/**
 * The outbox dispatcher of a service hands its events to the webhook service (apps/webhook/README.md
 * "Ingestion"): over HTTP with the service's own token, one tenant's entries per request, each
 * entry kept until the webhook service accepted it, with backoff while it is down. Shown on the
 * category app with a stub in the webhook service's place.
 */
import { decodeJwt } from 'jose';
import { HttpStub, RecordedRequest } from '@suite/testing';
import { Client, Harness, startHarness } from '../apps/category/test/support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const ingestions = (stub: HttpStub): RecordedRequest[] =>
  stub.requests.filter((r) => r.method === 'POST' && /^\/webhook\/[^/]+\/events$/.test(r.path));
const eventsOf = (stub: HttpStub) =>
  ingestions(stub).flatMap((r) => JSON.parse(r.body) as Array<{ id: string; type: string; tenant: string; subject: string }>);

describe('outbox → webhook service', () => {
  let webhook: HttpStub;
  let h: Harness;

  beforeAll(async () => {
    webhook = await HttpStub.start(() => ({ status: 200, json: { accepted: 1, duplicates: 0, rejected: [] } }));
    // A poll of a minute: whatever arrives quickly was woken by the write itself.
    h = await startHarness({ WEBHOOK_URL: webhook.url, OUTBOX_POLL_MS: '60000' });
  });
  afterAll(async () => {
    await h?.close();
    await webhook?.close();
  });
  beforeEach(() => webhook.respond(() => ({ status: 200, json: { accepted: 1, duplicates: 0, rejected: [] } })));

  it("posts a write's event right after the write, with the service's own token for the tenant and the publish scope", async () => {
    webhook.reset();
    const started = Date.now();
    const acme = await Client.as(h.url, 'acme');
    const id = await acme.category({ id: 'pub-1' });
    const [req] = await until(() => ingestions(webhook).length > 0 && ingestions(webhook));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(req.path).toBe('/webhook/acme/events');
    const claims = decodeJwt(String(req.headers.authorization).replace(/^Bearer /, ''));
    expect(claims).toMatchObject({ tenant: 'acme', principalType: 'service', client_id: 'category', scope: 'webhook.event_publish' });
    const events = JSON.parse(req.body);
    expect(events).toEqual([expect.objectContaining({ type: 'category.created', tenant: 'acme', subject: id, source: '/category' })]);
  });

  it('sends one request per tenant run and never mixes tenants', async () => {
    webhook.reset();
    const a = await Client.as(h.url, 'tenanta');
    const b = await Client.as(h.url, 'tenantb');
    await Promise.all([a.category({ id: 'a1' }), b.category({ id: 'b1' }), a.category({ id: 'a2' }), b.category({ id: 'b2' })]);
    await until(() => eventsOf(webhook).length >= 4 && true);
    for (const req of ingestions(webhook)) {
      const tenant = req.path.split('/')[2];
      for (const e of JSON.parse(req.body)) expect(e.tenant).toBe(tenant);
    }
    expect(
      eventsOf(webhook)
        .map((e) => e.subject)
        .sort(),
    ).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('keeps the entries while the webhook service fails, backs off, and sends them once it answers', async () => {
    webhook.reset();
    webhook.respond(() => ({ status: 503, json: { code: 503 } }));
    const acme = await Client.as(h.url, 'acme');
    const id = await acme.category({ id: 'pub-down' });
    await until(() => ingestions(webhook).length > 0 && true);
    await sleep(600);
    const tries = ingestions(webhook).length;
    // Backoff: a handful of tries in 600 ms, not one per millisecond.
    expect(tries).toBeLessThanOrEqual(4);
    webhook.respond(() => ({ status: 200, json: { accepted: 1, duplicates: 0, rejected: [] } }));
    // The next try comes from the poll or a wake-up: another write wakes the dispatcher.
    const failed = ingestions(webhook).length;
    for (const req of ingestions(webhook)) expect(JSON.parse(req.body).map((e: { subject: string }) => e.subject)).toEqual([id]);
    await acme.category({ id: 'pub-wake' });
    const accepted = await until(() => ingestions(webhook).length > failed && JSON.parse(ingestions(webhook)[failed].body), 15000);
    // The failed entry is re-sent before the newer one (order kept within the tenant).
    expect(accepted.map((e: { subject: string }) => e.subject)).toEqual([id, 'pub-wake']);
  });

  it('marks an event the webhook service refuses for good as done instead of sending it forever', async () => {
    webhook.reset();
    webhook.respond((req) => {
      const [first] = JSON.parse(req.body);
      return { status: 200, json: { accepted: 0, duplicates: 0, rejected: [{ id: first.id, index: 0, message: 'malformed' }] } };
    });
    const acme = await Client.as(h.url, 'acme');
    await acme.category({ id: 'pub-refused' });
    await until(() => ingestions(webhook).length > 0 && true);
    webhook.respond(() => ({ status: 200, json: { accepted: 1, duplicates: 0, rejected: [] } }));
    await acme.category({ id: 'pub-after' });
    await until(() => eventsOf(webhook).some((e) => e.subject === 'pub-after') && true);
    expect(eventsOf(webhook).filter((e) => e.subject === 'pub-refused')).toHaveLength(1);
  });
});
