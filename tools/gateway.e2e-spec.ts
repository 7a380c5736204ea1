import { BODY_LIMIT_BYTES } from '@suite/api-kit';
import { signDevToken } from '@suite/auth';
import { inProfile, rawRequest, RawResponse, REQUEST_ID } from '../test/support/raw-http';
import { launchSuite, RunningSuite, ServiceName } from './launcher';

// The base URL at its edge, as `npm start` serves it (the gateway in front of the three app
// processes), over raw sockets: bodies up to the 10 MiB limit pass through whatever the client's
// connection headers say, an answer given before the body has arrived reaches the client, a body
// above the limit never leaves a connection waiting, and every answer the gateway gives itself is
// in the addressed service's error profile with X-Request-Id (ERR-2, ERR-2b, ERR-10, HTTP-3).
// The same hostile requests sent to each app directly are answered in its profile too.
const SIGNING = { secret: 'gateway-edge-test-secret', issuer: 'http://localhost/auth', audience: 'commerce-api' };
const T = 'edge';
type Profile = 'segment' | 'category' | 'coupon';

const SERVICES: Array<{ name: ServiceName; profile: Profile; collection: string }> = [
  { name: 'customer-segment', profile: 'segment', collection: `/customer-segment/${T}/segments` },
  { name: 'coupon', profile: 'coupon', collection: `/coupon/${T}/coupons` },
  { name: 'category', profile: 'category', collection: `/category/${T}/categories` },
];

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('the base URL at its edge (gateway and apps)', () => {
  let suite: RunningSuite;
  let auth: string;
  const lines: string[] = [];

  beforeAll(async () => {
    suite = await launchSuite({
      port: 0,
      env: {
        AUTH_HS256_SECRET: SIGNING.secret,
        AUTH_ISSUER: SIGNING.issuer,
        AUTH_AUDIENCE: SIGNING.audience,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
      },
      output: (service, line) => lines.push(`[${service}] ${line}`),
      // Two cores shared with other test files: starting three apps can take a while.
      readyTimeoutMs: 90_000,
    }).catch((e) => {
      process.stderr.write(`${lines.slice(-40).join('\n')}\n`);
      throw e;
    });
    const scopes = ['customersegment.segment_manage', 'coupon.coupon_manage', 'category.category_manage', 'category.category_publish'];
    auth = `Authorization: Bearer ${await signDevToken({ tenant: T, principalType: 'employee', scopes }, SIGNING)}`;
  }, 180_000);
  afterAll(async () => {
    await suite?.stop();
  }, 30_000);

  /** An error answer in the profile, with a request id (ERR-2, ERR-2b). */
  const expectProfile = (profile: Profile, status: number, res: RawResponse | undefined, what: string) => {
    expect({ what, status: res?.status }).toEqual({ what, status });
    expect({ what, id: REQUEST_ID.test(res?.headers['x-request-id'] ?? '') }).toEqual({ what, id: true });
    expect({ what, inProfile: inProfile(profile, status, res?.json), body: res?.text }).toEqual({ what, inProfile: true, body: res?.text });
  };

  it('passes a 4 MB segment to the app when the client sends Expect: 100-continue, as curl does', async () => {
    const body = JSON.stringify({ id: 'big-4mb', name: { en: 'Big' }, siteCode: 'main', description: { en: 'd'.repeat(4 * 1024 * 1024) } });
    const exchange = await rawRequest(suite.baseUrl, {
      head: head([
        `POST /customer-segment/${T}/segments HTTP/1.1`,
        'Host: x',
        auth,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Expect: 100-continue',
        'Connection: close',
      ]),
      body,
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.responses.map((r) => [r.status, r.json])).toEqual([[201, { id: 'big-4mb' }]]);
  });

  it('forwards requests whatever hop-by-hop headers they carry (Keep-Alive, Upgrade, TE, Expect)', async () => {
    for (const extra of [
      'Keep-Alive: timeout=5',
      'Upgrade: websocket',
      'TE: trailers',
      'Expect: something-else',
      'Proxy-Connection: keep-alive',
    ]) {
      const { responses } = await rawRequest(suite.baseUrl, {
        head: head([
          `POST /customer-segment/other/segments HTTP/1.1`,
          'Host: x',
          auth,
          'Content-Type: application/json',
          'Content-Length: 2',
          extra,
          'Connection: close',
        ]),
        body: '{}',
      });
      // The app's own answer: the token is for another tenant.
      expect({ extra, status: responses[0]?.status, errorCode: responses[0]?.json?.errorCode }).toEqual({
        extra,
        status: 403,
        errorCode: 'tenant_mismatch',
      });
    }
  });

  it('streams a chunked body to the app, and answers one that crosses 10 MiB with 413 and a staged close', async () => {
    const small = await rawRequest(suite.baseUrl, {
      head: head([
        `POST /customer-segment/other/segments HTTP/1.1`,
        'Host: x',
        auth,
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ]),
      chunkedBody: { chunks: 3, chunkBytes: 1000 },
    });
    expect(small.responses.map((r) => [r.status, r.json?.errorCode])).toEqual([[403, 'tenant_mismatch']]);
    const large = await rawRequest(suite.baseUrl, {
      head: head([
        `POST /category/${T}/categories HTTP/1.1`,
        'Host: x',
        auth,
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ]),
      chunkedBody: { chunks: 11, chunkBytes: 1024 * 1024 },
    });
    expect(large.error).toBeUndefined();
    expect(large.responses).toHaveLength(1);
    expectProfile('category', 413, large.responses[0], 'chunked over 10 MiB');
    expect(large.serverClosed).toBe(true);
  });

  it('delivers a refusal given before a 5 MB body has arrived, then serves the next request on the connection', async () => {
    const exchange = await rawRequest(suite.baseUrl, {
      head: head([
        `POST /customer-segment/other/segments HTTP/1.1`,
        'Host: x',
        auth,
        'Content-Type: application/json',
        'Content-Length: 5000000',
      ]),
      bodyBytes: 5_000_000,
      next: head(['GET /health/live HTTP/1.1', 'Host: x']),
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.bodyBytesWritten).toBe(5_000_000);
    expect(exchange.responses.map((r) => r.status)).toEqual([403, 200]);
    expectProfile('segment', 403, exchange.responses[0], 'early 403');
  });

  it.each(SERVICES)('answers a body above 10 MiB with 413 in the $profile profile and closes the connection in stages', async (service) => {
    const size = BODY_LIMIT_BYTES + 500_000;
    const exchange = await rawRequest(suite.baseUrl, {
      head: head([`POST ${service.collection} HTTP/1.1`, 'Host: x', auth, 'Content-Type: application/json', `Content-Length: ${size}`]),
      bodyBytes: size,
      chunkBytes: 1024 * 1024,
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.bodyBytesWritten).toBe(size);
    expect(exchange.responses).toHaveLength(1);
    expectProfile(service.profile, 413, exchange.responses[0], service.name);
    expect(exchange.responses[0].headers.connection).toBe('close');
    expect(exchange.serverClosed).toBe(true);
  });

  it('closes, instead of keeping it waiting, a connection whose body above 10 MiB stops arriving', async () => {
    const exchange = await rawRequest(suite.baseUrl, {
      head: head([
        `POST /coupon/${T}/coupons HTTP/1.1`,
        'Host: x',
        auth,
        'Content-Type: application/json',
        `Content-Length: ${BODY_LIMIT_BYTES + 1}`,
      ]),
      bodyBytes: 1024 * 1024,
      holdOpen: true,
    });
    expect(exchange.responses.map((r) => r.status)).toEqual([413]);
    expect(exchange.serverClosed).toBe(true);
  });

  /** Requests that no app route can take, and heads that never become requests. */
  const hostile = (
    service: (typeof SERVICES)[number],
  ): Array<{ what: string; head: string; body?: string; status: number; viaGatewayOnly?: boolean }> => {
    const prefix = `/${service.name}/${T}`;
    return [
      { what: 'raw .. segment', head: head([`GET ${service.collection}/.. HTTP/1.1`, 'Host: x', auth]), status: 404, viaGatewayOnly: true },
      { what: 'encoded ../', head: head([`GET ${prefix}/..%2Fother/x HTTP/1.1`, 'Host: x', auth]), status: 404, viaGatewayOnly: true },
      { what: 'encoded ..', head: head([`GET ${prefix}/%2e%2e/x HTTP/1.1`, 'Host: x', auth]), status: 404, viaGatewayOnly: true },
      { what: 'backslash ..', head: head([`GET ${prefix}/x%5C..%5Cy HTTP/1.1`, 'Host: x', auth]), status: 404, viaGatewayOnly: true },
      ...['TRACE', 'PROPFIND', 'LINK', 'SEARCH', 'QUERY'].map((method) => ({
        what: method,
        head: head([`${method} ${service.collection} HTTP/1.1`, 'Host: x', auth]),
        status: 404,
      })),
      ...['', ';', 'json'].map((contentType) => ({
        what: `Content-Type ${JSON.stringify(contentType)}`,
        head: head([`POST ${service.collection} HTTP/1.1`, 'Host: x', auth, `Content-Type: ${contentType}`, 'Content-Length: 2']),
        body: '{}',
        status: 415,
      })),
      { what: 'control byte in the request line', head: head([`GET ${service.collection}\x01 HTTP/1.1`, 'Host: x']), status: 400 },
      {
        what: 'head over 70 KiB',
        head: head([`GET ${service.collection} HTTP/1.1`, 'Host: x', `X-Big: ${'h'.repeat(80_000)}`]),
        status: 400,
      },
      {
        what: 'request target over 70 KiB',
        head: head([`GET ${service.collection}?q=${'a'.repeat(80_000)} HTTP/1.1`, 'Host: x']),
        status: 400,
      },
    ];
  };

  it.each(SERVICES)(
    'answers hostile requests to $name in its $profile profile with X-Request-Id, through the base URL',
    async (service) => {
      for (const request of hostile(service)) {
        const { responses } = await rawRequest(suite.baseUrl, { head: request.head + (request.body ?? '') });
        expectProfile(service.profile, request.status, responses[0], `${service.name}: ${request.what}`);
      }
    },
  );

  it.each(SERVICES)('answers the same hostile requests sent to the $name app directly in its profile', async (service) => {
    for (const request of hostile(service)) {
      const { responses } = await rawRequest(suite.services[service.name].url, { head: request.head + (request.body ?? '') });
      const what = `${service.name} app: ${request.what}`;
      // A `..` segment is only the gateway's refusal; the app routes it literally (an id, or no route).
      if (request.viaGatewayOnly) expectProfile(service.profile, responses[0]?.status ?? 0, responses[0], what);
      else expectProfile(service.profile, request.status, responses[0], what);
      expect({ what, serverError: (responses[0]?.status ?? 500) >= 500 }).toEqual({ what, serverError: false });
    }
  });

  it('answers a path outside the three services with 404 route_not_found and X-Request-Id', async () => {
    for (const method of ['GET', 'PROPFIND']) {
      const { responses } = await rawRequest(suite.baseUrl, { head: head([`${method} /nothing/here HTTP/1.1`, 'Host: x']) });
      expectProfile('segment', 404, responses[0], `${method} /nothing/here`);
      expect(responses[0].json.errorCode).toBe('route_not_found');
    }
  });

  it('answers 503 for a stopped app in that service profile, with X-Request-Id', async () => {
    await suite.stopService('coupon');
    try {
      const { responses } = await rawRequest(suite.baseUrl, {
        head: head([`GET /coupon/${T}/coupons HTTP/1.1`, 'Host: x', auth, 'X-Request-Id: down-1']),
      });
      expectProfile('coupon', 503, responses[0], 'coupon down');
      expect(responses[0].json.type).toBe('service_unavailable');
      expect(responses[0].headers['x-request-id']).toBe('down-1');
      // With a body it never got to send upstream, the connection discards it and serves the next request.
      const withBody = await rawRequest(suite.baseUrl, {
        head: head([`POST /coupon/${T}/coupons HTTP/1.1`, 'Host: x', auth, 'Content-Type: application/json', 'Content-Length: 2000000']),
        bodyBytes: 2_000_000,
        next: head(['GET /health/live HTTP/1.1', 'Host: x']),
      });
      expect(withBody.error).toBeUndefined();
      expect(withBody.responses.map((r) => r.status)).toEqual([503, 200]);
    } finally {
      await suite.startService('coupon');
    }
  }, 60_000);
});
