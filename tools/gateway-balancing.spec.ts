import { HttpStub, RecordedRequest } from '@suite/testing';
import type { FastifyInstance } from 'fastify';
import { freePort } from './launcher';
import { startGateway, UpstreamPool } from './gateway';

// Several instances of one service behind the base URL (`npm start -- --replicas N`): stub
// instances that name themselves, so each answer shows which instance served it.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('gateway upstream selection over several instances of a service', () => {
  const stubs: HttpStub[] = [];
  let gateway: FastifyInstance | undefined;

  async function instance(name: string, delayMs: (req: RecordedRequest) => number = () => 0, ready = true): Promise<HttpStub> {
    const stub = await HttpStub.start((req) =>
      req.path === '/health/ready'
        ? { status: ready ? 200 : 503, json: { status: ready ? 'ok' : 'down' } }
        : { json: { served: name }, delayMs: delayMs(req) },
    );
    stubs.push(stub);
    return stub;
  }

  async function gatewayOver(coupon: string[], others?: string): Promise<string> {
    const fallback = others ?? coupon[0];
    const started = await startGateway({
      port: 0,
      host: '127.0.0.1',
      upstreams: { 'customer-segment': fallback, coupon, category: fallback, webhook: fallback },
      downMs: 60_000,
    });
    gateway = started.app;
    return started.url;
  }

  const served = async (url: string): Promise<string | number> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { served?: string };
    return res.status === 200 ? (body.served ?? res.status) : res.status;
  };

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    for (const s of stubs.splice(0)) await s.close();
  });

  it('alternates between idle instances', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const base = await gatewayOver([a.url, b.url]);
    const answers: Array<string | number> = [];
    for (let i = 0; i < 10; i++) answers.push(await served(`${base}/coupon/acme/coupons`));
    expect(answers.filter((x) => x === 'a')).toHaveLength(5);
    expect(answers.filter((x) => x === 'b')).toHaveLength(5);
    // The path reaches the instance unchanged.
    expect(a.requests.every((r) => r.path === '/coupon/acme/coupons')).toBe(true);
  });

  it('sends requests to the least busy instance while another one is still working', async () => {
    const a = await instance('a', (req) => (req.query.get('slow') ? 1500 : 0));
    const b = await instance('b');
    const base = await gatewayOver([a.url, b.url]);
    // The first request goes to a and keeps it busy.
    const slow = served(`${base}/coupon/acme/coupons?slow=1`);
    await sleep(100);
    const meanwhile: Array<string | number> = [];
    for (let i = 0; i < 6; i++) meanwhile.push(await served(`${base}/coupon/acme/coupons`));
    expect(meanwhile).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
    expect(await slow).toBe('a');
    // Once a is idle again, both take turns.
    const after = [await served(`${base}/coupon/acme/coupons`), await served(`${base}/coupon/acme/coupons`)];
    expect([...after].sort()).toEqual(['a', 'b']);
  });

  it('passes over an instance that is down once it failed a request; 503 only when none answers', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const b = await instance('b');
    const base = await gatewayOver([deadUrl, b.url], b.url);
    const answers: Array<string | number> = [];
    for (let i = 0; i < 10; i++) answers.push(await served(`${base}/coupon/acme/coupons`));
    // At most the one request that found the dead instance fails; every other goes to b.
    expect(answers.filter((x) => x === 503).length).toBeLessThanOrEqual(1);
    expect(answers.filter((x) => x === 'b').length).toBeGreaterThanOrEqual(9);

    await b.close();
    stubs.splice(stubs.indexOf(b), 1);
    const none = await fetch(`${base}/coupon/acme/coupons`);
    expect(none.status).toBe(503);
    expect(JSON.stringify(await none.json())).toContain('service_unavailable');
  });

  it('is ready when every service has at least one ready instance', async () => {
    const up = await instance('up');
    const down = await instance('down', () => 0, false);
    const base = await gatewayOver([down.url, up.url], up.url);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    // The probe marked the instance that is not ready: traffic goes to the ready one.
    for (let i = 0; i < 4; i++) expect(await served(`${base}/coupon/acme/coupons`)).toBe('up');
    await gateway?.close();
    const allDown = await gatewayOver([down.url], up.url);
    const res = await fetch(`${allDown}/health/ready`);
    expect(res.status).toBe(503);
    expect((await res.json()).message).toMatch(/coupon/);
  });
});

describe('UpstreamPool', () => {
  it('counts requests in flight and releases each once', () => {
    const pool = new UpstreamPool(['http://a', 'http://b']);
    const first = pool.acquire();
    const second = pool.acquire();
    expect([first.url, second.url]).toEqual(['http://a', 'http://b']);
    expect(pool.load()).toEqual([1, 1]);
    first.release();
    first.release();
    expect(pool.load()).toEqual([0, 1]);
    expect(pool.acquire().url).toBe('http://a');
  });

  it('uses an instance marked down only when all are down', () => {
    const pool = new UpstreamPool(['http://a', 'http://b'], 60_000);
    pool.markDown(0);
    expect([pool.acquire().url, pool.acquire().url, pool.acquire().url]).toEqual(['http://b', 'http://b', 'http://b']);
    pool.markDown(1);
    expect(pool.acquire().url).toBe('http://a');
  });
});
