import { buildEvent, CloudEventEnvelope, EVENT_SOURCES, EVENT_TYPES, EventSourceName, EventType } from '@suite/api-kit';
import { expectErrorProfile, HttpStub, httpRequest, ServiceHarness, TestResponse } from '@suite/testing';
import { Collection, MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATABASE_NAME } from '../src/config/webhook.config';
import { as, asService, MANAGE, PUBLISH, READ, startWebhookApp } from './support';

/** A realistic envelope as the services' outboxes hold it (EVT-1), with `over` applied on top. */
function envelope(tenant: string, source: EventSourceName, type: EventType, over: Record<string, unknown> = {}): Record<string, unknown> {
  const e: CloudEventEnvelope<object> = buildEvent({
    source,
    type,
    subject: `subject-${randomUUID().slice(0, 8)}`,
    tenant,
    entityVersion: 1,
    actor: { type: 'employee', id: 'u-1' },
    requestId: randomUUID(),
    time: new Date(),
    data: { id: 'entity-1', tenant, status: 'ACTIVE' },
  });
  return { ...e, ...over };
}

const couponEvent = (tenant: string, over: Record<string, unknown> = {}) =>
  envelope(tenant, EVENT_SOURCES.coupon, EVENT_TYPES.coupon.created, over);

describe('ingestion: POST /webhook/{tenant}/events', () => {
  let h: ServiceHarness;
  let client: MongoClient;
  beforeAll(async () => {
    h = await startWebhookApp();
    client = await new MongoClient(h.db.uri).connect();
  });
  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  const feedCollection = (tenant: string): Collection => client.db(DATABASE_NAME).collection(`${tenant}_webhook_events`);
  const stored = (tenant: string) => feedCollection(tenant).find({}).sort({ seq: 1 }).toArray();
  const publish = async (tenant: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse> =>
    httpRequest(`${h.url}/webhook/${tenant}/events`, 'POST', { headers: headers ?? (await asService(tenant, 'coupon')), body });

  describe('accepting', () => {
    it('stores every valid event once with its position, type, source, subject, times and the full envelope', async () => {
      const T = 'ingaccept';
      const batch = [couponEvent(T), couponEvent(T, { type: EVENT_TYPES.coupon.deleted }), couponEvent(T, { extension: 'kept' })];
      const before = Date.now();
      const r = await publish(T, batch);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
      const docs = await stored(T);
      expect(docs.map((d) => d._id)).toEqual(batch.map((e) => e.id));
      expect(docs.map((d) => d.seq)).toEqual([1, 2, 3]);
      for (const [i, d] of docs.entries()) {
        const e = batch[i];
        expect(d).toMatchObject({ type: e.type, source: '/coupon', subject: e.subject, event: e });
        expect(d.time).toEqual(new Date(e.time as string));
        expect(d.receivedAt.getTime()).toBeGreaterThanOrEqual(before - 5);
        expect(d.receivedAt.getTime()).toBeLessThanOrEqual(Date.now());
      }
      // A second request continues the tenant's positions.
      const again = await publish(T, [couponEvent(T)]);
      expect(again.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect((await stored(T)).map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    });

    it("accepts each publisher's own source and types", async () => {
      const T = 'ingsources';
      const cases: [string, EventSourceName, EventType][] = [
        ['customer-segment', EVENT_SOURCES.customerSegment, EVENT_TYPES.customerSegment.customerAssignmentCreated],
        ['category', EVENT_SOURCES.category, EVENT_TYPES.category.assignmentDeleted],
        ['coupon', EVENT_SOURCES.coupon, EVENT_TYPES.coupon.campaignCompleted],
      ];
      for (const [clientId, source, type] of cases) {
        const r = await publish(T, [envelope(T, source, type)], await asService(T, clientId));
        expect([clientId, r.status, r.body]).toEqual([clientId, 200, { accepted: 1, duplicates: 0, rejected: [] }]);
      }
      expect((await stored(T)).map((d) => d.source)).toEqual(['/customer-segment', '/category', '/coupon']);
    });
  });

  describe('duplicates', () => {
    it('counts a re-sent batch as duplicates and stores nothing twice', async () => {
      const T = 'ingdup';
      const batch = [couponEvent(T), couponEvent(T)];
      expect((await publish(T, batch)).body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
      const fresh = couponEvent(T);
      const r = await publish(T, [batch[1], fresh, batch[0]]);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
      const docs = await stored(T);
      expect(docs.map((d) => d._id)).toEqual([batch[0].id, batch[1].id, fresh.id]);
    });

    it('keeps the first stored version of an event re-sent with other content', async () => {
      const T = 'ingdupdata';
      const first = couponEvent(T, { data: { v: 1 } });
      await publish(T, [first]);
      const r = await publish(T, [{ ...first, data: { v: 2 } }]);
      expect(r.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      expect((await stored(T)).map((d) => d.event.data)).toEqual([{ v: 1 }]);
    });

    it('stores an id repeated within one batch once and counts the repeat as a duplicate', async () => {
      const T = 'ingdupbatch';
      const e = couponEvent(T);
      const r = await publish(T, [e, couponEvent(T), { ...e }]);
      expect(r.body).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
      expect(await feedCollection(T).countDocuments({ _id: e.id as never })).toBe(1);
    });

    it('deduplicates per tenant: the same id in two tenants is stored in each, at each one’s own positions', async () => {
      const [A, B] = ['ingisoa', 'ingisob'];
      const id = randomUUID();
      expect((await publish(A, [couponEvent(A, { id })])).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect((await publish(B, [couponEvent(B, { id })])).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect((await stored(A)).map((d) => [d._id, d.seq, d.event.tenant])).toEqual([[id, 1, A]]);
      expect((await stored(B)).map((d) => [d._id, d.seq, d.event.tenant])).toEqual([[id, 1, B]]);
    });
  });

  describe('per-event rejections (200, the rest of the batch goes on)', () => {
    it('rejects each invalid event with its index, its id and every reason; stores the valid ones', async () => {
      const T = 'ingreject';
      const good = couponEvent(T);
      const bad: [unknown, RegExp[]][] = [
        [couponEvent(T, { specversion: '0.3' }), [/^specversion: must be '1\.0'$/]],
        [couponEvent(T, { id: 'not-a-uuid' }), [/^id: must be a UUID in lower case$/]],
        [couponEvent(T, { id: randomUUID().toUpperCase() }), [/^id: /]],
        [couponEvent(T, { source: '/category' }), [/^source: must be '\/coupon' for this publisher$/]],
        [couponEvent(T, { type: 'category.created' }), [/^type: not an event type of \/coupon$/]],
        [couponEvent(T, { type: 'COUPON.CREATED' }), [/^type: /]],
        [couponEvent(T, { type: 'coupon.exploded' }), [/^type: /]],
        [couponEvent(T, { subject: '' }), [/^subject: /]],
        [couponEvent(T, { time: '2024-02-30T08:30:00.000Z' }), [/^time: /]],
        [couponEvent(T, { time: 'yesterday' }), [/^time: /]],
        [couponEvent(T, { tenant: 'other' }), [/^tenant: must be 'ingreject', the tenant of the path$/]],
        [couponEvent(T, { data: [1, 2] }), [/^data: must be a JSON object$/]],
        [couponEvent(T, { data: null }), [/^data: /]],
        ['a string', [/^the event must be a JSON object$/]],
        [null, [/^the event must be a JSON object$/]],
        [{ id: 'x' }, [/specversion: /, /id: /, /source: /, /subject: /, /time: /, /tenant: /, /data: /]],
      ];
      const r = await publish(T, [good, ...bad.map(([e]) => e)]);
      expect(r.status).toBe(200);
      expect(r.body.accepted).toBe(1);
      expect(r.body.duplicates).toBe(0);
      expect(r.body.rejected.map((x: { index: number }) => x.index)).toEqual(bad.map((_, i) => i + 1));
      for (const [i, [e, reasons]] of bad.entries()) {
        const rejection = r.body.rejected[i];
        const id = e !== null && typeof e === 'object' ? (e as { id?: unknown }).id : undefined;
        expect(rejection.id).toBe(id);
        const parts = (rejection.message as string).split('; ');
        expect(parts).toHaveLength(reasons.length);
        reasons.forEach((re, k) => expect(parts[k]).toMatch(re));
      }
      expect((await stored(T)).map((d) => d._id)).toEqual([good.id]);
    });

    it('answers 200 with nothing accepted when every event is invalid, and stores nothing', async () => {
      const T = 'ingallbad';
      const r = await publish(T, [couponEvent(T, { tenant: 'ingother' }), couponEvent(T, { source: '/coupons' })]);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ accepted: 0, duplicates: 0 });
      expect(r.body.rejected).toHaveLength(2);
      expect(await stored(T)).toEqual([]);
    });

    it('never stores an event for another tenant than the path, in either collection', async () => {
      const [A, B] = ['ingtenanta', 'ingtenantb'];
      const r = await publish(A, [couponEvent(B)]);
      expect(r.body.rejected).toEqual([{ index: 0, id: expect.any(String), message: `tenant: must be '${A}', the tenant of the path` }]);
      expect(await stored(A)).toEqual([]);
      expect(await stored(B)).toEqual([]);
    });

    it("rejects coupon's service publishing a category event, and category's publishing a coupon type under its own source", async () => {
      const T = 'ingsource';
      const asCategory = envelope(T, EVENT_SOURCES.category, EVENT_TYPES.category.created);
      const r = await publish(T, [asCategory]);
      expect(r.body.rejected).toEqual([{ index: 0, id: asCategory.id, message: "source: must be '/coupon' for this publisher" }]);
      const couponTypeFromCategory = couponEvent(T, { source: '/category' });
      const r2 = await publish(T, [couponTypeFromCategory], await asService(T, 'category'));
      expect(r2.body.rejected).toEqual([{ index: 0, id: couponTypeFromCategory.id, message: 'type: not an event type of /category' }]);
      expect(await stored(T)).toEqual([]);
    });
  });

  describe('body-level refusals (400, nothing stored)', () => {
    const T = 'ingbody';
    it.each<[string, unknown, string]>([
      ['an object', { events: [] }, 'the body must be a JSON array'],
      ['a string', '"text"', 'the body must be a JSON array'],
      ['an empty array', [], 'the array must contain at least one item'],
    ])('refuses %s', async (_name, body, detail) => {
      const r = await publish(T, body);
      const err = expectErrorProfile('webhook', r, 400, 'validation_failed');
      expect(err.details).toEqual([detail]);
    });

    it('refuses more than 500 events and accepts exactly 500', async () => {
      const over = Array.from({ length: 501 }, () => couponEvent(T));
      const err = expectErrorProfile('webhook', await publish(T, over), 400, 'validation_failed');
      expect(err.details).toEqual(['at most 500 items are allowed, got 501']);
      expect(await stored(T)).toEqual([]);
      const r = await publish(T, over.slice(0, 500));
      expect(r.body).toEqual({ accepted: 500, duplicates: 0, rejected: [] });
      expect(await feedCollection(T).countDocuments()).toBe(500);
    });

    it('refuses malformed JSON, a missing body and another media type', async () => {
      const headers = await asService(T, 'coupon');
      const url = `${h.url}/webhook/${T}/events`;
      expectErrorProfile('webhook', await httpRequest(url, 'POST', { headers, raw: '[{"id": ' }), 400, 'malformed_json');
      expectErrorProfile('webhook', await httpRequest(url, 'POST', { headers }), 400, 'validation_failed');
      const text = await httpRequest(url, 'POST', { headers, raw: JSON.stringify([couponEvent(T)]), contentType: 'text/plain' });
      expectErrorProfile('webhook', text, 415, 'unsupported_media_type');
    });

    it('refuses a body over the 10 MiB limit with 413', async () => {
      const big = couponEvent(T, { data: { blob: 'x'.repeat(11 * 1024 * 1024) } });
      expectErrorProfile('webhook', await publish(T, [big]), 413, 'payload_too_large');
    });
  });

  describe('who may publish', () => {
    const T = 'ingaccess';
    const batch = () => [couponEvent(T)];

    it('refuses employees and customers even with the publish scope (403 forbidden)', async () => {
      const employee = await as(T, [PUBLISH, MANAGE], { clientId: 'coupon' });
      expectErrorProfile('webhook', await publish(T, batch(), employee), 403, 'forbidden');
      const customer = await as(T, [PUBLISH], { principalType: 'customer', customerId: 'c-1', clientId: 'coupon' });
      expectErrorProfile('webhook', await publish(T, batch(), customer), 403, 'forbidden');
      expect(await stored(T)).toEqual([]);
    });

    it('refuses a service token whose client is not one of the three publishers (403 forbidden)', async () => {
      for (const clientId of ['webhook', 'orders', 'constructor', '__proto__']) {
        const r = await publish(T, batch(), await asService(T, clientId));
        expect([clientId, r.status, r.body?.errorCode]).toEqual([clientId, 403, 'forbidden']);
      }
      expect(await stored(T)).toEqual([]);
    });

    it('refuses a publisher without the publish scope, or with only the manage and read scopes (403 insufficient_scope)', async () => {
      expectErrorProfile('webhook', await publish(T, batch(), await asService(T, 'coupon', [])), 403, 'insufficient_scope');
      expectErrorProfile('webhook', await publish(T, batch(), await asService(T, 'coupon', [MANAGE, READ])), 403, 'insufficient_scope');
    });

    it("refuses a publisher's token of tenant A on tenant B's path (403 tenant_mismatch) and stores nothing in B", async () => {
      const B = 'ingaccessb';
      const r = await publish(B, [couponEvent(B)], await asService(T, 'coupon'));
      expectErrorProfile('webhook', r, 403, 'tenant_mismatch');
      expect(await stored(B)).toEqual([]);
    });

    it('refuses a request without a token (401)', async () => {
      const r = await httpRequest(`${h.url}/webhook/${T}/events`, 'POST', { body: batch() });
      expect(r.status).toBe(401);
    });
  });

  describe('failures to store answer 503, and the re-sent batch is complete', () => {
    it('repairs a feed counter that fell behind the stored positions; the retry stores the rest', async () => {
      const T = 'ingrepair';
      const first = [couponEvent(T), couponEvent(T)];
      expect((await publish(T, first)).body.accepted).toBe(2);
      // The counter lost (removed by hand, restored from an older backup): positions 1 and 2 are taken.
      await client.db(DATABASE_NAME).collection(`${T}_webhook_feed_counters`).deleteMany({});
      const batch = [couponEvent(T), couponEvent(T), couponEvent(T)];
      const r = await publish(T, batch);
      expectErrorProfile('webhook', r, 503, 'service_unavailable');
      const retry = await publish(T, batch);
      expect(retry.status).toBe(200);
      expect(retry.body.accepted + retry.body.duplicates).toBe(3);
      expect(retry.body.accepted).toBeGreaterThan(0);
      const docs = await stored(T);
      expect(new Set(docs.map((d) => d._id))).toEqual(new Set([...first, ...batch].map((e) => e.id)));
      expect(new Set(docs.map((d) => d.seq)).size).toBe(5);
      // Later batches continue after every stored position.
      const next = couponEvent(T);
      await publish(T, [next]);
      const last = (await stored(T)).at(-1);
      expect(last?._id).toBe(next.id);
      expect(last?.seq).toBeGreaterThan(Math.max(...docs.map((d) => d.seq)));
    });
  });
  describe('routing, end to end (config and subscriptions through their APIs, deliveries through the queue)', () => {
    let receiver: HttpStub;
    beforeAll(async () => {
      receiver = await HttpStub.start(() => ({ status: 200 }));
    });
    afterAll(() => receiver?.close());

    const manager = (tenant: string) => as(tenant, [MANAGE]);
    async function configure(tenant: string, configuration: Record<string, unknown>, active = true) {
      const r = await httpRequest(`${h.url}/webhook/${tenant}/config`, 'POST', {
        headers: await manager(tenant),
        body: { code: 'http', provider: 'HTTP', active, configuration },
      });
      expect([r.status, r.text]).toEqual([201, r.text]);
      const read = await httpRequest(`${h.url}/webhook/${tenant}/config/http`, 'GET', { headers: await manager(tenant) });
      return read.body.configuration.eventsConfiguration as { id: string }[];
    }
    async function subscribe(tenant: string, items: Record<string, unknown>[]) {
      const r = await httpRequest(`${h.url}/webhook/${tenant}/event-subscriptions`, 'PATCH', {
        headers: await manager(tenant),
        body: items,
      });
      expect(r.status).toBeLessThan(300);
    }
    /** The delivery log of one event: durable before ingestion answers, so no waiting. */
    async function deliveriesOf(tenant: string, eventId: string) {
      const r = await httpRequest(`${h.url}/webhook/${tenant}/deliveries?eventId=${eventId}`, 'GET', { headers: await manager(tenant) });
      expect(r.status).toBe(200);
      return (r.body as { entryId: string | null; url: string; id: string }[]).map((d) => [d.entryId, d.url]).sort();
    }
    async function received(path: string, eventId: string) {
      for (let i = 0; i < 200; i++) {
        const hit = receiver.requests.find((r) => r.path === path && r.headers['ce-id'] === eventId);
        if (hit) return hit;
        await sleep(25);
      }
      throw new Error(`no delivery of ${eventId} to ${path}`);
    }
    const couponData = (over: Record<string, unknown> = {}) => ({
      code: 'WINTER10',
      name: 'Winter',
      description: 'Ten percent',
      discountType: 'PERCENT',
      ...over,
    });

    it("sends a subscribed type without entries to the root URL, without the subscription's excluded fields", async () => {
      const T = 'ingroute';
      await configure(T, { destinationUrl: `${receiver.url}/root`, eventsConfiguration: [] });
      await subscribe(T, [{ eventType: 'COUPON.CREATED', action: 'SUBSCRIBE', fieldsToUnsubscribe: ['description'] }]);
      const created = couponEvent(T, { data: couponData() });
      const updated = couponEvent(T, { type: EVENT_TYPES.coupon.updated, data: couponData() });
      expect((await publish(T, [created, updated])).body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
      expect(await deliveriesOf(T, created.id as string)).toEqual([[null, `${receiver.url}/root`]]);
      expect(await deliveriesOf(T, updated.id as string)).toEqual([]); // not subscribed
      const hit = await received('/root', created.id as string);
      expect(JSON.parse(hit.body)).toEqual({ code: 'WINTER10', name: 'Winter', discountType: 'PERCENT' });
      expect(hit.headers['ce-type']).toBe('coupon.created');
    });

    it('routes the duplicates of a re-sent batch (a batch stored before its routing failed), and never delivers twice', async () => {
      const T = 'ingrouteagain';
      const e = couponEvent(T, { data: couponData() });
      // Stored while the tenant had no targets yet: as if the routing of that request had failed.
      expect((await publish(T, [e])).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect(await deliveriesOf(T, e.id as string)).toEqual([]);
      await configure(T, { destinationUrl: `${receiver.url}/again`, eventsConfiguration: [] });
      await subscribe(T, [{ eventType: 'coupon.created', action: 'SUBSCRIBE' }]);
      expect((await publish(T, [e])).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      expect(await deliveriesOf(T, e.id as string)).toEqual([[null, `${receiver.url}/again`]]);
      await received('/again', e.id as string);
      // Sent once more: routed again, still one delivery and one request.
      expect((await publish(T, [e])).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      expect(await deliveriesOf(T, e.id as string)).toEqual([[null, `${receiver.url}/again`]]);
      await sleep(300);
      expect(receiver.requests.filter((r) => r.headers['ce-id'] === e.id)).toHaveLength(1);
    });

    it('routes to the matching active entries only, each with its URL (or the root one) and its exclusions', async () => {
      const T = 'ingrouteentry';
      const [percent, inherit, off] = await configure(T, {
        destinationUrl: `${receiver.url}/root`,
        eventsConfiguration: [
          {
            eventType: 'Coupon.Created',
            destinationUrl: `${receiver.url}/percent`,
            filter: "$[?(@.discountType == 'PERCENT')]",
            excludedFields: [],
          },
          { eventType: 'coupon.created', excludedFields: ['name'] },
          { eventType: 'coupon.created', destinationUrl: `${receiver.url}/off`, active: false },
        ],
      });
      await subscribe(T, [{ eventType: 'coupon.created', action: 'SUBSCRIBE', fieldsToUnsubscribe: ['description'] }]);
      const pct = couponEvent(T, { data: couponData() });
      const abs = couponEvent(T, { data: couponData({ discountType: 'ABSOLUTE' }) });
      await publish(T, [pct, abs]);
      expect(await deliveriesOf(T, pct.id as string)).toEqual(
        [
          [percent.id, `${receiver.url}/percent`],
          [inherit.id, `${receiver.url}/root`],
        ].sort(),
      );
      // No match for the filtered entry, and no fallback to the root for it.
      expect(await deliveriesOf(T, abs.id as string)).toEqual([[inherit.id, `${receiver.url}/root`]]);
      expect(JSON.parse((await received('/percent', pct.id as string)).body)).toEqual(couponData());
      expect(JSON.parse((await received('/root', pct.id as string)).body)).toEqual({
        code: 'WINTER10',
        description: 'Ten percent',
        discountType: 'PERCENT',
      });
      expect(off.id).toEqual(expect.any(String));
      expect(receiver.requests.some((r) => r.path === '/off')).toBe(false);
    });

    it("delivers nothing while the config is inactive, and never to another tenant's targets", async () => {
      const [A, B] = ['ingroutea', 'ingrouteb'];
      await configure(A, { destinationUrl: `${receiver.url}/a`, eventsConfiguration: [] }, false);
      await subscribe(A, [{ eventType: 'coupon.created', action: 'SUBSCRIBE' }]);
      await configure(B, { destinationUrl: `${receiver.url}/b`, eventsConfiguration: [] });
      await subscribe(B, [{ eventType: 'coupon.created', action: 'SUBSCRIBE' }]);
      const e = couponEvent(A, { data: couponData() });
      expect((await publish(A, [e])).body.accepted).toBe(1);
      expect(await deliveriesOf(A, e.id as string)).toEqual([]);
      expect(await deliveriesOf(B, e.id as string)).toEqual([]);
    });
  });
});
