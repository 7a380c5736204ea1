import { HttpStub } from '@suite/testing';
import type { FastifyInstance } from 'fastify';
import { startGateway } from './gateway';

// The client address the apps' guessing throttle keys on (TRUST_PROXY): the gateway forwards its
// own view of the client in X-Forwarded-For, never the value a client sent.
describe('gateway: the client address it forwards', () => {
  let upstream: HttpStub;
  const gateways: FastifyInstance[] = [];

  beforeAll(async () => {
    upstream = await HttpStub.start(() => ({ json: { ok: true } }));
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await upstream.close();
  });

  async function gateway(trustProxy?: string[]): Promise<string> {
    const u = upstream.url;
    const started = await startGateway({
      port: 0,
      host: '127.0.0.1',
      upstreams: { 'customer-segment': u, coupon: u, category: u, webhook: u },
      trustProxy,
    });
    gateways.push(started.app);
    return started.url;
  }

  const forwardedFor = async (base: string, headers: Record<string, string>): Promise<string | string[] | undefined> => {
    upstream.reset();
    const res = await fetch(`${base}/coupon/acme/coupons/X/validation`, { headers });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    return upstream.requests[0].headers['x-forwarded-for'];
  };

  it('replaces a client-sent X-Forwarded-For with the socket peer (the gateway is the edge by default)', async () => {
    const base = await gateway();
    expect(await forwardedFor(base, {})).toBe('127.0.0.1');
    expect(await forwardedFor(base, { 'x-forwarded-for': '6.6.6.6' })).toBe('127.0.0.1');
    expect(await forwardedFor(base, { 'x-forwarded-for': '6.6.6.6, 7.7.7.7' })).toBe('127.0.0.1');
  });

  it('believes a trusted load balancer in front of it, and forwards the one client address it reports', async () => {
    const base = await gateway(['loopback']);
    expect(await forwardedFor(base, { 'x-forwarded-for': '6.6.6.6' })).toBe('6.6.6.6');
    // Only the last hop a trusted proxy added counts: what the client wrote before it is not believed.
    expect(await forwardedFor(base, { 'x-forwarded-for': '1.2.3.4, 6.6.6.6' })).toBe('6.6.6.6');
  });
});

// A client that goes away during its request must cost the gateway nothing but that request: the
// body stream handed to undici then fails, whether undici is still reading it or done with it, and
// nothing may leave that failure unhandled (it once took the whole gateway down).
describe('gateway: clients that abort their request', () => {
  it('keeps serving after clients drop their connection during the body or while the app answers', async () => {
    const upstream = await HttpStub.start(() => ({ json: { ok: true }, delayMs: 30 }));
    const started = await startGateway({
      port: 0,
      host: '127.0.0.1',
      upstreams: { 'customer-segment': upstream.url, coupon: upstream.url, category: upstream.url, webhook: upstream.url },
    });
    try {
      const port = Number(new URL(started.url).port);
      const net = await import('node:net');
      const abort = (head: string, body: string, afterMs: number) =>
        new Promise<void>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.write(head + body);
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, afterMs);
          });
          socket.on('error', () => resolve());
        });
      const head = (length: number) =>
        `POST /coupon/acme/coupons HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
      for (let i = 0; i < 20; i++) {
        // Halfway through the body.
        await abort(head(100_000), `{"a":"${'x'.repeat(1000 + i * 100)}`, i % 5);
        // The whole body sent, gone while the app is still answering.
        await abort(head(9), '{"a":"b"}', 5 + (i % 10));
      }
      // Every connection to the app busy (undici's pool holds 128): a request waits in the queue,
      // its body not read yet, when its client goes away.
      upstream.respond((req) => (req.path.endsWith('/busy') ? { json: { ok: true }, delayMs: 1500 } : { json: { ok: true } }));
      const busy = Array.from({ length: 128 }, () => fetch(`${started.url}/coupon/acme/busy`).then((r) => r.arrayBuffer()));
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 5; i++) await abort(head(100_000), '{"a":"queued', 20);
      await Promise.all(busy);
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${started.url}/coupon/acme/coupons`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
    } finally {
      await started.app.close();
      await upstream.close();
    }
  });
});
