import { buildEvent, EVENT_SOURCES, EVENT_TYPES, EventSourceName, EventType } from '@suite/api-kit';
import { expectErrorProfile, httpRequest, ServiceHarness, TestResponse } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATABASE_NAME } from '../src/config/webhook.config';
import { encodeCursor } from '../src/events/feed-cursor';
import { FEED_SETTLE_MS } from '../src/events/feed-settings';
import { as, asService, MANAGE, PUBLISH, READ, startWebhookApp } from './support';

const CLIENT_OF: Record<EventSourceName, string> = {
  [EVENT_SOURCES.coupon]: 'coupon',
  [EVENT_SOURCES.category]: 'category',
  [EVENT_SOURCES.customerSegment]: 'customer-segment',
};

function envelope(tenant: string, source: EventSourceName, type: EventType, n: number): Record<string, unknown> {
  return {
    ...buildEvent({
      source,
      type,
      subject: `subject-${n}`,
      tenant,
      entityVersion: n,
      actor: { type: 'employee', id: 'u-1' },
      requestId: randomUUID(),
      time: new Date(),
      data: { id: `entity-${n}`, n },
    }),
  };
}

const settle = () => sleep(FEED_SETTLE_MS + 150);
const ids = (events: { id: string }[]) => events.map((e) => e.id);

describe('pull feed: GET /webhook/{tenant}/events', () => {
  let h: ServiceHarness;
  let client: MongoClient;
  let counter = 0;
  beforeAll(async () => {
    h = await startWebhookApp();
    client = await new MongoClient(h.db.uri).connect();
  });
  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  /** Publishes `count` events of one type through ingestion; resolves them in the order sent. */
  async function publish(tenant: string, count: number, source: EventSourceName = EVENT_SOURCES.coupon, type?: EventType) {
    const t =
      type ??
      (source === EVENT_SOURCES.coupon
        ? EVENT_TYPES.coupon.updated
        : source === EVENT_SOURCES.category
          ? EVENT_TYPES.category.updated
          : EVENT_TYPES.customerSegment.segmentUpdated);
    const batch = Array.from({ length: count }, () => envelope(tenant, source, t, ++counter));
    const r = await httpRequest(`${h.url}/webhook/${tenant}/events`, 'POST', {
      headers: await asService(tenant, CLIENT_OF[source]),
      body: batch,
    });
    expect([r.status, r.body?.accepted]).toEqual([200, count]);
    return batch;
  }

  async function read(
    tenant: string,
    query: Record<string, string | number> = {},
    headers?: Record<string, string>,
  ): Promise<TestResponse> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return httpRequest(`${h.url}/webhook/${tenant}/events${qs ? `?${qs}` : ''}`, 'GET', {
      headers: headers ?? (await as(tenant, [MANAGE])),
    });
  }

  /** Every event after `after`, page by page; checks each page's shape on the way. */
  async function readAll(tenant: string, pageSize: number, after?: string) {
    const events: { id: string }[] = [];
    let cursor = after;
    for (let pages = 0; pages < 100; pages++) {
      const r = await read(tenant, { pageSize, ...(cursor ? { after: cursor } : {}) });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['cursor', 'events']);
      expect(typeof r.body.cursor).toBe('string');
      expect(r.body.events.length).toBeLessThanOrEqual(pageSize);
      if (!r.body.events.length) {
        if (cursor) expect(r.body.cursor).toBe(cursor);
        return { events, cursor: r.body.cursor as string };
      }
      events.push(...r.body.events);
      cursor = r.body.cursor;
    }
    throw new Error('the feed did not end');
  }

  describe('order and cursor', () => {
    it('returns the full envelopes of several ingestions in the order they were stored', async () => {
      const T = 'feedorder';
      const a = await publish(T, 2, EVENT_SOURCES.coupon);
      const b = await publish(T, 3, EVENT_SOURCES.category);
      const c = await publish(T, 1, EVENT_SOURCES.customerSegment);
      await settle();
      const r = await read(T);
      expect(r.status).toBe(200);
      expect(r.body.events).toEqual([...a, ...b, ...c]);
    });

    it('continues from the cursor without loss or repetition, and from the last cursor once more arrived', async () => {
      const T = 'feedcursor';
      const first = [...(await publish(T, 4)), ...(await publish(T, 3, EVENT_SOURCES.category))];
      await settle();
      const all = await readAll(T, 2);
      expect(ids(all.events)).toEqual(ids(first as { id: string }[]));
      // Nothing new: the same cursor comes back.
      const idle = await read(T, { after: all.cursor });
      expect(idle.body).toEqual({ events: [], cursor: all.cursor });
      const later = await publish(T, 3);
      await settle();
      const rest = await readAll(T, 2, all.cursor);
      expect(ids(rest.events)).toEqual(ids(later as { id: string }[]));
    });

    it('starts at the oldest event without a cursor and answers a cursor even for an empty feed', async () => {
      const T = 'feedempty';
      const r = await read(T);
      expect(r.status).toBe(200);
      expect(r.body.events).toEqual([]);
      const again = await read(T, { after: r.body.cursor });
      expect(again.body).toEqual({ events: [], cursor: r.body.cursor });
      const sent = await publish(T, 2);
      await settle();
      expect(ids((await read(T, { after: r.body.cursor })).body.events)).toEqual(ids(sent as { id: string }[]));
      // An empty `after` is no cursor.
      expect(ids((await read(T, { after: '' })).body.events)).toEqual(ids(sent as { id: string }[]));
    });
  });

  describe('settle window', () => {
    it('shows an event only once it was stored at least the settle window ago', async () => {
      const T = 'feedsettle';
      const start = await read(T);
      const sent = await publish(T, 2);
      const early = await read(T, { after: start.body.cursor });
      expect(early.body).toEqual({ events: [], cursor: start.body.cursor });
      await settle();
      expect(ids((await read(T, { after: start.body.cursor })).body.events)).toEqual(ids(sent as { id: string }[]));
    });

    it('ends a page before the first unsettled event, even when later ones are settled', async () => {
      const T = 'feedgap';
      const sent = await publish(T, 4);
      await settle();
      // The third position looks like a write that is still settling (stored just now).
      const coll = client.db(DATABASE_NAME).collection(`${T}_webhook_events`);
      await coll.updateOne({ _id: sent[2].id as never }, { $set: { receivedAt: new Date() } });
      const r = await read(T);
      expect(ids(r.body.events)).toEqual(ids(sent.slice(0, 2) as { id: string }[]));
      await settle();
      expect(ids((await read(T, { after: r.body.cursor })).body.events)).toEqual(ids(sent.slice(2) as { id: string }[]));
    });
  });

  describe('type filter and page size', () => {
    it('filters by a comma-separated list of types in any letter case', async () => {
      const T = 'feedtypes';
      const created = await publish(T, 2, EVENT_SOURCES.coupon, EVENT_TYPES.coupon.created);
      const updated = await publish(T, 2, EVENT_SOURCES.coupon, EVENT_TYPES.coupon.updated);
      const category = await publish(T, 2, EVENT_SOURCES.category, EVENT_TYPES.category.created);
      await settle();
      const r = await read(T, { type: 'COUPON.Created, category.created' });
      expect(r.status).toBe(200);
      expect(ids(r.body.events)).toEqual(ids([...created, ...category] as { id: string }[]));
      const one = await read(T, { type: 'coupon.updated' });
      expect(ids(one.body.events)).toEqual(ids(updated as { id: string }[]));
      // Continuing a filtered read with its cursor.
      const page = await read(T, { type: 'coupon.created,category.created', pageSize: 3 });
      const next = await read(T, { type: 'coupon.created,category.created', after: page.body.cursor });
      expect(ids([...page.body.events, ...next.body.events])).toEqual(ids([...created, ...category] as { id: string }[]));
      // A known type with nothing stored.
      expect((await read(T, { type: 'assignment.deleted' })).body.events).toEqual([]);
    });

    it.each<[string, Record<string, string>, string]>([
      ['an unknown type', { type: 'coupon.created,coupon.exploded' }, 'type: unknown event type: coupon.exploded'],
      ['a list without a type', { type: ' , ' }, 'type: type must name at least one event type'],
      ['pageSize 0', { pageSize: '0' }, 'pageSize: pageSize must be between 1 and 1000'],
      ['pageSize 1001', { pageSize: '1001' }, 'pageSize: pageSize must be between 1 and 1000'],
      ['pageSize abc', { pageSize: 'abc' }, 'pageSize: pageSize must be an integer'],
      ['pageSize 1.5', { pageSize: '1.5' }, 'pageSize: pageSize must be an integer'],
      ['a made-up cursor', { after: 'garbage' }, 'after: after must be a cursor returned by the feed'],
      [
        'a cursor with a negative position',
        { after: Buffer.from('feed:-1').toString('base64url') },
        'after: after must be a cursor returned by the feed',
      ],
      [
        'a cursor spelled another way',
        { after: Buffer.from('feed:01').toString('base64url') },
        'after: after must be a cursor returned by the feed',
      ],
      ['a number as cursor', { after: '12' }, 'after: after must be a cursor returned by the feed'],
    ])('refuses %s (400)', async (_name, query, detail) => {
      const err = expectErrorProfile('webhook', await read('feedbad', query), 400, 'validation_failed');
      expect(err.details).toEqual([detail]);
    });

    it('pages by 100 by default, and by 1 to 1000 when asked', async () => {
      const T = 'feedsize';
      const sent = [...(await publish(T, 500)), ...(await publish(T, 500)), ...(await publish(T, 30))];
      await settle();
      expect((await read(T)).body.events).toHaveLength(100);
      expect((await read(T, { pageSize: 1 })).body.events).toHaveLength(1);
      const max = await read(T, { pageSize: 1000 });
      expect(max.body.events).toHaveLength(1000);
      const rest = await read(T, { pageSize: 1000, after: max.body.cursor });
      expect(ids([...max.body.events, ...rest.body.events])).toEqual(ids(sent as { id: string }[]));
    });
  });

  describe('retention', () => {
    it('skips events older than 7 days, continues an expired cursor at the oldest kept event, and purges them', async () => {
      const T = 'feedretain';
      const coll = client.db(DATABASE_NAME).collection(`${T}_webhook_events`);
      const day = 24 * 3600 * 1000;
      const doc = (seq: number, receivedAt: Date) => {
        const event = envelope(T, EVENT_SOURCES.coupon, EVENT_TYPES.coupon.updated, 1000 + seq);
        return {
          _id: event.id as string,
          seq,
          type: event.type,
          source: event.source,
          subject: event.subject,
          time: new Date(event.time as string),
          receivedAt,
          event,
        };
      };
      // Stored as ingestion stores them: two received 8 days ago, two just under 7 days ago and recently.
      const docs = [doc(1, new Date(Date.now() - 8 * day)), doc(2, new Date(Date.now() - 7 * day - 60_000))];
      const kept = [doc(3, new Date(Date.now() - 7 * day + 3_600_000)), doc(4, new Date(Date.now() - 5_000))];
      await coll.insertMany([...docs, ...kept] as never[]);
      const fromStart = await read(T);
      expect(ids(fromStart.body.events)).toEqual(kept.map((d) => d._id));
      const expiredCursor = await read(T, { after: encodeCursor(1) });
      expect(ids(expiredCursor.body.events)).toEqual(kept.map((d) => d._id));
      // The read started the tenant's purge; it runs beside the request.
      for (let i = 0; i < 50 && (await coll.countDocuments()) > 2; i++) await sleep(50);
      expect((await coll.find({}).sort({ seq: 1 }).toArray()).map((d) => d._id)).toEqual(kept.map((d) => d._id));
    });
  });

  describe('access', () => {
    const T = 'feedaccess';
    it('refuses readers, publishers and callers without a scope (403 insufficient_scope)', async () => {
      expectErrorProfile('webhook', await read(T, {}, await as(T, [READ])), 403, 'insufficient_scope');
      expectErrorProfile('webhook', await read(T, {}, await asService(T, 'coupon', [PUBLISH])), 403, 'insufficient_scope');
      expectErrorProfile('webhook', await read(T, {}, await as(T, [])), 403, 'insufficient_scope');
      expect((await httpRequest(`${h.url}/webhook/${T}/events`, 'GET')).status).toBe(401);
    });

    it("never shows a tenant another tenant's events; a manager of A on B's path is 403 tenant_mismatch", async () => {
      const [A, B] = ['feedisoa', 'feedisob'];
      const a = await publish(A, 2);
      const b = await publish(B, 2);
      await settle();
      expect(ids((await read(A)).body.events)).toEqual(ids(a as { id: string }[]));
      expect(ids((await read(B)).body.events)).toEqual(ids(b as { id: string }[]));
      expectErrorProfile('webhook', await read(B, {}, await as(A, [MANAGE])), 403, 'tenant_mismatch');
      // A cursor is a position: one of A's feed used on B's continues in B's events only.
      const aCursor = (await read(A, { pageSize: 1 })).body.cursor;
      expect(ids((await read(B, { after: aCursor })).body.events)).toEqual([b[1].id]);
    });
  });
});
