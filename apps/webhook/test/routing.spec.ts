import type { EventsConfigurationEntry, WebhookConfig } from '../src/configs/webhook-config.types';
import { buildRouter, RoutableEvent } from '../src/events/routing';
import type { EventSubscription } from '../src/subscriptions/subscription.types';

const META = { version: 1, createdAt: new Date(0), modifiedAt: new Date(0) };
const ROOT = 'https://root.example/hooks';

function config(entries: Partial<EventsConfigurationEntry>[] = [], over: Partial<WebhookConfig> = {}, rootUrl: string | null = ROOT) {
  const c: WebhookConfig = {
    code: 'http',
    provider: 'HTTP',
    active: true,
    configuration: {
      ...(rootUrl === null ? {} : { destinationUrl: rootUrl }),
      eventsConfiguration: entries.map((e, i) => ({ id: `entry-${i + 1}`, eventType: 'category.created', active: true, ...e })),
    },
    metadata: META,
    ...over,
  };
  return c;
}

function subscribed(eventType: string, excludedFields: string[] = []): EventSubscription {
  return { eventType, subscription: 'SUBSCRIBED', excludedFields, metadata: META };
}

function event(over: Partial<RoutableEvent> = {}): RoutableEvent {
  return {
    id: '0a4cbe7a-8d1b-4a53-9d4e-6f0e1f7a3c21',
    type: 'category.created',
    time: '2024-06-01T08:30:00.000Z',
    data: { id: 'cat-1', status: 'ACTIVE', name: { en: 'Shoes' }, secret: 's', internal: 'i' },
    ...over,
  };
}

/** The targets of one event, as `entryId → url`, in the order routed. */
const targets = (router: ReturnType<typeof buildRouter>, e = event()) => router(e).map((d) => [d.entryId, d.url]);

describe('routing (README "Routing")', () => {
  const subs = [subscribed('category.created')];

  it('routes to the root destination when no entry exists for the type, with the NewDelivery fields', () => {
    const router = buildRouter(config([{ eventType: 'coupon.created', destinationUrl: 'https://other.example' }]), subs);
    const e = event();
    expect(router(e)).toEqual([
      { eventId: e.id, eventType: 'category.created', entryId: null, url: ROOT, body: JSON.stringify(e.data), eventTime: e.time },
    ]);
  });

  it('routes nothing without a config, or with an inactive one', () => {
    expect(buildRouter(null, subs)(event())).toEqual([]);
    expect(buildRouter(config([], { active: false }), subs)(event())).toEqual([]);
    expect(buildRouter(config([{ destinationUrl: 'https://a.example' }], { active: false }), subs)(event())).toEqual([]);
  });

  it('routes nothing for a type the tenant has not subscribed to, or has unsubscribed from', () => {
    const entries = [{ destinationUrl: 'https://a.example' }];
    expect(buildRouter(config(entries), [])(event())).toEqual([]);
    expect(buildRouter(config(entries), [subscribed('category.updated')])(event())).toEqual([]);
    const unsubscribed: EventSubscription = { ...subscribed('category.created'), subscription: 'UNSUBSCRIBED' };
    expect(buildRouter(config(entries), [unsubscribed])(event())).toEqual([]);
    expect(buildRouter(config([]), [unsubscribed])(event())).toEqual([]);
  });

  it('matches types case-insensitively in entries, subscriptions and the event, and keeps the event type as sent', () => {
    const router = buildRouter(config([{ eventType: 'Category.CREATED', destinationUrl: 'https://a.example' }]), [
      subscribed('CATEGORY.created'),
    ]);
    const routed = router(event({ type: 'category.created' }));
    expect(routed.map((d) => [d.entryId, d.url, d.eventType])).toEqual([['entry-1', 'https://a.example', 'category.created']]);
    expect(targets(router, event({ type: 'CATEGORY.Created' }))).toEqual([['entry-1', 'https://a.example']]);
  });

  it('drops an inactive entry without evaluating its filter', () => {
    const router = buildRouter(
      config([{ active: false, destinationUrl: 'https://a.example', filter: "$[?(@.status == 'ACTIVE')]" }]),
      subs,
    );
    expect(router(event())).toEqual([]);
    // Its data is never read (the filter would read `status`).
    const touched: PropertyKey[] = [];
    const trap = new Proxy({ status: 'ACTIVE' }, { get: (target, key) => (touched.push(key), Reflect.get(target, key)) });
    expect(router(event({ data: trap }))).toEqual([]);
    expect(touched).toEqual([]);
    // The same entry active reads it.
    buildRouter(config([{ destinationUrl: 'https://a.example', filter: "$[?(@.status == 'ACTIVE')]" }]), subs)(event({ data: trap }));
    expect(touched).toContain('status');
  });

  it('does not fall back to the root destination while an entry of the type exists, even an inactive one', () => {
    expect(buildRouter(config([{ active: false }]), subs)(event())).toEqual([]);
    expect(buildRouter(config([{ filter: "$[?(@.status == 'INACTIVE')]" }]), subs)(event())).toEqual([]);
    // A type without entries falls back; the other type's entries do not count.
    const mixed = buildRouter(config([{ eventType: 'category.updated', active: false }]), subs);
    expect(targets(mixed)).toEqual([[null, ROOT]]);
  });

  it('evaluates the filter against data: a match routes, no match does not, an empty filter matches everything', () => {
    const router = (filter: string) => buildRouter(config([{ destinationUrl: 'https://a.example', filter }]), subs);
    expect(targets(router("$[?(@.status == 'ACTIVE')]"))).toEqual([['entry-1', 'https://a.example']]);
    expect(targets(router("$[?(@.status == 'INACTIVE')]"))).toEqual([]);
    expect(targets(router("$[?(@.name.en == 'Shoes' && @.id != 'cat-2')]"))).toEqual([['entry-1', 'https://a.example']]);
    expect(targets(router("$[?(@.missing.path == 'x')]"))).toEqual([]);
    expect(targets(router(''))).toEqual([['entry-1', 'https://a.example']]);
    // A stored filter that does not compile matches nothing (never widens a delivery).
    expect(targets(router('$.status'))).toEqual([]);
  });

  it("uses the entry's own URL over the root one, the root one for an entry without its own, and skips a target without any", () => {
    const entries = [{ destinationUrl: 'https://own.example' }, {}, { destinationUrl: '' }];
    expect(targets(buildRouter(config(entries), subs))).toEqual([
      ['entry-1', 'https://own.example'],
      ['entry-2', ROOT],
      ['entry-3', ROOT],
    ]);
    expect(targets(buildRouter(config(entries, {}, null), subs))).toEqual([['entry-1', 'https://own.example']]);
    // No entry of the type and no root URL: nothing.
    expect(targets(buildRouter(config([], {}, null), subs))).toEqual([]);
  });

  it("removes the entry's excludedFields when it is an array (even empty), otherwise the subscription's", () => {
    const subsExcluding = [subscribed('category.created', ['secret', 'internal'])];
    const router = buildRouter(
      config([
        { destinationUrl: 'https://own.example', excludedFields: ['name'] },
        { destinationUrl: 'https://empty.example', excludedFields: [] },
        { destinationUrl: 'https://null.example', excludedFields: null },
        { destinationUrl: 'https://absent.example' },
      ]),
      subsExcluding,
    );
    const bodies = Object.fromEntries(router(event()).map((d) => [d.url, JSON.parse(d.body)]));
    const data = event().data;
    expect(bodies).toEqual({
      'https://own.example': { id: 'cat-1', status: 'ACTIVE', secret: 's', internal: 'i' },
      'https://empty.example': data,
      'https://null.example': { id: 'cat-1', status: 'ACTIVE', name: { en: 'Shoes' } },
      'https://absent.example': { id: 'cat-1', status: 'ACTIVE', name: { en: 'Shoes' } },
    });
    // The root fallback uses the subscription's exclusions; only top-level fields are removed.
    const root = buildRouter(config([]), [subscribed('category.created', ['secret', 'en', 'name.en'])])(event());
    expect(JSON.parse(root[0].body)).toEqual({ id: 'cat-1', status: 'ACTIVE', name: { en: 'Shoes' }, internal: 'i' });
    // The event's data itself is left as it was.
    expect(Object.keys(data)).toEqual(['id', 'status', 'name', 'secret', 'internal']);
  });

  it('routes to every matching active entry of one type, in configuration order', () => {
    const router = buildRouter(
      config([
        { destinationUrl: 'https://crm.example', filter: "$[?(@.status == 'INACTIVE')]" },
        { destinationUrl: 'https://analytics.example' },
        { destinationUrl: 'https://off.example', active: false },
        { eventType: 'category.updated', destinationUrl: 'https://updates.example' },
        { destinationUrl: 'https://active-only.example', filter: "$[?(@.status == 'ACTIVE')]" },
      ]),
      subs,
    );
    expect(targets(router)).toEqual([
      ['entry-2', 'https://analytics.example'],
      ['entry-5', 'https://active-only.example'],
    ]);
    expect(targets(router, event({ data: { status: 'INACTIVE' } }))).toEqual([
      ['entry-1', 'https://crm.example'],
      ['entry-2', 'https://analytics.example'],
    ]);
  });

  it('keeps each event to its own type within one request', () => {
    const router = buildRouter(
      config([
        { eventType: 'category.created', destinationUrl: 'https://created.example' },
        { eventType: 'category.updated', destinationUrl: 'https://updated.example' },
      ]),
      [subscribed('category.created'), subscribed('category.updated')],
    );
    expect(targets(router, event({ type: 'category.updated' }))).toEqual([['entry-2', 'https://updated.example']]);
    expect(targets(router, event({ type: 'coupon.created' }))).toEqual([]);
  });
});
