import { EVENT_TYPES } from '@suite/api-kit';
import { expectErrorProfile, httpRequest, ServiceHarness, TestResponse } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { DATABASE_NAME } from '../src/config/webhook.config';
import { STALE_VERSION_MESSAGE } from '../src/subscriptions/subscriptions.service';
import { SubscriptionReader } from '../src/subscriptions/subscription.types';
import { as, MANAGE, READ, startWebhookApp } from './support';

// The Events API (README "Subscriptions"): the catalog of every suite event with the tenant's
// subscription to it, and the 207 PATCH that subscribes, unsubscribes and excludes fields.

const ALL_TYPES = [
  ...Object.values(EVENT_TYPES.customerSegment),
  ...Object.values(EVENT_TYPES.category),
  ...Object.values(EVENT_TYPES.coupon),
];

type Who = Record<string, string>;
type Item = Record<string, unknown>;

describe('Events API (catalog and subscriptions)', () => {
  let h: ServiceHarness;
  let counter = 0;
  const tenant = () => `sub${++counter}t${process.pid % 1000}`;

  beforeAll(async () => {
    h = await startWebhookApp();
  });
  afterAll(() => h?.close());

  const path = (t: string) => `/webhook/${t}/event-subscriptions`;
  const call = (method: string, t: string, who: Who, body?: unknown, headers: Who = {}): Promise<TestResponse> =>
    httpRequest(`${h.url}${path(t)}`, method, { headers: { ...who, ...headers }, body });
  const update = async (t: string, items: unknown) => call('PATCH', t, await as(t, [MANAGE]), items);
  const list = async (t: string, headers: Who = {}) => {
    const r = await call('GET', t, await as(t, [READ]), undefined, headers);
    if (r.status !== 200) throw new Error(`list failed: ${r.status} ${r.text}`);
    return r.body as Array<Record<string, any>>;
  };
  const subscriptionOf = async (t: string, type: string) => (await list(t)).find((s) => s.event.type === type)!;
  const ok = (eventType: string) => ({ eventType, code: 200, status: 'OK' });

  describe('GET: the catalog', () => {
    it('lists every event type of the suite once, NONE with empty metadata when never subscribed', async () => {
      const t = tenant();
      const all = await list(t);
      expect(all.map((s) => s.event.type)).toEqual(ALL_TYPES);
      for (const s of all) {
        expect(s).toEqual({
          event: {
            type: s.event.type,
            name: { en: expect.any(String), de: expect.any(String) },
            group: { en: expect.any(String), de: expect.any(String) },
            description: { en: expect.any(String), de: expect.any(String) },
            eventSchema: expect.any(Object),
          },
          metadata: {},
          subscription: 'NONE',
          excludedFields: [],
        });
        expect(Object.keys(s.event.eventSchema).length).toBeGreaterThan(0);
        for (const type of Object.values(s.event.eventSchema))
          expect(['String', 'Number', 'Boolean', 'Map', 'Object', 'Array']).toContain(type);
      }
      expect(all.find((s) => s.event.type === 'category.deleted')!.event.eventSchema).toEqual({ id: 'String' });
      expect(all.find((s) => s.event.type === 'customer-segment.segment-updated')!.event.eventSchema).toMatchObject({
        previousStatus: 'String',
        tenant: 'String',
      });
    });

    it('narrows the localized maps to Accept-Language (LOC-3); a language the tenant does not have is 400', async () => {
      const t = tenant();
      const de = (await list(t, { 'accept-language': 'de-CH, en;q=0' }))[0].event;
      expect(de.name).toEqual({ de: 'Segment erstellt' });
      expect(de.group).toEqual({ de: 'Kundensegment' });
      expect(Object.keys(de.description)).toEqual(['de']);
      const both = (await list(t, { 'accept-language': 'en, de;q=0.5' }))[0].event;
      expect(Object.keys(both.name)).toEqual(['en', 'de']);
      // A tenant language the catalog has no text in gives empty maps (LOC-3.4).
      expect((await list(t, { 'accept-language': 'fr' }))[0].event.name).toEqual({});
      const refused = await call('GET', t, await as(t, [READ]), undefined, { 'accept-language': 'ru' });
      expect(expectErrorProfile('webhook', refused, 400, 'validation_failed').details).toEqual([
        "Accept-Language: Following languages are not supported: 'ru'",
      ]);
    });
  });

  describe('PATCH: subscribing', () => {
    it('subscribes with excluded fields; version 1, then every change counts up; a change of nothing writes nothing', async () => {
      const t = tenant();
      const r = await update(t, [{ eventType: 'category.created', action: 'SUBSCRIBE', fieldsToUnsubscribe: ['mixins', 'localizedSlug'] }]);
      expect(r.status).toBe(207);
      expect(r.body).toEqual([ok('category.created')]);
      const first = await subscriptionOf(t, 'category.created');
      expect(first).toMatchObject({ subscription: 'SUBSCRIBED', excludedFields: ['mixins', 'localizedSlug'], metadata: { version: 1 } });
      expect(first.metadata.createdAt).toBe(first.metadata.modifiedAt);

      expect(
        (
          await update(t, [
            { eventType: 'category.created', fieldsToSubscribe: ['mixins'], fieldsToUnsubscribe: ['ecn'], metadata: { version: 1 } },
          ])
        ).body,
      ).toEqual([ok('category.created')]);
      const second = await subscriptionOf(t, 'category.created');
      expect(second).toMatchObject({
        subscription: 'SUBSCRIBED',
        excludedFields: ['localizedSlug', 'ecn'],
        metadata: { version: 2, createdAt: first.metadata.createdAt },
      });

      expect((await update(t, [{ eventType: 'category.created', action: 'SUBSCRIBE', fieldsToUnsubscribe: ['ecn'] }])).body).toEqual([
        ok('category.created'),
      ]);
      expect((await subscriptionOf(t, 'category.created')).metadata.version).toBe(2);

      expect((await update(t, [{ eventType: 'category.created', action: 'UNSUBSCRIBE', metadata: { version: 2 } }])).body).toEqual([
        ok('category.created'),
      ]);
      // Unsubscribing keeps the exclusions for a later subscription.
      expect(await subscriptionOf(t, 'category.created')).toMatchObject({
        subscription: 'UNSUBSCRIBED',
        excludedFields: ['localizedSlug', 'ecn'],
        metadata: { version: 3 },
      });
    });

    it('matches event types case-insensitively and answers each item in order, whatever the others did', async () => {
      const t = tenant();
      const r = await update(t, [
        { eventType: 'COUPON.CREATED', action: 'SUBSCRIBE' },
        { eventType: 'product.created', action: 'SUBSCRIBE' },
        { eventType: 'coupon.updated', action: 'SUBSCRIBE', metadata: { version: 2 } },
        { eventType: 'coupon.deleted', action: 'UNSUBSCRIBE', metadata: { version: 1 } },
      ]);
      expect(r.status).toBe(207);
      expect(r.body).toEqual([
        ok('COUPON.CREATED'),
        {
          eventType: 'product.created',
          code: 404,
          status: 'NOT_FOUND',
          errorCode: 'resource_not_found',
          message: 'No catalog event product.created found.',
        },
        { eventType: 'coupon.updated', code: 409, status: 'CONFLICT', errorCode: 'version_conflict', message: STALE_VERSION_MESSAGE },
        ok('coupon.deleted'),
      ]);
      const all = await list(t);
      const byType = Object.fromEntries(all.map((s) => [s.event.type, s.subscription]));
      expect(byType).toMatchObject({ 'coupon.created': 'SUBSCRIBED', 'coupon.updated': 'NONE', 'coupon.deleted': 'UNSUBSCRIBED' });
      expect(all.filter((s) => s.subscription !== 'NONE')).toHaveLength(2);
    });

    it('a stale metadata.version is 409 with Emporix’s message; the current one applies', async () => {
      const t = tenant();
      await update(t, [{ eventType: 'coupon.redemption-created', action: 'SUBSCRIBE' }]);
      await update(t, [{ eventType: 'coupon.redemption-created', fieldsToUnsubscribe: ['orderTotal'] }]);
      const stale = await update(t, [{ eventType: 'coupon.redemption-created', action: 'UNSUBSCRIBE', metadata: { version: 1 } }]);
      expect(stale.body).toEqual([
        {
          eventType: 'coupon.redemption-created',
          code: 409,
          status: 'CONFLICT',
          errorCode: 'version_conflict',
          message: STALE_VERSION_MESSAGE,
        },
      ]);
      expect(await subscriptionOf(t, 'coupon.redemption-created')).toMatchObject({ subscription: 'SUBSCRIBED', metadata: { version: 2 } });
      expect((await update(t, [{ eventType: 'coupon.redemption-created', action: 'UNSUBSCRIBE', metadata: { version: 2 } }])).body).toEqual(
        [ok('coupon.redemption-created')],
      );
      expect((await subscriptionOf(t, 'coupon.redemption-created')).metadata.version).toBe(3);
    });

    it('refuses an item’s own problems with 400 in its result, listing each', async () => {
      const t = tenant();
      const r = await update(t, [
        { eventType: 'category.updated', action: 'FOLLOW' },
        {
          eventType: 'category.updated',
          action: 'SUBSCRIBE',
          fieldsToUnsubscribe: ['colour', 'metadata'],
          fieldsToSubscribe: ['metadata'],
        },
        { eventType: 'category.updated', action: 'SUBSCRIBE', note: 'x', metadata: { version: 0 } },
        { eventType: 'category.updated', fieldsToUnsubscribe: ['mixins'] },
        { eventType: 'category.updated', action: 'SUBSCRIBE', fieldsToUnsubscribe: 'mixins' },
      ]);
      expect(r.status).toBe(207);
      const results = r.body as Item[];
      expect(results.map((x) => [x.code, x.status, x.errorCode])).toEqual(Array(5).fill([400, 'BAD_REQUEST', 'validation_failed']));
      expect(results[0].message).toContain('action: action must be SUBSCRIBE or UNSUBSCRIBE');
      expect(results[1].message).toContain("fieldsToUnsubscribe[0]: 'colour' is not a field of category.updated");
      expect(results[1].message).toContain('fieldsToSubscribe[0]: metadata is also in fieldsToUnsubscribe');
      // The unknown `note` is dropped (ERR-7): the item fails for its version alone.
      expect(results[2].message).toContain('metadata.version: metadata.version must be at least 1');
      expect(results[2].message).not.toContain('note');
      expect(results[3].message).toContain('action: action is required for an event that has no subscription yet');
      expect(results[4].message).toContain('fieldsToUnsubscribe: must be an array of field names');
      expect((await subscriptionOf(t, 'category.updated')).subscription).toBe('NONE');
    });

    it('drops unknown properties of an item (ERR-7): the item applies, and nothing of them is stored or echoed', async () => {
      const t = tenant();
      const r = await update(t, [
        {
          eventType: 'category.created',
          action: 'SUBSCRIBE',
          fieldsToUnsubscribe: ['mixins'],
          // Misspelt: dropped like any unknown property, so ecn stays delivered.
          fieldsToUnSubscribe: ['ecn'],
          metadata: { version: 1, etag: 'e-1' },
          note: 'from the ERP',
          // What a read returns: ignored on a write.
          subscription: 'UNSUBSCRIBED',
          excludedFields: ['localizedSlug'],
          event: { type: 'category.created' },
        },
      ]);
      expect(r.status).toBe(207);
      expect(r.body).toEqual([ok('category.created')]);
      const view = await subscriptionOf(t, 'category.created');
      expect(view).toMatchObject({ subscription: 'SUBSCRIBED', excludedFields: ['mixins'], metadata: { version: 1 } });
      expect(Object.keys(view).sort()).toEqual(['event', 'excludedFields', 'metadata', 'subscription']);
      expect(Object.keys(view.metadata).sort()).toEqual(['createdAt', 'modifiedAt', 'version']);
      const listed = await call('GET', t, await as(t, [READ]));
      for (const word of ['fieldsToUnSubscribe', 'etag', 'e-1', 'from the ERP']) expect(listed.text).not.toContain(word);
      const client = await new MongoClient(h.db.uri).connect();
      try {
        const stored = await client.db(DATABASE_NAME).collection<{ _id: string }>(`${t}_webhook_subscriptions`).find().toArray();
        expect(stored).toEqual([
          {
            _id: 'category.created',
            subscription: 'SUBSCRIBED',
            excludedFields: ['mixins'],
            metadata: { version: 1, createdAt: expect.any(Date), modifiedAt: expect.any(Date) },
          },
        ]);
      } finally {
        await client.close();
      }
    });

    it('still refuses forbidden keys anywhere in an item (ERR-8) as a whole, changing nothing', async () => {
      const t = tenant();
      const r = await update(t, [
        { eventType: 'category.created', action: 'SUBSCRIBE', 'note.text': 'x' },
        { eventType: 'coupon.created', action: 'SUBSCRIBE', metadata: { $set: { version: 9 } } },
      ]);
      expect(expectErrorProfile('webhook', r, 400, 'validation_failed').details).toEqual([
        '[0].note.text: keys must not be empty, start with $, contain . or NUL, or be __proto__',
        '[1].metadata.$set: keys must not be empty, start with $, contain . or NUL, or be __proto__',
      ]);
      expect((await list(t)).every((s) => s.subscription === 'NONE')).toBe(true);
    });

    it('refuses a body that is not an array of items with eventType as a whole (400), changing nothing', async () => {
      const t = tenant();
      const who = await as(t, [MANAGE]);
      const whole = (r: TestResponse) => expectErrorProfile('webhook', r, 400, 'validation_failed').details;
      expect(whole(await call('PATCH', t, who, { eventType: 'coupon.created', action: 'SUBSCRIBE' }))).toEqual([
        'the body must be a JSON array of subscription updates',
      ]);
      expect(whole(await call('PATCH', t, who, []))).toEqual(['the array must contain at least one item']);
      expect(
        whole(
          await call('PATCH', t, who, [
            { eventType: 'coupon.created', action: 'SUBSCRIBE' },
            { action: 'SUBSCRIBE' },
            'x',
            { eventType: 7 },
          ]),
        ),
      ).toEqual(['[1].eventType: eventType is required', '[2]: an item must be an object', '[3].eventType: eventType is required']);
      expect(
        whole(
          await call(
            'PATCH',
            t,
            who,
            Array.from({ length: 101 }, () => ({ eventType: 'coupon.created', action: 'SUBSCRIBE' })),
          ),
        ),
      ).toEqual(['at most 100 items are allowed, got 101']);
      expectErrorProfile(
        'webhook',
        await httpRequest(`${h.url}${path(t)}`, 'PATCH', { headers: who, raw: '[{"eventType":' }),
        400,
        'malformed_json',
      );
      expect((await list(t)).every((s) => s.subscription === 'NONE')).toBe(true);
    });

    it('concurrent updates of one subscription without a version never lose a change', async () => {
      const t = tenant();
      await update(t, [{ eventType: 'customer-segment.segment-updated', action: 'SUBSCRIBE' }]);
      const fields = ['name', 'description', 'validity', 'siteCode', 'mixins'];
      const who = await as(t, [MANAGE]);
      const results = await Promise.all(
        fields.map((f) => call('PATCH', t, who, [{ eventType: 'customer-segment.segment-updated', fieldsToUnsubscribe: [f] }])),
      );
      const applied = results.filter((r) => (r.body as Item[])[0].code === 200).length;
      for (const r of results) expect([200, 409]).toContain((r.body as Item[])[0].code);
      const after = await subscriptionOf(t, 'customer-segment.segment-updated');
      expect(after.excludedFields).toHaveLength(applied);
      expect(after.metadata.version).toBe(1 + applied);
      expect(applied).toBeGreaterThan(0);
    });

    it('the subscription reader of routing gets the stored subscriptions', async () => {
      const t = tenant();
      await update(t, [
        { eventType: 'assignment.created', action: 'SUBSCRIBE', fieldsToUnsubscribe: ['ref'] },
        { eventType: 'assignment.deleted', action: 'UNSUBSCRIBE' },
      ]);
      const stored = await h.app.app.get(SubscriptionReader).subscriptions(t);
      expect(stored).toEqual([
        {
          eventType: 'assignment.created',
          subscription: 'SUBSCRIBED',
          excludedFields: ['ref'],
          metadata: { version: 1, createdAt: expect.any(Date), modifiedAt: expect.any(Date) },
        },
        {
          eventType: 'assignment.deleted',
          subscription: 'UNSUBSCRIBED',
          excludedFields: [],
          metadata: { version: 1, createdAt: expect.any(Date), modifiedAt: expect.any(Date) },
        },
      ]);
      expect(await h.app.app.get(SubscriptionReader).subscriptions(tenant())).toEqual([]);
    });
  });

  describe('tenants and scopes', () => {
    it('another tenant does not see the subscriptions; a token of one tenant on another path is 403', async () => {
      const a = tenant();
      const b = tenant();
      await update(a, [{ eventType: 'coupon.created', action: 'SUBSCRIBE' }]);
      expect((await list(b)).every((s) => s.subscription === 'NONE')).toBe(true);
      const aToken = await as(a, [MANAGE]);
      expectErrorProfile('webhook', await call('GET', b, aToken), 403, 'tenant_mismatch');
      expectErrorProfile(
        'webhook',
        await call('PATCH', b, aToken, [{ eventType: 'coupon.created', action: 'UNSUBSCRIBE' }]),
        403,
        'tenant_mismatch',
      );
      expect((await subscriptionOf(a, 'coupon.created')).subscription).toBe('SUBSCRIBED');
    });

    it('read may list but not change; without a webhook scope nothing; without a token 401', async () => {
      const t = tenant();
      const readOnly = await as(t, [READ]);
      const none = await as(t, ['category.category_read']);
      const items = [{ eventType: 'coupon.created', action: 'SUBSCRIBE' }];
      expect((await call('GET', t, await as(t, [MANAGE]))).status).toBe(200);
      expectErrorProfile('webhook', await call('PATCH', t, readOnly, items), 403, 'insufficient_scope');
      expectErrorProfile('webhook', await call('PATCH', t, none, items), 403, 'insufficient_scope');
      expectErrorProfile('webhook', await call('GET', t, none), 403, 'insufficient_scope');
      expect((await call('GET', t, {})).status).toBe(401);
      expect((await subscriptionOf(t, 'coupon.created')).subscription).toBe('NONE');
    });
  });
});
