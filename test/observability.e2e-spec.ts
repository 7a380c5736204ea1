/**
 * Metrics and traces of the suite as `npm start` runs it (issue #12 "Observable"): the three apps as
 * processes behind the gateway, exporting their spans by OTLP to a collector this test stands in for
 * (a local HTTP server receiving what the OpenTelemetry proto exporter sends). A request that makes
 * a peer call and database commands shows up as one trace across both services, and each app's
 * `GET /metrics` shows its HTTP, peer, breaker, outbox and database figures, while the base URL
 * does not serve them.
 */
import http from 'node:http';
import { once } from 'node:events';
import { signDevToken } from '@suite/auth';
import { launchSuite, RunningSuite, SERVICES } from '../tools/launcher';

const SIGNING = { secret: 'observability-test-secret', issuer: 'http://localhost/auth', audience: 'commerce-api' };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/**
 * Whether an OTLP export comes from `service`: its resource holds the attribute `service.name` with
 * that string value, encoded as protobuf (KeyValue.value is an AnyValue whose field 1 is the string).
 */
function fromService(body: Buffer, service: string): boolean {
  const value = Buffer.from(service);
  return body.includes(Buffer.concat([Buffer.from('service.name'), Buffer.from([0x12, value.length + 2, 0x0a, value.length]), value]));
}

interface Export {
  path: string;
  contentType: string;
  body: Buffer;
}

describe('observability of the running suite', () => {
  let suite: RunningSuite;
  let collector: http.Server;
  const exports: Export[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        exports.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const { port } = collector.address() as { port: number };
    suite = await launchSuite({
      port: 0,
      env: {
        AUTH_HS256_SECRET: SIGNING.secret,
        AUTH_ISSUER: SIGNING.issuer,
        AUTH_AUDIENCE: SIGNING.audience,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        // Export within a fraction of a second instead of the default 5 s batches.
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      output: (service, line) => lines.push(`[${service}] ${line}`),
      // Loading the OpenTelemetry SDK adds a second or so to each start, more on a busy machine.
      readyTimeoutMs: 90000,
    }).catch((e) => {
      process.stderr.write(`${lines.slice(-40).join('\n')}\n`);
      throw e;
    });
  }, 240000);
  afterAll(async () => {
    await suite?.stop();
    collector?.close();
  }, 30000);

  const metricsOf = async (url: string) => {
    const res = await fetch(`${url}/metrics`);
    return { res, text: await res.text() };
  };

  it('serves Prometheus metrics on each app at GET /metrics, and not on the base URL', async () => {
    for (const name of SERVICES) {
      const { res, text } = await metricsOf(suite.services[name].url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
      expect(text).toContain('# TYPE mongodb_command_duration_seconds histogram');
      expect(text).toMatch(/^events_outbox_backlog \d+$/m);
      expect(text).toMatch(/^events_outbox_oldest_age_seconds [\d.]+$/m);
      expect(text).toMatch(/^process_cpu_seconds_total [\d.]+$/m);
    }
    const viaGateway = await fetch(`${suite.baseUrl}/metrics`);
    expect(viaGateway.status).toBe(404);
    expect(await viaGateway.text()).not.toContain('http_server_requests_total');
  });

  it('traces a request across the peer call into the other service, with its database commands, and counts it', async () => {
    const admin = await signDevToken(
      { tenant: 'acme', principalType: 'employee', scopes: ['category.category_manage', 'category.category_publish'] },
      SIGNING,
    );
    const headers = { authorization: `Bearer ${admin}`, traceparent: INCOMING_TRACEPARENT };
    const created = await fetch(`${suite.baseUrl}/category/acme/categories`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'cat-obs', code: 'OBS', localizedName: { en: 'Observed' }, published: true }),
    });
    expect(created.status).toBe(201);
    // The segmentsIds filter makes category ask customer-segment (S2S), which reads its database.
    const filtered = await fetch(`${suite.baseUrl}/category/acme/categories/cat-obs/assignments?segmentsIds=gold`, { headers });
    expect(filtered.status).toBe(200);
    // HTTP-9: the incoming traceparent is echoed unchanged.
    expect(filtered.headers.get('traceparent')).toBe(INCOMING_TRACEPARENT);

    const categoryRoute = Buffer.from('GET /category/:tenant/categories/:categoryId/assignments');
    const segmentRoute = Buffer.from('GET /customer-segment/:tenant/segments/items');
    const traceId = Buffer.from(TRACE_ID, 'hex');
    const spansOf = (service: string) => Buffer.concat(exports.filter((e) => fromService(e.body, service)).map((e) => e.body));
    const deadline = Date.now() + 15000;
    const arrived = () => spansOf('category').includes(categoryRoute) && spansOf('customer-segment').includes(segmentRoute);
    while (!arrived() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const e of exports) {
      expect(e.path).toBe('/v1/traces');
      expect(e.contentType).toBe('application/x-protobuf');
    }
    const category = spansOf('category');
    const segment = spansOf('customer-segment');
    expect(category.includes(categoryRoute)).toBe(true);
    expect(segment.includes(segmentRoute)).toBe(true);
    // The trace id the client sent is the trace of both services' spans: traceparent crossed the peer call.
    expect(category.includes(traceId)).toBe(true);
    expect(segment.includes(traceId)).toBe(true);
    // The peer call (undici; its url.full is the peer's URL as category calls it) and the database
    // commands (MongoDB driver) of both services.
    expect(category.includes(Buffer.from(`${suite.peerUrls['customer-segment']}/customer-segment/acme/segments/items`))).toBe(true);
    expect(category.includes(Buffer.from('insert acme_'))).toBe(true);
    expect(segment.includes(Buffer.from('mongodb'))).toBe(true);

    const { text } = await metricsOf(suite.services.category.url);
    expect(text).toContain(
      'http_server_requests_total{method="GET",route="/category/:tenant/categories/:categoryId/assignments",status="200"} 1',
    );
    expect(text).toMatch(/^peer_requests_total\{upstream="customer-segment",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^peer_request_duration_seconds_count\{upstream="customer-segment",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toContain('peer_circuit_breaker_state{upstream="customer-segment",state="closed"} 1');
    expect(text).toMatch(/^mongodb_command_duration_seconds_count\{command="insert",outcome="ok"\} [1-9]\d*$/m);
    // The tenant is never a label (TEN-8: not where cardinality does not allow it).
    expect(text).not.toContain('acme');
  }, 60000);
});
