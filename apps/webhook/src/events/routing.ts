import { compileFilter, PayloadFilter } from '../common/json-path-filter';
import type { EventsConfigurationEntry, WebhookConfig } from '../configs/webhook-config.types';
import type { NewDelivery } from '../delivery/delivery.types';
import type { EventSubscription } from '../subscriptions/subscription.types';

/** What routing reads of an event: its identity, its type and time, and the payload it delivers. */
export interface RoutableEvent {
  id: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

/** Routes one event to its delivery targets (README "Routing"); never throws. */
export type EventRouter = (event: RoutableEvent) => NewDelivery[];

interface Target {
  entry: EventsConfigurationEntry;
  /** Undefined when the entry has no filter: every event of the type matches. */
  matches?: PayloadFilter;
}

/**
 * Builds the router of one ingestion request from the tenant's stored config and subscriptions,
 * read once per request. The rules, in order (README "Routing"):
 *
 * 1. no `http` config, or an inactive one: nothing;
 * 2. a type the tenant has not `SUBSCRIBED` to: nothing;
 * 3. no `eventsConfiguration` entry for the type at all (active or not): the root `destinationUrl`,
 *    if set, receives it (`entryId` null);
 * 4. otherwise every entry of the type (case-insensitively) that is `active` (an inactive one is
 *    dropped without evaluating its filter) and whose `filter` matches `data`; an entry without its
 *    own `destinationUrl` uses the root one, and a target left without any URL is skipped;
 * 5. the body is `data` without the top-level `excludedFields`: the entry's when it is an array
 *    (even empty), otherwise the subscription's.
 *
 * A stored filter that does not compile (config writes refuse them, so only data written around
 * the API) matches nothing: an unreadable condition never widens a delivery.
 */
export function buildRouter(config: WebhookConfig | null, subscriptions: readonly EventSubscription[]): EventRouter {
  if (!config || !config.active) return () => [];
  const subscribed = new Map<string, EventSubscription>();
  for (const s of subscriptions) if (s.subscription === 'SUBSCRIBED') subscribed.set(s.eventType.toLowerCase(), s);
  const rootUrl = config.configuration.destinationUrl || undefined;
  const byType = new Map<string, Target[]>();
  for (const entry of config.configuration.eventsConfiguration ?? []) {
    const key = entry.eventType.toLowerCase();
    const list = byType.get(key) ?? [];
    list.push({ entry, matches: entry.active ? compiled(entry.filter) : undefined });
    byType.set(key, list);
  }

  return (event) => {
    const type = event.type.toLowerCase();
    const subscription = subscribed.get(type);
    if (!subscription) return [];
    const targets = byType.get(type);
    const delivery = (entryId: string | null, url: string, excluded: readonly string[]): NewDelivery => ({
      eventId: event.id,
      eventType: event.type,
      entryId,
      url,
      body: JSON.stringify(without(event.data, excluded)),
      eventTime: event.time,
    });
    if (!targets) return rootUrl ? [delivery(null, rootUrl, subscription.excludedFields)] : [];
    const out: NewDelivery[] = [];
    for (const { entry, matches } of targets) {
      if (!entry.active) continue;
      if (matches && !matches(event.data)) continue;
      const url = entry.destinationUrl || rootUrl;
      if (!url) continue;
      out.push(delivery(entry.id, url, Array.isArray(entry.excludedFields) ? entry.excludedFields : subscription.excludedFields));
    }
    return out;
  };
}

/** The entry's filter; an empty or absent one matches every event, an uncompilable one none. */
function compiled(filter: string | undefined): PayloadFilter | undefined {
  if (filter === undefined || filter === null || filter.trim() === '') return undefined;
  try {
    return compileFilter(filter);
  } catch {
    return () => false;
  }
}

/** `data` without the given top-level fields (a shallow copy; the event itself is left as it is). */
function without(data: Record<string, unknown>, excluded: readonly string[]): Record<string, unknown> {
  if (!excluded.length) return data;
  const drop = new Set(excluded);
  return Object.fromEntries(Object.entries(data).filter(([key]) => !drop.has(key)));
}
