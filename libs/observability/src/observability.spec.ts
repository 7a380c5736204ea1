import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import {
  metricsText,
  observeHttpRequest,
  observeMongoCommands,
  recordPeerAttempt,
  registerCircuitBreaker,
  registerOutboxProbe,
  UNMATCHED_ROUTE,
} from './metrics';
import { nestLoggerFor } from './observability.module';
import { LoggedRequest, runWithRequest } from './request-context';
import { startTracing, tracingConfigured, tracingEnabled } from './tracing';

/** A logger as the apps build it, writing its JSON lines here. */
function capture() {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('svc', 'debug', stream);
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The lines of the metrics text that belong to `name`, e.g. `peer_requests_total{...} 3`. */
async function series(name: string): Promise<string[]> {
  return (await metricsText()).split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('createLogger: the request context on every line', () => {
  it('adds nothing outside a request', () => {
    const { logger, lines } = capture();
    logger.info({ job: 'boot' }, 'outside');
    expect(lines()[0]).toMatchObject({ service: 'svc', job: 'boot', msg: 'outside' });
    expect(lines()[0]).not.toHaveProperty('reqId');
  });

  it('names the request id, then tenant and principal once the token is verified, also in awaited code', async () => {
    const { logger, lines } = capture();
    const req: { id: string; auth?: LoggedRequest['auth'] } = { id: 'r-1' };
    await runWithRequest(req, async () => {
      logger.info('before the guard');
      req.auth = { tenant: 'acme', principalType: 'customer', subject: 'C1' };
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.child({ component: 'peer' }).warn({ upstream: 'category' }, 'after the guard');
    });
    logger.info('after the request');
    const [before, after, outside] = lines();
    expect(before).toMatchObject({ reqId: 'r-1', msg: 'before the guard' });
    expect(before).not.toHaveProperty('tenant');
    expect(after).toMatchObject({
      reqId: 'r-1',
      tenant: 'acme',
      principalType: 'customer',
      sub: 'C1',
      component: 'peer',
      upstream: 'category',
    });
    expect(outside).not.toHaveProperty('reqId');
  });

  it('writes a field the line names itself once, with the value of the line', () => {
    const { logger, raw, lines } = capture();
    runWithRequest({ id: 'r-2', auth: { tenant: 'acme', principalType: 'employee', subject: 'u' } }, () =>
      logger.info({ tenant: 'acme', reqId: 'r-2' }, 'named twice'),
    );
    expect(raw[0].match(/"tenant":/g)).toHaveLength(1);
    expect(raw[0].match(/"reqId":/g)).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ tenant: 'acme', reqId: 'r-2', principalType: 'employee' });
  });

  it('keeps two concurrent requests apart', async () => {
    const { logger, lines } = capture();
    const handle = (id: string, tenant: string, delay: number) =>
      runWithRequest({ id, auth: { tenant, principalType: 'employee', subject: id } }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        logger.info({ id }, 'done');
      });
    await Promise.all([handle('a', 'tenant-a', 20), handle('b', 'tenant-b', 1)]);
    expect(lines().map((l) => [l.id, l.reqId, l.tenant])).toEqual([
      ['b', 'b', 'tenant-b'],
      ['a', 'a', 'tenant-a'],
    ]);
  });

  it('receives the messages of Nest itself through nestjs-pino, with the context of the request', () => {
    const { logger, lines } = capture();
    const nest = nestLoggerFor(logger);
    nest.log('Mapped {/x, GET} route', 'RouterExplorer');
    runWithRequest({ id: 'r-3', auth: { tenant: 'acme', principalType: 'service', subject: 'coupon' } }, () =>
      nest.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler'),
    );
    expect(lines()[0]).toMatchObject({ service: 'svc', context: 'RouterExplorer', msg: 'Mapped {/x, GET} route' });
    expect(lines()[0]).not.toHaveProperty('reqId');
    expect(lines()[1]).toMatchObject({ level: 50, context: 'ExceptionsHandler', reqId: 'r-3', tenant: 'acme', sub: 'coupon' });
  });

  it('never writes tokens (AUTH-14)', () => {
    const { logger, raw } = capture();
    logger.info({ token: 'eyJ.secret', headers: { authorization: 'Bearer eyJ.secret' }, authorization: 'Bearer x' }, 'oops');
    expect(raw[0]).not.toContain('secret');
    expect(raw[0]).not.toContain('Bearer');
  });
});

describe('metrics (prom-client)', () => {
  it('counts and times requests by method, route template and status', async () => {
    observeHttpRequest('GET', '/svc/:tenant/things/:id', 200, 0.012);
    observeHttpRequest('GET', '/svc/:tenant/things/:id', 200, 0.3);
    observeHttpRequest('GET', UNMATCHED_ROUTE, 404, 0.001);
    expect(await series('http_server_requests_total')).toEqual(
      expect.arrayContaining([
        'http_server_requests_total{method="GET",route="/svc/:tenant/things/:id",status="200"} 2',
        'http_server_requests_total{method="GET",route="unmatched",status="404"} 1',
      ]),
    );
    const buckets = await series('http_server_request_duration_seconds_bucket');
    expect(buckets).toContain(
      'http_server_request_duration_seconds_bucket{le="0.025",method="GET",route="/svc/:tenant/things/:id",status="200"} 1',
    );
    expect(buckets).toContain(
      'http_server_request_duration_seconds_bucket{le="0.5",method="GET",route="/svc/:tenant/things/:id",status="200"} 2',
    );
  });

  it('counts peer attempts by upstream and outcome, and times those that were sent', async () => {
    recordPeerAttempt('up-a', 'ok', 0.02);
    recordPeerAttempt('up-a', 'timeout', 2);
    recordPeerAttempt('up-a', 'token_unavailable');
    expect(await series('peer_requests_total')).toEqual(
      expect.arrayContaining([
        'peer_requests_total{upstream="up-a",outcome="ok"} 1',
        'peer_requests_total{upstream="up-a",outcome="timeout"} 1',
        'peer_requests_total{upstream="up-a",outcome="token_unavailable"} 1',
      ]),
    );
    const counts = await series('peer_request_duration_seconds_count');
    expect(counts).toContain('peer_request_duration_seconds_count{upstream="up-a",outcome="timeout"} 1');
    expect(counts.some((l) => l.includes('token_unavailable'))).toBe(false);
  });

  it('reads the state of each breaker when scraped, and forgets a breaker that stopped reporting', async () => {
    let state: 'closed' | 'open' | 'half-open' = 'closed';
    const stop = registerCircuitBreaker('up-b', () => state);
    expect(await series('peer_circuit_breaker_state')).toEqual(
      expect.arrayContaining([
        'peer_circuit_breaker_state{upstream="up-b",state="closed"} 1',
        'peer_circuit_breaker_state{upstream="up-b",state="open"} 0',
      ]),
    );
    state = 'open';
    expect(await series('peer_circuit_breaker_state')).toEqual(
      expect.arrayContaining([
        'peer_circuit_breaker_state{upstream="up-b",state="closed"} 0',
        'peer_circuit_breaker_state{upstream="up-b",state="open"} 1',
      ]),
    );
    stop();
    expect((await series('peer_circuit_breaker_state')).some((l) => l.includes('up-b'))).toBe(false);
  });

  it('reads the outbox backlog and the age of its oldest entry when scraped', async () => {
    let calls = 0;
    const stop = registerOutboxProbe(async () => {
      calls += 1;
      return { count: 7, oldestCreatedAt: new Date(Date.now() - 90_000) };
    });
    expect(await series('events_outbox_backlog')).toEqual(['events_outbox_backlog 7']);
    const [age] = await series('events_outbox_oldest_age_seconds');
    expect(Number(age.split(' ')[1])).toBeGreaterThanOrEqual(90);
    expect(Number(age.split(' ')[1])).toBeLessThan(120);
    // One probe call per scrape, shared by the two gauges.
    calls = 0;
    await metricsText();
    expect(calls).toBe(1);
    stop();
  });

  it('shows an outbox the database cannot read as NaN, never an error of the scrape', async () => {
    const stop = registerOutboxProbe(async () => {
      throw new Error('database down');
    });
    // prom-client writes NaN as `Nan`; Prometheus reads either spelling.
    expect(await series('events_outbox_backlog')).toEqual([expect.stringMatching(/^events_outbox_backlog nan$/i)]);
    expect(await series('events_outbox_oldest_age_seconds')).toEqual([expect.stringMatching(/^events_outbox_oldest_age_seconds nan$/i)]);
    stop();
  });

  it('times MongoDB commands from the command monitoring events of the driver', async () => {
    const client = new EventEmitter();
    const stop = observeMongoCommands(client);
    client.emit('commandSucceeded', { commandName: 'find', duration: 3 });
    client.emit('commandSucceeded', { commandName: 'find', duration: 40 });
    client.emit('commandFailed', { commandName: 'insert', duration: 1 });
    stop();
    client.emit('commandSucceeded', { commandName: 'find', duration: 3 });
    const lines = await series('mongodb_command_duration_seconds_bucket');
    expect(lines).toContain('mongodb_command_duration_seconds_bucket{le="0.005",command="find",outcome="ok"} 1');
    expect(lines).toContain('mongodb_command_duration_seconds_bucket{le="0.05",command="find",outcome="ok"} 2');
    expect(await series('mongodb_command_duration_seconds_count')).toContain(
      'mongodb_command_duration_seconds_count{command="insert",outcome="error"} 1',
    );
  });
});

describe('tracing', () => {
  it('is configured by an OTLP endpoint unless the SDK is disabled', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('starts nothing without an endpoint', () => {
    expect(startTracing('svc', {})).toBe(false);
    expect(tracingEnabled()).toBe(false);
  });
});
