import { expectErrorProfile, httpRequest, ServiceHarness } from '@suite/testing';
import { DeliveryFlow, Receiver, startReceiver, waitFor } from './delivery-flow';
import { as, asService, MANAGE, READ, startWebhookApp } from './support';

describe('the delivery log, dead letters and replay', () => {
  let h: ServiceHarness;
  let flow: DeliveryFlow;
  let good: Receiver;
  let bad: Receiver;
  let slow: Receiver;
  let badHealthy = false;
  const T = 'dlog';
  const OTHER = 'dlogother';
  let entries: Array<{ id: string }>;
  let events: Array<{ id: string; data: object }>;

  beforeAll(async () => {
    h = await startWebhookApp({
      env: {
        WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
        WEBHOOK_DELIVERY_TIMEOUT_MS: '1000',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_BREAKER_FAILURES: '50',
      },
    });
    flow = new DeliveryFlow(h);
    good = await startReceiver();
    bad = await startReceiver(() => ({ status: badHealthy ? 200 : 500, raw: 'no thanks' }));
    slow = await startReceiver(() => ({ hang: true }));
    entries = await flow.configure(T, {}, [
      {
        destinationUrl: `${good.url}/good`,
        headers: { 'X-Receiver-Token': { value: 'token-value-never-shown' } },
        secretKey: 'secret-never-shown',
      },
      { destinationUrl: `${bad.url}/bad` },
      { eventType: 'coupon.deleted', destinationUrl: slow.url },
    ]);
    await flow.subscribe(T, ['coupon.created', 'coupon.deleted']);
    events = [];
    for (let i = 0; i < 3; i++) events.push(...(await flow.publish(T)));
    await waitFor('all six settled', async () => {
      const r = await flow.list(T, '?pageSize=100');
      const states = (r.body as Array<{ state: string }>).map((d) => d.state).sort();
      return states.join() === 'FAILED,FAILED,FAILED,SUCCEEDED,SUCCEEDED,SUCCEEDED';
    });
    await flow.configure(OTHER, {}, [{ destinationUrl: `${good.url}/other` }]);
    await flow.subscribe(OTHER);
    const [o] = await flow.publish(OTHER);
    await flow.settled(OTHER, o.id, 'SUCCEEDED');
  }, 30_000);
  afterAll(async () => {
    await Promise.all([good, bad, slow].map((r) => r?.close()));
    await h?.close();
  });

  describe('listing', () => {
    it('lists newest first, with exact filters and paging', async () => {
      const all = await flow.list(T, '?pageSize=100');
      expect(all.status).toBe(200);
      const items = all.body as any[];
      expect(items).toHaveLength(6);
      const created = items.map((d) => Date.parse(d.createdAt));
      expect([...created].sort((a, b) => b - a)).toEqual(created);
      expect(items[0].eventId).toBe(events[2].id);
      for (const d of items) {
        expect(d).not.toHaveProperty('body');
        expect(d).not.toHaveProperty('attempts');
        expect(d.lastAttempt).toMatchObject({ url: d.url });
      }
      const byEvent = await flow.list(T, `?eventId=${events[1].id}`);
      expect((byEvent.body as any[]).map((d) => d.entryId).sort()).toEqual([entries[0].id, entries[1].id].sort());
      const failed = await flow.list(T, '?state=FAILED');
      expect((failed.body as any[]).map((d) => d.entryId)).toEqual(Array(3).fill(entries[1].id));
      expect((failed.body as any[])[0]).toMatchObject({ attemptCount: 3, reason: 'no 2xx answer after 3 attempts; last: answered 500' });
      const good1 = await flow.list(T, `?entryId=${entries[0].id}&state=SUCCEEDED&eventType=coupon.created`);
      expect(good1.body).toHaveLength(3);
      expect((await flow.list(T, '?eventType=coupon.deleted')).body).toEqual([]);
      const page = await httpRequest(`${h.url}/webhook/${T}/deliveries?pageSize=4&pageNumber=2`, 'GET', {
        headers: { ...(await flow.manager(T)), 'X-Total-Count': 'true' },
      });
      expect(page.body.map((d: any) => d.id)).toEqual(items.slice(4).map((d) => d.id));
      expect(page.headers.get('x-total-count')).toBe('6');
      expect((await flow.list(T, '?pageSize=4&pageNumber=3')).body).toEqual([]);
    });

    it('shows one delivery with its body and attempts, never header values or secrets', async () => {
      const [first] = (await flow.list(T, `?eventId=${events[0].id}&entryId=${entries[0].id}`)).body as any[];
      const r = await flow.delivery(T, first.id);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.body)).toEqual(events[0].data);
      expect(r.body.attempts).toHaveLength(1);
      expect(r.body.attempts[0]).toMatchObject({ statusCode: 200, url: `${good.url}/good` });
      expect(r.body.attempts[0].headerNames).toEqual(expect.arrayContaining(['X-Receiver-Token', 'emporix-event-signature', 'ce-id']));
      expect(r.text).not.toContain('token-value-never-shown');
      expect(r.text).not.toContain('secret-never-shown');
      const [dead] = (await flow.list(T, `?eventId=${events[0].id}&state=FAILED`)).body as any[];
      const d = await flow.delivery(T, dead.id);
      expect(d.body.attempts.map((a: any) => [a.statusCode, a.error, a.responseExcerpt])).toEqual(
        Array(3).fill([500, 'answered 500', 'no thanks']),
      );
      expectErrorProfile('webhook', await flow.delivery(T, 'f'.repeat(32)), 404, 'resource_not_found');
    });

    it('refuses bad filters and paging in the webhook error profile', async () => {
      const state = expectErrorProfile('webhook', await flow.list(T, '?state=DONE'), 400, 'validation_failed');
      expect(state.details).toEqual(['state: state must be one of PENDING, SUCCEEDED, FAILED, CANCELLED, REPLAYED']);
      expectErrorProfile('webhook', await flow.list(T, '?pageSize=0'), 400, 'validation_failed');
      expectErrorProfile('webhook', await flow.list(T, '?pageNumber=abc'), 400, 'validation_failed');
      expectErrorProfile('webhook', await flow.list(T, `?eventId=${'x'.repeat(300)}`), 400, 'validation_failed');
    });
  });

  describe('replay', () => {
    it('refuses a pending delivery and an unknown one, and answers 409 for one replayed already', async () => {
      const [deleted] = await publishDeleted();
      const pending = await waitFor('the pending delivery', async () => ((await flow.list(T, `?eventId=${deleted.id}`)).body as any[])[0]);
      expect(pending.state).toBe('PENDING');
      const refused = expectErrorProfile('webhook', await flow.replay(T, pending.id), 400, 'business_rule_violation');
      expect(refused.message).toBe(`Delivery ${pending.id} is still PENDING; only a completed delivery can be replayed.`);
      expectErrorProfile('webhook', await flow.replay(T, '0'.repeat(32)), 404, 'resource_not_found');
      const [succeeded] = (await flow.list(T, `?eventId=${events[2].id}&state=SUCCEEDED`)).body as any[];
      const replay = await flow.replay(T, succeeded.id);
      expect(replay.status).toBe(201);
      const again = expectErrorProfile('webhook', await flow.replay(T, succeeded.id), 409, 'duplicate_resource');
      expect(again.message).toBe(`Delivery ${succeeded.id} was replayed already by delivery ${replay.body.id}.`);
      await waitFor('the replay of a success', async () => (await flow.delivery(T, replay.body.id)).body.state === 'SUCCEEDED');
    });

    it('replays every matching dead letter once, and only the tenant’s own', async () => {
      const none = await bulk(T, { eventType: 'coupon.deleted' });
      expect(none.body).toEqual({ replayed: 0, skipped: 0, more: false });
      badHealthy = true;
      const before = bad.requests.length;
      const r = await bulk(T, { entryId: entries[1].id, since: '2000-01-01T00:00:00Z' });
      expect([r.status, r.body]).toEqual([200, { replayed: 3, skipped: 0, more: false }]);
      await waitFor('the replays to succeed', async () => {
        const items = (await flow.list(T, `?entryId=${entries[1].id}&state=SUCCEEDED`)).body as any[];
        return items.length === 3 ? items : undefined;
      });
      expect(bad.requests.length - before).toBe(3);
      const replayed = (await flow.list(T, '?state=REPLAYED')).body as any[];
      expect(replayed.filter((d) => d.entryId === entries[1].id)).toHaveLength(3);
      expect((await bulk(T, {})).body).toEqual({ replayed: 0, skipped: 0, more: false });
      expect((await flow.list(T, '?state=FAILED')).body).toEqual([]);
    });

    it('refuses a replay whose target is inactive now, and a bad filter', async () => {
      const [dead] = await waitFor(
        'a dead letter of the slow target',
        async () => {
          const items = (await flow.list(T, '?state=FAILED&eventType=coupon.deleted')).body as any[];
          return items.length ? items : undefined;
        },
        15_000,
      );
      await flow.configure(T, {}, [
        { destinationUrl: `${good.url}/good` },
        { destinationUrl: `${bad.url}/bad` },
        { eventType: 'coupon.deleted', destinationUrl: slow.url, active: false },
      ]);
      const refused = expectErrorProfile('webhook', await flow.replay(T, dead.id), 400, 'business_rule_violation');
      expect(refused.details).toEqual([`entryId: the eventsConfiguration entry ${dead.entryId} is inactive`]);
      expect((await bulk(T, {})).body).toEqual({ replayed: 0, skipped: 1, more: false });
      const since = expectErrorProfile('webhook', await bulk(T, { since: 'yesterday' }), 400, 'validation_failed');
      expect(since.details).toEqual(['since: since must be an RFC 3339 date-time such as 2024-06-01T00:00:00Z']);
      // ISO 8601 forms that are no RFC 3339 date-time: a week date (which the database would read as
      // 1970, replaying every dead letter) and a date-time without an offset (HTTP-10).
      for (const bad of ['2024-W01', '2024-06-01T00:00:00', '2024-06-01T10:00:00,5Z']) {
        const refusedSince = expectErrorProfile('webhook', await bulk(T, { since: bad }), 400, 'validation_failed');
        expect(refusedSince.details).toEqual(['since: since must be an RFC 3339 date-time such as 2024-06-01T00:00:00Z']);
      }
      expectErrorProfile('webhook', await bulk(T, [1]), 400, 'validation_failed');
    });
  });

  describe('tenancy and scopes', () => {
    it("never shows or replays another tenant's deliveries", async () => {
      const mine = (await flow.list(T, '?pageSize=100')).body as any[];
      const theirs = (await flow.list(OTHER, '?pageSize=100')).body as any[];
      expect(theirs).toHaveLength(1);
      expect(theirs[0].url).toBe(`${good.url}/other`);
      expect(mine.map((d) => d.id)).not.toContain(theirs[0].id);
      const otherManager = await as(OTHER, [MANAGE]);
      const get = await httpRequest(`${h.url}/webhook/${OTHER}/deliveries/${mine[0].id}`, 'GET', { headers: otherManager });
      expectErrorProfile('webhook', get, 404, 'resource_not_found');
      expectErrorProfile('webhook', await flow.replay(OTHER, mine[0].id, otherManager), 404, 'resource_not_found');
      const crossed = await httpRequest(`${h.url}/webhook/${OTHER}/deliveries`, 'GET', { headers: await as(T, [MANAGE]) });
      expectErrorProfile('webhook', crossed, 403, 'tenant_mismatch');
      expectErrorProfile('webhook', await flow.replay(OTHER, theirs[0].id, await as(T, [MANAGE])), 403, 'tenant_mismatch');
    });

    it('lets readers read and only managers replay', async () => {
      const reader = await as(T, [READ]);
      const list = await flow.list(T, '', reader);
      expect(list.status).toBe(200);
      expect((await httpRequest(`${h.url}/webhook/${T}/deliveries/${list.body[0].id}`, 'GET', { headers: reader })).status).toBe(200);
      expectErrorProfile('webhook', await flow.replay(T, list.body[0].id, reader), 403, 'insufficient_scope');
      const bulkAsReader = await httpRequest(`${h.url}/webhook/${T}/deliveries/replay`, 'POST', { headers: reader, body: {} });
      expectErrorProfile('webhook', bulkAsReader, 403, 'insufficient_scope');
      expectErrorProfile('webhook', await flow.list(T, '', await asService(T, 'coupon')), 403, 'insufficient_scope');
      expect((await httpRequest(`${h.url}/webhook/${T}/deliveries`, 'GET')).status).toBe(401);
    });
  });

  async function bulk(tenant: string, body: unknown) {
    return httpRequest(`${h.url}/webhook/${tenant}/deliveries/replay`, 'POST', { headers: await flow.manager(tenant), body });
  }

  async function publishDeleted() {
    const e = flow.event(T);
    const envelope = { ...e, type: 'coupon.deleted', data: { code: e.subject } };
    const r = await httpRequest(`${h.url}/webhook/${T}/events`, 'POST', { headers: await asService(T, 'coupon'), body: [envelope] });
    expect(r.body).toMatchObject({ accepted: 1 });
    return [envelope];
  }
});
