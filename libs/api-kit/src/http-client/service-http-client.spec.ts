import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createNetServer, Server as NetServer, Socket } from 'node:net';
import { ApiError } from '../errors';
import { StructuredLogger } from './logger';
import { PeerCallError, PeerRequest, ServiceHttpClient, ServiceHttpClientOptions } from './service-http-client';

// Real local HTTP servers on port 0; timeouts, delays and the breaker window are shortened so the
// whole file stays fast, while the rules (counts, ordering, mapping) are the production ones.

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

class StubServer {
  readonly seen: Seen[] = [];
  handler: Handler = (_req, res) => json(res, 200, []);
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        this.handler(req, res, this.seen.length);
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get hits(): number {
    return this.seen.length;
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

function captureLogger(): StructuredLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

const SERVICE = 'customer-segment';
const TENANT = 'acme';

function tokenFor(tenant: string, scopes: string[]): string {
  return `svc.${tenant}.${[...scopes].sort().join('+') || 'none'}`;
}

const tokenCalls: { tenant: string; scopes: string[] }[] = [];
const tokenProvider = async (tenant: string, scopes: string[]): Promise<string> => {
  tokenCalls.push({ tenant, scopes });
  return tokenFor(tenant, scopes);
};

const clients: ServiceHttpClient[] = [];
function makeClient(baseUrl: string, over: Partial<ServiceHttpClientOptions> = {}): ServiceHttpClient {
  const client = new ServiceHttpClient({
    service: SERVICE,
    baseUrl,
    tokenProvider,
    timeouts: { connectMs: 300, attemptMs: 200, deadlineMs: 1500 },
    retry: { baseDelaysMs: [20, 60] },
    breaker: { openMs: 300 },
    ...over,
  });
  clients.push(client);
  return client;
}

function get(over: Partial<PeerRequest> = {}): PeerRequest {
  return {
    tenant: TENANT,
    method: 'GET',
    path: `/${SERVICE}/${TENANT}/segments`,
    pathTemplate: `/${SERVICE}/{tenant}/segments`,
    scopes: ['customersegment.segment_read'],
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

function expectUnavailable(e: ApiError, kind?: string): void {
  expect(e.httpStatus).toBe(503);
  expect(e.errorCode).toBe('upstream_unavailable');
  expect(e.details).toEqual([{ field: SERVICE, type: 'upstream_unavailable', message: expect.any(String) }]);
  if (kind) expect((e.cause as PeerCallError).kind).toBe(kind);
}

let stub: StubServer;
let baseUrl: string;

beforeEach(async () => {
  stub = new StubServer();
  baseUrl = await stub.start();
  tokenCalls.length = 0;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stub.stop();
});

describe('ServiceHttpClient: successful calls and what is sent', () => {
  it('returns the parsed 2xx body and sends the service token for the tenant and scopes', async () => {
    stub.handler = (_req, res) => json(res, 200, [{ id: 's1' }, { id: 's2' }]);
    const client = makeClient(baseUrl);
    const res = await client.request<{ id: string }[]>(get());
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: 's1' }, { id: 's2' }]);
    expect(res.headers['content-type']).toBe('application/json');
    expect(tokenCalls).toEqual([{ tenant: TENANT, scopes: ['customersegment.segment_read'] }]);
    expect(stub.seen[0].headers.authorization).toBe(`Bearer ${tokenFor(TENANT, ['customersegment.segment_read'])}`);
    expect(stub.seen[0].url).toBe('/customer-segment/acme/segments');
  });

  it('asks for a token without scopes when the endpoint needs none', async () => {
    const client = makeClient(baseUrl);
    await client.request(get({ scopes: [] }));
    expect(tokenCalls).toEqual([{ tenant: TENANT, scopes: [] }]);
    expect(stub.seen[0].headers.authorization).toBe('Bearer svc.acme.none');
  });

  it('forwards only X-Request-Id, traceparent and Accept-Language, never user credentials or proxy headers', async () => {
    const client = makeClient(baseUrl);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await client.request(
      get({
        headers: {
          'X-Request-Id': 'req-123',
          traceparent,
          'accept-language': '*',
          authorization: 'Bearer USER-TOKEN',
          cookie: 'session=abc',
          'x-forwarded-for': '10.0.0.1',
          'X-Forwarded-Host': 'evil.example',
          legalEntityId: 'LE-9',
          'x-custom': 'nope',
        },
      }),
    );
    const h = stub.seen[0].headers;
    expect(h['x-request-id']).toBe('req-123');
    expect(h.traceparent).toBe(traceparent);
    expect(h['accept-language']).toBe('*');
    expect(h.authorization).toBe(`Bearer ${tokenFor(TENANT, ['customersegment.segment_read'])}`);
    expect(h.cookie).toBeUndefined();
    expect(h['x-forwarded-for']).toBeUndefined();
    expect(h['x-forwarded-host']).toBeUndefined();
    expect(h.legalentityid).toBeUndefined();
    expect(h['x-custom']).toBeUndefined();
  });

  it('drops malformed forwarded values instead of sending them', async () => {
    const client = makeClient(baseUrl);
    await client.request(get({ headers: { 'x-request-id': 'bad id with spaces', traceparent: 'garbage' } }));
    expect(stub.seen[0].headers['x-request-id']).toBeUndefined();
    expect(stub.seen[0].headers.traceparent).toBeUndefined();
  });

  it('encodes the query so q survives form decoding (Q-8), and skips undefined parameters', async () => {
    const client = makeClient(baseUrl);
    const q = 'type:CATEGORY segmentId:("a+b","c\\"d",e&f=#%)';
    await client.request(get({ query: { q, pageSize: 1000, pageNumber: 2, onlyActive: undefined } }));
    const url = new URL(stub.seen[0].url, 'http://x');
    expect(url.searchParams.get('q')).toBe(q);
    expect(url.searchParams.get('pageSize')).toBe('1000');
    expect(url.searchParams.get('pageNumber')).toBe('2');
    expect(url.searchParams.has('onlyActive')).toBe(false);
  });

  it('sends a JSON body with its content type', async () => {
    const client = makeClient(baseUrl, { service: 'category' });
    stub.handler = (_req, res) => json(res, 200, [{ id: 'root' }]);
    const res = await client.request({
      tenant: TENANT,
      method: 'POST',
      path: '/category/acme/category-trees/search',
      pathTemplate: '/category/{tenant}/category-trees/search',
      body: { categoryIds: ['c1'] },
      scopes: [],
      idempotent: true,
    });
    expect(res.body).toEqual([{ id: 'root' }]);
    expect(stub.seen[0].method).toBe('POST');
    expect(stub.seen[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(stub.seen[0].body)).toEqual({ categoryIds: ['c1'] });
  });

  it('returns an empty body as undefined (204)', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const res = await makeClient(baseUrl).request(get({ method: 'DELETE' }));
    expect(res).toMatchObject({ status: 204, body: undefined });
  });

  it('returns a 404 when the call expects one, without retrying or parsing it', async () => {
    stub.handler = (_req, res) => json(res, 404, { code: 404 });
    const res = await makeClient(baseUrl).request(get({ expect404: true }));
    expect(res).toMatchObject({ status: 404, body: undefined });
    expect(stub.hits).toBe(1);
  });

  it('sends If-None-Match when the call names an earlier answer, and takes 304 (GET) or 412 (POST) as "unchanged"', async () => {
    stub.handler = (req, res) => {
      if (req.headers['if-none-match'] === 'W/"v1"') {
        res.writeHead(req.method === 'GET' ? 304 : 412, { etag: 'W/"v1"', 'content-type': 'application/json' });
        res.end(req.method === 'GET' ? undefined : '{"code":412}');
      } else json(res, 200, ['fresh']);
    };
    const client = makeClient(baseUrl);
    expect(await client.request(get({ ifNoneMatch: 'W/"v1"' }))).toMatchObject({ status: 304, body: undefined, unchanged: true });
    expect(stub.seen[0].headers['if-none-match']).toBe('W/"v1"');
    const search = { method: 'POST' as const, body: { ids: ['a'] }, idempotent: true };
    expect(await client.request(get({ ...search, ifNoneMatch: 'W/"v1"' }))).toMatchObject({
      status: 412,
      body: undefined,
      unchanged: true,
    });
    expect(await client.request(get({ ifNoneMatch: '"other"' }))).toMatchObject({ status: 200, body: ['fresh'] });
    expect((await client.request(get({ ifNoneMatch: '"other"' }))).unchanged).toBeUndefined();
    // Without the condition they are no answer the caller can use: a 304 is a 503 (S2S-10), a 412 a
    // 4xx to a request of ours, our own bug (500), as any other unexpected 4xx.
    stub.handler = (req, res) => {
      res.writeHead(req.method === 'GET' ? 304 : 412);
      res.end();
    };
    await expect(client.request(get())).rejects.toMatchObject({ errorCode: 'upstream_unavailable' });
    await expect(client.request(get(search))).rejects.toMatchObject({ errorCode: 'internal_error' });
    // A malformed tag (it came from the peer) is not sent back: the call goes unconditional.
    stub.handler = (_req, res) => json(res, 200, ['fresh']);
    const seen = stub.seen.length;
    expect(await client.request(get({ ifNoneMatch: 'v1\r\nx: y' }))).toMatchObject({ status: 200, body: ['fresh'] });
    expect(stub.seen[seen].headers['if-none-match']).toBeUndefined();
  });

  it('logs one line per attempt without the token or the body', async () => {
    stub.handler = (_req, res, hit) => (hit === 1 ? json(res, 503, { secret: 'BODY-SECRET' }) : json(res, 200, ['BODY-SECRET']));
    const logger = captureLogger();
    await makeClient(baseUrl, { logger }).request(get({ headers: { 'x-request-id': 'r-1' } }));
    const attempts = logger.lines.filter((l) => l.msg.startsWith('peer call'));
    expect(attempts.map((l) => [l.level, l.obj.attempt, l.obj.status])).toEqual([
      ['warn', 1, 503],
      ['info', 2, 200],
    ]);
    expect(attempts[1].obj).toMatchObject({
      upstream: SERVICE,
      method: 'GET',
      path: '/customer-segment/{tenant}/segments',
      tenant: TENANT,
      reqId: 'r-1',
      latencyMs: expect.any(Number),
    });
    const text = JSON.stringify(logger.lines);
    expect(text).not.toContain('svc.acme');
    expect(text).not.toContain('Bearer');
    expect(text).not.toContain('BODY-SECRET');
  });
});

describe('ServiceHttpClient: refusing calls it must not make (S2S-1, S2S-2)', () => {
  const bad: [string, Partial<PeerRequest>][] = [
    ['another service', { path: '/coupon/acme/coupons' }],
    ['another tenant in the path', { path: '/customer-segment/other/segments' }],
    ['the tenant only as a prefix', { path: '/customer-segment/acmex/segments' }],
    ['an absolute URL', { path: 'http://evil.example/customer-segment/acme/segments' }],
    ['a network-path reference', { path: '//evil.example/customer-segment/acme/segments' }],
    ['a dot-dot segment', { path: '/customer-segment/acme/../../coupon/acme/coupons' }],
    ['an encoded dot-dot segment', { path: '/customer-segment/acme/%2e%2e/x' }],
    ['an empty segment', { path: '/customer-segment/acme//segments' }],
    ['a query in the path', { path: '/customer-segment/acme/segments?q=x' }],
    ['a space', { path: '/customer-segment/acme/seg ments' }],
    ['a CRLF', { path: '/customer-segment/acme/x\r\nHost: evil' }],
    ['an invalid tenant', { tenant: 'ACME', path: '/customer-segment/ACME/segments' }],
    ['a body on GET', { body: { a: 1 } }],
    ['an unknown method', { method: 'TRACE' as PeerRequest['method'] }],
  ];
  it.each(bad)('refuses %s with 500 internal_error and never asks for a token or touches the server', async (_n, over) => {
    const logger = captureLogger();
    const e = await failure(makeClient(baseUrl, { logger }).request(get(over)));
    expect(e.errorCode).toBe('internal_error');
    expect((e.cause as PeerCallError).kind).toBe('refused');
    expect(tokenCalls).toHaveLength(0);
    expect(stub.hits).toBe(0);
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('rejects a base URL that is not a bare origin', () => {
    for (const baseUrl of ['ftp://x', 'http://u:p@host', 'http://host/prefix', 'http://host?x=1', 'not a url']) {
      expect(() => new ServiceHttpClient({ service: SERVICE, baseUrl, tokenProvider })).toThrow(TypeError);
    }
  });

  it('lets a call site only tighten the retry and deadline policy', async () => {
    const client = makeClient(baseUrl);
    await expect(client.request(get({ maxRetries: 3 }))).rejects.toThrow(RangeError);
    await expect(client.request(get({ timeouts: { deadlineMs: 5000 } }))).rejects.toThrow(RangeError);
    await expect(client.request(get({ timeouts: { attemptMs: 10_001 } }))).rejects.toThrow(RangeError);
    expect(stub.hits).toBe(0);
  });
});

describe('ServiceHttpClient: retries (S2S-7)', () => {
  it('makes exactly 3 attempts for an idempotent GET that keeps answering 503', async () => {
    stub.handler = (_req, res) => json(res, 503, {});
    const e = await failure(makeClient(baseUrl).request(get()));
    expectUnavailable(e, 'status');
    expect(stub.hits).toBe(3);
    expect((e.cause as PeerCallError).attempts).toBe(3);
  });

  it.each([502, 504, 429])('retries %i and succeeds when the upstream recovers', async (status) => {
    stub.handler = (_req, res, hit) => (hit === 1 ? json(res, status, {}) : json(res, 200, [1]));
    const res = await makeClient(baseUrl).request(get());
    expect(res.body).toEqual([1]);
    expect(stub.hits).toBe(2);
  });

  it('never retries a 500', async () => {
    stub.handler = (_req, res) => json(res, 500, {});
    expectUnavailable(await failure(makeClient(baseUrl).request(get())), 'status');
    expect(stub.hits).toBe(1);
  });

  it('never retries a non-idempotent POST, even on 503', async () => {
    stub.handler = (_req, res) => json(res, 503, {});
    const e = await failure(makeClient(baseUrl).request(get({ method: 'POST', body: { x: 1 } })));
    expectUnavailable(e);
    expect(stub.hits).toBe(1);
  });

  it('retries a POST marked idempotent, but never a PATCH whatever it is marked', async () => {
    stub.handler = (_req, res) => json(res, 503, {});
    const client = makeClient(baseUrl);
    await failure(client.request(get({ method: 'POST', body: {}, idempotent: true })));
    expect(stub.hits).toBe(3);
    await failure(client.request(get({ method: 'PATCH', body: {}, idempotent: true })));
    expect(stub.hits).toBe(4);
  });

  it('honours a per-call lower retry count (coupon: at most one retry)', async () => {
    stub.handler = (_req, res) => json(res, 503, {});
    await failure(makeClient(baseUrl).request(get({ maxRetries: 1 })));
    expect(stub.hits).toBe(2);
  });

  it('waits for a Retry-After up to 2 s before retrying', async () => {
    const at: number[] = [];
    stub.handler = (_req, res, hit) => {
      at.push(Date.now());
      if (hit === 1) json(res, 429, {}, { 'retry-after': '1' });
      else json(res, 200, []);
    };
    const client = makeClient(baseUrl, { timeouts: { attemptMs: 200, deadlineMs: 3000, connectMs: 300 } });
    await client.request(get());
    expect(stub.hits).toBe(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(950);
  });

  it('stops retrying when Retry-After is longer than 2 s', async () => {
    stub.handler = (_req, res) => json(res, 503, {}, { 'retry-after': '3' });
    const started = Date.now();
    expectUnavailable(await failure(makeClient(baseUrl).request(get())), 'status');
    expect(stub.hits).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('spaces retries by the jittered backoff', async () => {
    const at: number[] = [];
    stub.handler = (_req, res) => {
      at.push(Date.now());
      json(res, 502, {});
    };
    const client = makeClient(baseUrl, { retry: { baseDelaysMs: [100, 400], random: () => 0 } }); // lowest jitter: 80 / 320 ms
    await failure(client.request(get()));
    expect(at).toHaveLength(3);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(75);
    expect(at[1] - at[0]).toBeLessThan(300);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(310);
  });
});

describe('ServiceHttpClient: slow, silent, absent and broken upstreams', () => {
  it('times out a slow answer per attempt, retries a GET, and stays within the deadline', async () => {
    stub.handler = (_req, res) => setTimeout(() => json(res, 200, []), 600);
    const started = Date.now();
    const e = await failure(makeClient(baseUrl).request(get()));
    const elapsed = Date.now() - started;
    expectUnavailable(e, 'timeout');
    expect(stub.hits).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(3 * 190);
    expect(elapsed).toBeLessThan(1500);
  });

  it('does not retry a timed-out non-idempotent POST', async () => {
    stub.handler = (_req, res) => setTimeout(() => json(res, 200, []), 600);
    expectUnavailable(await failure(makeClient(baseUrl).request(get({ method: 'POST', body: {} }))), 'timeout');
    expect(stub.hits).toBe(1);
  });

  it('never goes beyond the overall deadline', async () => {
    stub.handler = (_req, res) => setTimeout(() => json(res, 200, []), 2000);
    const client = makeClient(baseUrl, { timeouts: { connectMs: 300, attemptMs: 400, deadlineMs: 600 } });
    const started = Date.now();
    expectUnavailable(await failure(client.request(get())), 'timeout');
    expect(Date.now() - started).toBeLessThan(750);
    expect(stub.hits).toBeLessThanOrEqual(2);
  });

  it('times out a body that stalls after the headers', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[1,');
    };
    expectUnavailable(await failure(makeClient(baseUrl).request(get({ method: 'POST', body: {} }))), 'timeout');
  });

  it('maps a closed port to 503 after retrying', async () => {
    await stub.stop();
    const logger = captureLogger();
    const e = await failure(makeClient(baseUrl, { logger }).request(get()));
    expectUnavailable(e, 'network');
    expect((e.cause as PeerCallError).attempts).toBe(3);
    expect(logger.lines.filter((l) => l.msg === 'peer call failed')).toHaveLength(3);
    stub = new StubServer(); // afterEach stops a fresh one
    await stub.start();
  });

  it('maps a socket that accepts and never answers to 503 timeout, one connection per attempt', async () => {
    const held: Socket[] = [];
    const silent: NetServer = createNetServer((s) => {
      held.push(s);
      s.on('error', () => undefined);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const e = await failure(makeClient(url).request(get()));
      expectUnavailable(e, 'timeout');
      expect(held).toHaveLength(3);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it.each([
    ['garbage', Buffer.from('<html>oops</html>')],
    ['truncated JSON', Buffer.from('[{"id":')],
    ['invalid UTF-8', Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])],
  ])('maps a 200 with %s to 503 without retrying', async (_n, payload) => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(payload);
    };
    expectUnavailable(await failure(makeClient(baseUrl).request(get())), 'invalid_body');
    expect(stub.hits).toBe(1);
  });

  it('hands the raw bytes of a usable body to decodeBody, and maps its throw to 503 without retrying', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[1,2,3]');
    };
    const seen: string[] = [];
    const ok = await makeClient(baseUrl).request<number>(get({ decodeBody: (bytes) => (seen.push(bytes.toString()), 42) }));
    expect(ok.body).toBe(42);
    expect(seen).toEqual(['[1,2,3]']);
    const before = stub.hits;
    const bad = get({
      decodeBody: () => {
        throw new Error('not a forest');
      },
    });
    expectUnavailable(await failure(makeClient(baseUrl).request(bad)), 'invalid_body');
    expect(stub.hits - before).toBe(1);
  });

  it('maps a body above 5 MiB to 503, with and without Content-Length', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 10, 0x20);
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': big.length });
      res.end(big);
    };
    const client = makeClient(baseUrl, { timeouts: { connectMs: 300, attemptMs: 1500, deadlineMs: 1500 } });
    expectUnavailable(await failure(client.request(get())), 'body_too_large');
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked
      res.write('[');
      for (let i = 0; i < 6; i += 1) res.write(Buffer.alloc(1024 * 1024, 0x20));
      res.end(']');
    };
    expectUnavailable(await failure(client.request(get())), 'body_too_large');
  });

  it('accepts a body just under the limit', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: `id-${i}`, pad: 'x'.repeat(4000) }));
    stub.handler = (_req, res) => json(res, 200, items);
    const client = makeClient(baseUrl, { timeouts: { connectMs: 300, attemptMs: 1500, deadlineMs: 1500 } });
    const res = await client.request<unknown[]>(get());
    expect(res.body).toHaveLength(1000);
  });

  it.each([401, 403])('maps %i (our credentials) to 503, no retry, logged as an error', async (status) => {
    stub.handler = (_req, res) => json(res, status, {});
    const logger = captureLogger();
    expectUnavailable(await failure(makeClient(baseUrl, { logger }).request(get())), 'status');
    expect(stub.hits).toBe(1);
    expect(logger.lines.some((l) => l.level === 'error' && l.obj.status === status)).toBe(true);
  });

  it('maps an unexpected 404 to 503, logged as an error', async () => {
    stub.handler = (_req, res) => json(res, 404, {});
    const logger = captureLogger();
    expectUnavailable(await failure(makeClient(baseUrl, { logger }).request(get())), 'status');
    expect(logger.lines.some((l) => l.level === 'error' && l.obj.status === 404)).toBe(true);
  });

  it.each([400, 409, 422])('maps %i (we built a bad request) to 500 internal_error without retrying', async (status) => {
    stub.handler = (_req, res) => json(res, status, {});
    const e = await failure(makeClient(baseUrl).request(get()));
    expect(e.httpStatus).toBe(500);
    expect(e.errorCode).toBe('internal_error');
    expect(stub.hits).toBe(1);
  });

  it('does not follow a redirect (the token stays home) and maps it to 503', async () => {
    const other = new StubServer();
    const otherUrl = await other.start();
    try {
      stub.handler = (_req, res) => {
        res.writeHead(302, { location: `${otherUrl}/customer-segment/acme/segments` });
        res.end();
      };
      expectUnavailable(await failure(makeClient(baseUrl).request(get())), 'status');
      expect(other.hits).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('maps a failing token source to 503 without calling the upstream', async () => {
    const logger = captureLogger();
    const client = makeClient(baseUrl, {
      logger,
      tokenProvider: async () => {
        throw new Error('client_secret=hunter2 rejected');
      },
    });
    expectUnavailable(await failure(client.request(get())));
    expect(stub.hits).toBe(0);
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
  });
});

describe('ServiceHttpClient: circuit breaker (S2S-8)', () => {
  const post = () => get({ method: 'POST', body: {} }); // not retried: one call = one attempt

  it('opens after 5 consecutive failures and then fails fast without touching the server', async () => {
    stub.handler = (_req, res) => json(res, 500, {});
    const logger = captureLogger();
    const client = makeClient(baseUrl, { logger, breaker: { openMs: 10_000 } });
    for (let i = 0; i < 4; i += 1) await failure(client.request(post()));
    expect(client.breakerState).toBe('closed');
    await failure(client.request(post()));
    expect(client.breakerState).toBe('open');
    expect(stub.hits).toBe(5);
    expect(logger.lines.some((l) => l.level === 'warn' && l.obj.to === 'open')).toBe(true);

    const started = performance.now();
    const e = await failure(client.request(post()));
    expect(performance.now() - started).toBeLessThan(50);
    expectUnavailable(e, 'circuit_open');
    expect(Number(e.headers['Retry-After'])).toBeGreaterThanOrEqual(9);
    expect(Number(e.headers['Retry-After'])).toBeLessThanOrEqual(10);
    expect(stub.hits).toBe(5);
  });

  it('counts 429 as a failure, but not 4xx such as 404 or 400', async () => {
    stub.handler = (_req, res) => json(res, 404, {});
    const client = makeClient(baseUrl);
    for (let i = 0; i < 12; i += 1) await failure(client.request(post()));
    expect(client.breakerState).toBe('closed');
    stub.handler = (_req, res) => json(res, 400, {});
    for (let i = 0; i < 6; i += 1) await failure(client.request(post()));
    expect(client.breakerState).toBe('closed');
    stub.handler = (_req, res) => json(res, 429, {});
    for (let i = 0; i < 5; i += 1) await failure(client.request(post()));
    expect(client.breakerState).toBe('open');
  });

  it('counts each attempt: two retried GETs against a 503 open it', async () => {
    stub.handler = (_req, res) => json(res, 503, {});
    const client = makeClient(baseUrl, { breaker: { openMs: 10_000 } });
    await failure(client.request(get()));
    const e = await failure(client.request(get()));
    expect(client.breakerState).toBe('open');
    // attempts 4 and 5 reached the server; the 6th found the breaker open
    expect(stub.hits).toBe(5);
    expect((e.cause as PeerCallError).kind).toBe('circuit_open');
    expect(e.headers['Retry-After']).toBeDefined();
  });

  it('lets one probe through after the open period and closes on its success', async () => {
    stub.handler = (_req, res) => json(res, 500, {});
    const client = makeClient(baseUrl);
    for (let i = 0; i < 5; i += 1) await failure(client.request(post()));
    expect(client.breakerState).toBe('open');
    await new Promise((r) => setTimeout(r, 320));
    expect(client.breakerState).toBe('half-open');

    // The probe is slow; a call arriving meanwhile must fail fast rather than pile on.
    stub.handler = (_req, res) => setTimeout(() => json(res, 200, ['ok']), 100);
    const probe = client.request(post());
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    expectUnavailable(await failure(client.request(post())), 'circuit_open');
    expect(performance.now() - started).toBeLessThan(50);
    expect((await probe).body).toEqual(['ok']);
    expect(client.breakerState).toBe('closed');
    expect(stub.hits).toBe(6);
    await client.request(post());
    expect(stub.hits).toBe(7);
  });

  it('reopens for another period when the probe fails', async () => {
    stub.handler = (_req, res) => json(res, 502, {});
    const client = makeClient(baseUrl);
    for (let i = 0; i < 5; i += 1) await failure(client.request(post()));
    await new Promise((r) => setTimeout(r, 320));
    await failure(client.request(post()));
    expect(stub.hits).toBe(6);
    expect(client.breakerState).toBe('open');
    await failure(client.request(post()));
    expect(stub.hits).toBe(6);
  });
});

describe('ServiceHttpClient: bulkhead (S2S-9)', () => {
  it('fails a call that cannot start within the wait limit, without reaching the server', async () => {
    stub.handler = (_req, res) => setTimeout(() => json(res, 200, []), 300);
    const client = makeClient(baseUrl, {
      bulkhead: { maxConcurrent: 2, maxWaitMs: 50 },
      timeouts: { connectMs: 300, attemptMs: 1000, deadlineMs: 1500 },
    });
    const a = client.request(get());
    const b = client.request(get());
    await new Promise((r) => setTimeout(r, 30));
    const started = performance.now();
    const e = await failure(client.request(get()));
    const waited = performance.now() - started;
    expectUnavailable(e, 'bulkhead_full');
    expect(waited).toBeGreaterThanOrEqual(40);
    expect(waited).toBeLessThan(200);
    await Promise.all([a, b]);
    expect(stub.hits).toBe(2);
    expect(client.breakerState).toBe('closed');
  });

  it('lets a waiting call start when a slot frees up in time', async () => {
    stub.handler = (_req, res) => setTimeout(() => json(res, 200, ['x']), 60);
    const client = makeClient(baseUrl, {
      bulkhead: { maxConcurrent: 1, maxWaitMs: 200 },
      timeouts: { connectMs: 300, attemptMs: 1000, deadlineMs: 1500 },
    });
    const results = await Promise.all([client.request(get()), client.request(get())]);
    expect(results.map((r) => r.body)).toEqual([['x'], ['x']]);
    expect(stub.hits).toBe(2);
  });
});
