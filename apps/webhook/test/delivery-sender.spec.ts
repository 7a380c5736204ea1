import { createHmac } from 'node:crypto';
import { HttpStub } from '@suite/testing';
import { DestinationPolicy, parseAllowedDestinations } from '../src/common/destination-policy';
import type { WebhookConfig } from '../src/configs/webhook-config.types';
import { deliveryHeaders, signBody } from '../src/delivery/delivery-request';
import { DeliverySender } from '../src/delivery/delivery-sender';
import { resolveTarget } from '../src/delivery/delivery-target';
import type { Delivery } from '../src/delivery/delivery.types';

const policy = (allowed: string): DestinationPolicy => {
  const problems: string[] = [];
  const p = { requireHttps: false, ...parseAllowedDestinations(allowed, problems) };
  expect(problems).toEqual([]);
  return p;
};

const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  id: 'a'.repeat(32),
  eventId: '0a4cbe7a-8d1b-4a53-9d4e-6f0e1f7a3c21',
  eventType: 'category.updated',
  entryId: 'e1',
  url: 'http://127.0.0.1:9/hook',
  body: '{"id":"c1","name":"Gr\u00fcn \u2713"}',
  eventTime: '2024-06-01T08:30:00.000Z',
  destinationKey: 'acme|x',
  state: 'PENDING',
  attemptCount: 0,
  nextAttemptAt: new Date(),
  attempts: [],
  createdAt: new Date(),
  completedAt: null,
  ...over,
});

const config = (over: Partial<WebhookConfig['configuration']> = {}, active = true): WebhookConfig => ({
  code: 'http',
  provider: 'HTTP',
  active,
  configuration: { eventsConfiguration: [], ...over },
  metadata: { version: 1, createdAt: new Date(), modifiedAt: new Date() },
});

describe('delivery requests: target, headers and signature', () => {
  it('signs the raw UTF-8 body with HMAC-SHA256 and base64, as a receiver recomputes it', () => {
    const body = '{"name":"Gr\u00fcn \u2713"}';
    const expected = createHmac('sha256', 'k\u00e9y').update(Buffer.from(body, 'utf8')).digest('base64');
    expect(signBody('k\u00e9y', body)).toBe(expected);
    expect(signBody('other', body)).not.toBe(expected);
  });

  it('resolves the entry over the root: URL, secret and headers merged case-insensitively, the entry winning', () => {
    const c = config({
      destinationUrl: 'https://root.example/hook',
      secretKey: 'root-secret',
      headers: { 'X-Api-Key': { value: 'root' }, 'X-Root-Only': { value: 'r' } },
      eventsConfiguration: [
        { id: 'e1', eventType: 'category.updated', headers: { 'x-api-key': { value: 'entry' } }, active: true },
        { id: 'e2', eventType: 'category.updated', destinationUrl: 'https://two.example/', secretKey: 's2', active: true },
        { id: 'e3', eventType: 'category.updated', active: false },
      ],
    });
    expect(resolveTarget(c, 'e1')).toEqual({
      target: { url: 'https://root.example/hook', secretKey: 'root-secret', headers: { 'X-Root-Only': 'r', 'x-api-key': 'entry' } },
    });
    expect(resolveTarget(c, 'e2')).toMatchObject({ target: { url: 'https://two.example/', secretKey: 's2' } });
    expect(resolveTarget(c, null)).toMatchObject({ target: { url: 'https://root.example/hook', secretKey: 'root-secret' } });
    expect(resolveTarget(c, 'e3')).toEqual({ cancel: 'the eventsConfiguration entry e3 is inactive' });
    expect(resolveTarget(c, 'gone')).toEqual({ cancel: 'the eventsConfiguration entry gone does not exist any more' });
    expect(resolveTarget(null, 'e1')).toEqual({ cancel: 'the tenant has no http webhook config any more' });
    expect(resolveTarget({ ...c, active: false }, 'e1')).toEqual({ cancel: 'the webhook config is inactive' });
    expect(resolveTarget(config({ eventsConfiguration: [{ id: 'e1', eventType: 't', active: true }] }), 'e1')).toHaveProperty('cancel');
  });

  it('sends the protocol headers, which configured headers can neither replace nor forge', () => {
    const d = delivery();
    const at = new Date('2024-06-01T08:30:01.250Z');
    const headers = deliveryHeaders(
      d,
      {
        url: d.url,
        secretKey: 's',
        headers: {
          'X-Api-Key': 'k',
          'Emporix-Event-Signature': 'forged',
          'CE-ID': 'forged',
          // Names of the delivery's header families, from a config stored before they were refused.
          'ce-source': '/forged',
          'X-Delivery-Trace': 'forged',
          Host: 'evil',
          'bad header': 'x',
          'X-Crlf': 'a\r\nb',
        },
      },
      at,
      3,
    );
    expect(headers).toEqual({
      'X-Api-Key': 'k',
      'user-agent': 'commerce-suite-webhook/1.0',
      'content-type': 'application/json',
      'emporix-event-publish-time': '2024-06-01T08:30:01.250Z',
      'ce-id': d.eventId,
      'ce-type': 'category.updated',
      'ce-specversion': '1.0',
      'ce-time': d.eventTime,
      'x-delivery-id': d.id,
      'x-delivery-attempt': '3',
      'emporix-event-signature': signBody('s', d.body),
    });
    expect(deliveryHeaders(d, { url: d.url, headers: {} }, at, 1)).not.toHaveProperty('emporix-event-signature');
  });
});

describe('DeliverySender', () => {
  let receiver: HttpStub;
  beforeAll(async () => {
    receiver = await HttpStub.start(() => ({ status: 204 }));
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  const port = () => new URL(receiver.url).port;

  it('posts the exact body with the given headers and reports a 2xx', async () => {
    const sender = new DeliverySender(2000, policy('loopback'));
    try {
      const body = '{"a":"\u00e4"}';
      const r = await sender.send({ url: `${receiver.url}/in?x=1`, body, headers: { 'content-type': 'application/json', 'x-k': 'v' } });
      expect(r).toMatchObject({ outcome: 'success', statusCode: 204 });
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/in', body });
      expect(receiver.requests[0].query.get('x')).toBe('1');
      expect(receiver.requests[0].headers['x-k']).toBe('v');
    } finally {
      await sender.close();
    }
  });

  it('never follows a redirect, and keeps a short excerpt of a failed answer', async () => {
    const sender = new DeliverySender(2000, policy('loopback'));
    try {
      receiver.respond((req) =>
        req.path === '/moved'
          ? { status: 307, headers: { location: `${receiver.url}/target` } }
          : { status: 500, raw: `boom ${'x'.repeat(5000)}` },
      );
      const moved = await sender.send({ url: `${receiver.url}/moved`, body: '{}', headers: {} });
      expect(moved).toMatchObject({ outcome: 'status', statusCode: 307 });
      expect(moved.error).toContain('redirect not followed');
      expect(receiver.requests.map((r) => r.path)).toEqual(['/moved']);
      const failed = await sender.send({ url: `${receiver.url}/fail`, body: '{}', headers: {} });
      expect(failed).toMatchObject({ outcome: 'status', statusCode: 500, error: 'answered 500' });
      expect(failed.responseExcerpt?.startsWith('boom xxx')).toBe(true);
      expect(failed.responseExcerpt?.length).toBe(200);
    } finally {
      receiver.respond(() => ({ status: 204 }));
      await sender.close();
    }
  });

  it('times the whole request out', async () => {
    const sender = new DeliverySender(200, policy('loopback'));
    try {
      receiver.respond(() => ({ hang: true }));
      const started = Date.now();
      const r = await sender.send({ url: receiver.url, body: '{}', headers: {} });
      expect(r).toMatchObject({ outcome: 'timeout', error: 'no complete answer within 200 ms' });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      receiver.respond(() => ({ status: 204 }));
      await sender.close();
    }
  });

  it('reports a refused connection', async () => {
    const closed = await HttpStub.start();
    const url = closed.url;
    await closed.close();
    const sender = new DeliverySender(2000, policy('loopback'));
    try {
      const r = await sender.send({ url, body: '{}', headers: {} });
      expect(r.outcome).toBe('network');
      expect(r.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+$/);
    } finally {
      await sender.close();
    }
  });

  it('refuses internal destinations: a literal address before connecting, a host name by the address it resolves to now', async () => {
    // DNS rebinding: the name passed the check when the config was written; now it resolves to loopback.
    const lookups: string[] = [];
    const rebinding = async (host: string) => {
      lookups.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const strict = new DeliverySender(2000, policy(''), rebinding);
    try {
      const literal = await strict.send({ url: `${receiver.url}/x`, body: '{}', headers: {} });
      expect(literal.outcome).toBe('refused');
      expect(literal.error).toContain('loopback');
      expect(lookups).toEqual([]);
      const named = await strict.send({ url: `http://hooks.rebind.test:${port()}/x`, body: '{}', headers: {} });
      expect(named.outcome).toBe('refused');
      expect(named.error).toBe('destination refused: hooks.rebind.test resolves to 127.0.0.1 (127.0.0.1 is a loopback address)');
      expect(lookups).toEqual(['hooks.rebind.test']);
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await strict.close();
    }
    // The same resolver under a policy that opens the address: the connection goes to the address
    // the resolver gave, so the guarded resolver is the one the client connects with.
    const open = new DeliverySender(2000, policy('127.0.0.1'), rebinding);
    try {
      const r = await open.send({ url: `http://hooks.rebind.test:${port()}/x`, body: '{}', headers: {} });
      expect(r).toMatchObject({ outcome: 'success', statusCode: 204 });
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0].headers.host).toBe(`hooks.rebind.test:${port()}`);
    } finally {
      await open.close();
    }
  });
});
