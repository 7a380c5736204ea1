import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/*
 * The Prometheus metrics of a service process, through prom-client: one registry per process,
 * served at `GET /metrics` of each app (api-kit's MetricsController). Label values are bounded
 * sets: route templates (never the raw path), HTTP methods and statuses, upstream service names,
 * outcome kinds, MongoDB command names. The tenant is never a label: anyone with a token for a new
 * tenant would add series (TEN-8 "where cardinality allows"); per-tenant figures come from the logs.
 */

/** The process's registry; `metricsText()` renders it. */
export const metricsRegistry = new Registry();

/** Content type of {@link metricsText}: the Prometheus text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = metricsRegistry.contentType;

/** The route label of a request no route matched (a 404 of the router): one series, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

const httpRequests = new Counter({
  name: 'http_server_requests_total',
  help: 'HTTP requests answered, by method, route template and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

const httpDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Time from the request arriving to the response being sent, by method, route template and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** One answered request: `route` is the route template (`/coupon/:tenant/coupons/:code`), or {@link UNMATCHED_ROUTE}. */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  httpRequests.inc(labels);
  httpDuration.observe(labels, seconds);
}

const peerRequests = new Counter({
  name: 'peer_requests_total',
  help: 'Attempts of calls to peer services, by upstream and outcome (ok, or the failure kind: network, timeout, status, ...).',
  labelNames: ['upstream', 'outcome'] as const,
  registers: [metricsRegistry],
});

const peerDuration = new Histogram({
  name: 'peer_request_duration_seconds',
  help: 'Duration of one attempt of a call to a peer service, by upstream and outcome.',
  labelNames: ['upstream', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
  registers: [metricsRegistry],
});

/**
 * One attempt of a peer call (S2S-12 logs the same attempt); `outcome` is `ok` or the failure kind.
 * Without `seconds` (no token, a call refused before sending) it is counted but not timed.
 */
export function recordPeerAttempt(upstream: string, outcome: string, seconds?: number): void {
  peerRequests.inc({ upstream, outcome });
  if (seconds !== undefined) peerDuration.observe({ upstream, outcome }, Math.max(0, seconds));
}

export const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
export type BreakerStateName = (typeof BREAKER_STATES)[number];

const breakers = new Map<object, { upstream: string; state: () => BreakerStateName }>();

new Gauge({
  name: 'peer_circuit_breaker_state',
  help: 'Circuit breaker of each upstream (S2S-8): 1 for its current state, 0 for the others.',
  labelNames: ['upstream', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    // Several clients of one upstream only exist when several apps share a process (tests): the worst state shows.
    const worst = new Map<string, BreakerStateName>();
    for (const b of breakers.values()) {
      const state = b.state();
      const seen = worst.get(b.upstream);
      if (!seen || BREAKER_STATES.indexOf(state) > BREAKER_STATES.indexOf(seen)) worst.set(b.upstream, state);
    }
    for (const [upstream, state] of worst) for (const s of BREAKER_STATES) this.set({ upstream, state: s }, s === state ? 1 : 0);
  },
});

/**
 * Reports a circuit breaker's state on every scrape (read then, so an open breaker whose open
 * period has run out shows as half-open). Returns the function that stops reporting it.
 */
export function registerCircuitBreaker(upstream: string, state: () => BreakerStateName): () => void {
  const key = {};
  breakers.set(key, { upstream, state });
  return () => void breakers.delete(key);
}

/** What the outbox reports on a scrape: unpublished entries and the creation time of the oldest. */
export interface OutboxBacklog {
  count: number;
  oldestCreatedAt?: Date;
}

const outboxProbes = new Set<() => Promise<OutboxBacklog>>();

/** The backlog of the scrape under way, shared by the two gauges (one query pair per scrape). */
let pendingBacklog: Promise<OutboxBacklog | undefined> | undefined;

function scrapeBacklog(): Promise<OutboxBacklog | undefined> {
  if (pendingBacklog) return pendingBacklog;
  pendingBacklog = readBacklog();
  // prom-client starts every collector of a scrape in one synchronous pass: the second gauge finds
  // the promise, and the next scrape reads again.
  queueMicrotask(() => (pendingBacklog = undefined));
  return pendingBacklog;
}

async function readBacklog(): Promise<OutboxBacklog | undefined> {
  if (outboxProbes.size === 0) return undefined;
  try {
    const all = await Promise.all([...outboxProbes].map((probe) => probe()));
    const oldest = all.map((b) => b.oldestCreatedAt?.getTime()).filter((t): t is number => t !== undefined);
    return { count: all.reduce((n, b) => n + b.count, 0), oldestCreatedAt: oldest.length ? new Date(Math.min(...oldest)) : undefined };
  } catch {
    return { count: Number.NaN };
  }
}

new Gauge({
  name: 'events_outbox_backlog',
  help: 'Outbox entries not yet published (EVT-4), read when scraped; NaN when the database did not answer.',
  registers: [metricsRegistry],
  async collect() {
    const backlog = await scrapeBacklog();
    if (backlog) this.set(backlog.count);
  },
});

new Gauge({
  name: 'events_outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox entry (0 when there is none), read when scraped.',
  registers: [metricsRegistry],
  async collect() {
    const backlog = await scrapeBacklog();
    if (!backlog) return;
    if (Number.isNaN(backlog.count)) this.set(Number.NaN);
    else this.set(backlog.oldestCreatedAt ? Math.max(0, (Date.now() - backlog.oldestCreatedAt.getTime()) / 1000) : 0);
  },
});

/**
 * Makes the outbox gauges read `probe` on every scrape (cheap indexed queries of the persistence
 * lib). Returns the function that stops it.
 */
export function registerOutboxProbe(probe: () => Promise<OutboxBacklog>): () => void {
  outboxProbes.add(probe);
  return () => void outboxProbes.delete(probe);
}

/** EVT-4: events that could not be written to the outbox (logged with their envelope for a replay by hand). */
export const outboxFailures = new Counter({
  name: 'events_outbox_failures_total',
  help: 'Events that could not be written to the outbox (EVT-4).',
  registers: [metricsRegistry],
});

const mongoCommands = new Histogram({
  name: 'mongodb_command_duration_seconds',
  help: 'Duration of MongoDB commands as the driver measures them (command monitoring), by command name and outcome.',
  labelNames: ['command', 'outcome'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** The part of the MongoDB driver's `MongoClient` that command monitoring needs. */
export interface CommandMonitoringSource {
  on(event: 'commandSucceeded' | 'commandFailed', listener: (event: { commandName: string; duration: number }) => void): unknown;
  off(event: 'commandSucceeded' | 'commandFailed', listener: (event: { commandName: string; duration: number }) => void): unknown;
}

/**
 * Times every command of a client opened with `monitorCommands: true` (the driver's command
 * monitoring events: `duration` is in milliseconds). Returns the function that stops it.
 */
export function observeMongoCommands(client: CommandMonitoringSource): () => void {
  const succeeded = (e: { commandName: string; duration: number }) =>
    mongoCommands.observe({ command: e.commandName, outcome: 'ok' }, e.duration / 1000);
  const failed = (e: { commandName: string; duration: number }) =>
    mongoCommands.observe({ command: e.commandName, outcome: 'error' }, e.duration / 1000);
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);
  return () => {
    client.off('commandSucceeded', succeeded);
    client.off('commandFailed', failed);
  };
}

let processMetrics = false;

/** Adds prom-client's process metrics (CPU, memory, event loop lag, GC) once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** The registry in the Prometheus text format, collectors read now. */
export function metricsText(): Promise<string> {
  return metricsRegistry.metrics();
}
