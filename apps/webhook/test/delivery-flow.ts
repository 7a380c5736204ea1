import { randomUUID } from 'node:crypto';
import { buildEvent, EVENT_SOURCES, EVENT_TYPES } from '@suite/api-kit';
import { httpRequest, HttpStub, ServiceHarness, StubHandler, TestResponse } from '@suite/testing';
import { as, asService, MANAGE } from './support';

/** What the delivery specs configure: the root and the entries of the tenant's `http` config. */
export interface FlowEntry {
  eventType?: string;
  destinationUrl?: string;
  secretKey?: string;
  headers?: Record<string, { value: string }>;
  active?: boolean;
  filter?: string;
}

/** A receiver that remembers when each request arrived; its answer can be changed. */
export type Receiver = HttpStub & { times: number[] };

export async function startReceiver(handler: StubHandler = () => ({ status: 200 })): Promise<Receiver> {
  const stub = await HttpStub.start();
  const times: number[] = [];
  const receiver = Object.assign(stub, { times });
  const respond = stub.respond.bind(stub);
  // Every handler a spec sets also stamps the arrival time.
  receiver.respond = (h: StubHandler) =>
    respond((req) => {
      times.push(Date.now());
      return h(req);
    });
  receiver.respond(handler);
  return receiver;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 8000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * The whole way of an event through the app, as clients drive it: a manager configures targets
 * and subscribes (helper A's Config and Events APIs), the coupon service publishes (ingestion),
 * the log shows what happened (the delivery log).
 */
export class DeliveryFlow {
  constructor(readonly h: ServiceHarness) {}

  async manager(tenant: string): Promise<Record<string, string>> {
    return as(tenant, [MANAGE]);
  }

  /** Creates or replaces the tenant's `http` config; resolves the entries with their server-made ids, in order. */
  async configure(tenant: string, root: Omit<FlowEntry, 'eventType' | 'active' | 'filter'>, entries: FlowEntry[], active = true) {
    const headers = await this.manager(tenant);
    const configuration = { ...root, eventsConfiguration: entries.map((e) => ({ eventType: 'coupon.created', ...e })) };
    const existing = await httpRequest(`${this.h.url}/webhook/${tenant}/config/http`, 'GET', { headers });
    const body = { code: 'http', provider: 'HTTP', active, configuration };
    const r =
      existing.status === 200
        ? await httpRequest(`${this.h.url}/webhook/${tenant}/config/http`, 'PUT', {
            headers,
            body: {
              ...body,
              configuration: { ...configuration, eventsConfiguration: this.withIds(existing, configuration.eventsConfiguration) },
            },
          })
        : await httpRequest(`${this.h.url}/webhook/${tenant}/config`, 'POST', { headers, body });
    if (r.status >= 300) throw new Error(`config write failed: ${r.status} ${r.text}`);
    const read = await httpRequest(`${this.h.url}/webhook/${tenant}/config/http`, 'GET', { headers });
    return read.body.configuration.eventsConfiguration as Array<FlowEntry & { id: string }>;
  }

  /** A replace keeps the ids of the entries at the same positions (so pending deliveries stay theirs). */
  private withIds(existing: TestResponse, entries: FlowEntry[]) {
    const old = (existing.body.configuration?.eventsConfiguration ?? []) as Array<{ id: string }>;
    return entries.map((e, i) => (old[i] ? { ...e, id: old[i].id } : e));
  }

  async subscribe(tenant: string, eventTypes: string[] = ['coupon.created']): Promise<void> {
    const r = await httpRequest(`${this.h.url}/webhook/${tenant}/event-subscriptions`, 'PATCH', {
      headers: await this.manager(tenant),
      body: eventTypes.map((eventType) => ({ eventType, action: 'SUBSCRIBE' })),
    });
    if (r.status >= 300) throw new Error(`subscribe failed: ${r.status} ${r.text}`);
  }

  /** A `coupon.created` envelope as the coupon service's outbox holds it. */
  event(tenant: string, data: Record<string, unknown> = {}) {
    const code = `C${randomUUID().slice(0, 8).toUpperCase()}`;
    return buildEvent({
      source: EVENT_SOURCES.coupon,
      type: EVENT_TYPES.coupon.created,
      subject: code,
      tenant,
      entityVersion: 0,
      actor: { type: 'employee', id: 'u-1' },
      requestId: randomUUID(),
      time: new Date(),
      data: { code, name: 'Gr\u00fcn', discountType: 'PERCENT', ...data },
    });
  }

  /** Publishes events as the coupon service does; resolves the envelopes. */
  async publish(tenant: string, count = 1, data: Record<string, unknown> = {}, url = this.h.url) {
    const events = Array.from({ length: count }, () => this.event(tenant, data));
    const r = await httpRequest(`${url}/webhook/${tenant}/events`, 'POST', { headers: await asService(tenant, 'coupon'), body: events });
    if (r.status !== 200 || r.body.rejected.length) throw new Error(`publish failed: ${r.status} ${r.text}`);
    return events;
  }

  async list(tenant: string, query = '', headers?: Record<string, string>): Promise<TestResponse> {
    return httpRequest(`${this.h.url}/webhook/${tenant}/deliveries${query}`, 'GET', { headers: headers ?? (await this.manager(tenant)) });
  }

  /** The deliveries of an event, once they are all in `state`. */
  async settled(tenant: string, eventId: string, state: string, count = 1): Promise<any[]> {
    return waitFor(`${count} ${state} deliveries of ${eventId}`, async () => {
      const r = await this.list(tenant, `?eventId=${eventId}`);
      const items = r.body as any[];
      return items.length === count && items.every((d) => d.state === state) ? items : undefined;
    });
  }

  async delivery(tenant: string, id: string): Promise<TestResponse> {
    return httpRequest(`${this.h.url}/webhook/${tenant}/deliveries/${id}`, 'GET', { headers: await this.manager(tenant) });
  }

  async replay(tenant: string, id: string, headers?: Record<string, string>): Promise<TestResponse> {
    return httpRequest(`${this.h.url}/webhook/${tenant}/deliveries/${id}/replay`, 'POST', {
      headers: headers ?? (await this.manager(tenant)),
    });
  }
}
