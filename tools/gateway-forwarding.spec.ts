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
