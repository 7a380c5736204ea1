/**
 * `npm start`: the whole suite on one base URL. The embedded MongoDB server keeps its data in
 * DATA_DIR (default ./.data) unless MONGODB_URI points at a real MongoDB. `npm start -- --replicas 2`
 * (or REPLICAS=2) runs two instances of every app behind the base URL. The four apps of an instance
 * share one process unless `--process-per-app` (or tracing) asks for one each.
 */
import { parseArgs } from 'node:util';
// Its light entry point: the apps' own rule for whether they export traces, without loading Nest.
import { tracingConfigured } from '@suite/observability/tracing';
import { DEFAULT_RESTART_POLICY, Hosting, RestartPolicy, RunningSuite, SERVICES, StartupEvent, launchSuite } from './launcher';

const USAGE = `usage: npm start [-- --replicas N] [-- --process-per-app]

  --replicas N        instances of every app behind the base URL (default 1, or REPLICAS)
  --process-per-app   each app in a process of its own, as production runs them (or
                      LAUNCHER_PROCESS_PER_APP=1; always when OTEL_EXPORTER_OTLP_* is set);
                      by default the apps of an instance share one process, ready sooner

Environment: PORT (8080), HOST, MONGODB_URI, DATA_DIR (./.data), REPLICAS,
LAUNCHER_MAX_RESTARTS (${DEFAULT_RESTART_POLICY.maxRestarts}), LAUNCHER_RESTART_WINDOW_MS (${DEFAULT_RESTART_POLICY.windowMs}),
LAUNCHER_RESTART_DELAY_MS (${DEFAULT_RESTART_POLICY.initialDelayMs}), LAUNCHER_READY_TIMEOUT_MS (30000 per replica),
LAUNCHER_PRINT_STARTUP (1: when each process was spawned, loaded, listening and ready),
and every variable of the apps (README, Configuration).
`;

class UsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max} (got '${raw}')`);
  return n;
}

/** `1`/`true` or `0`/`false` (any letter case); unset or empty is false; anything else is refused. */
function flag(name: string, raw: string | undefined): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new UsageError(`${name} must be 1, true, 0 or false (got '${raw}')`);
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv) {
  let values: { replicas?: string; 'process-per-app'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { replicas: { type: 'string' }, 'process-per-app': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const restart: RestartPolicy = {
    ...DEFAULT_RESTART_POLICY,
    maxRestarts: integer('LAUNCHER_MAX_RESTARTS', env.LAUNCHER_MAX_RESTARTS, DEFAULT_RESTART_POLICY.maxRestarts, 0, 1000),
    windowMs: integer('LAUNCHER_RESTART_WINDOW_MS', env.LAUNCHER_RESTART_WINDOW_MS, DEFAULT_RESTART_POLICY.windowMs, 1000, 86_400_000),
    initialDelayMs: integer('LAUNCHER_RESTART_DELAY_MS', env.LAUNCHER_RESTART_DELAY_MS, DEFAULT_RESTART_POLICY.initialDelayMs, 0, 60_000),
  };
  // Apps that export traces each need a process of their own: their spans are named after it.
  const perApp = values['process-per-app'] || flag('LAUNCHER_PROCESS_PER_APP', env.LAUNCHER_PROCESS_PER_APP) || tracingConfigured(env);
  return {
    help: values.help ?? false,
    hosting: (perApp ? 'process-per-app' : 'shared') as Hosting,
    replicas: integer(values.replicas !== undefined ? '--replicas' : 'REPLICAS', values.replicas ?? env.REPLICAS, 1, 1, 16),
    port: integer('PORT', env.PORT, 8080, 0, 65535),
    readyTimeoutMs: env.LAUNCHER_READY_TIMEOUT_MS
      ? integer('LAUNCHER_READY_TIMEOUT_MS', env.LAUNCHER_READY_TIMEOUT_MS, 0, 1000, 600_000)
      : undefined,
    restart,
  };
}

async function main() {
  const env = process.env;
  const options = readOptions(process.argv.slice(2), env);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!env.AUTH_HS256_SECRET && env.NODE_ENV !== 'production') {
    process.stderr.write(
      'warning: AUTH_HS256_SECRET is not set; using the development secret "dev-secret-change-me". Never use it in production.\n',
    );
  }
  const started = Date.now();
  const dataDir = env.DATA_DIR ?? './.data';
  // A signal during the launch stops what was started so far (no child outlives this process).
  const launched: { suite?: RunningSuite } = {};
  let stopping = false;
  const launch = new AbortController();
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received, stopping the suite...\n`);
    if (!launched.suite) return launch.abort();
    await launched.suite.stop();
    process.stdout.write('stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Every variable of this process reaches the apps; a peer URL set here overrides the internal one (conventions §12).
  const suite = await launchSuite({
    port: options.port,
    host: env.HOST ?? '127.0.0.1',
    mongodbUri: env.MONGODB_URI,
    dataDir: env.MONGODB_URI ? undefined : dataDir,
    replicas: options.replicas,
    hosting: options.hosting,
    restart: options.restart,
    readyTimeoutMs: options.readyTimeoutMs,
    signal: launch.signal,
  }).catch((e: Error) => {
    if (!launch.signal.aborted) throw e;
    process.stdout.write('stopped.\n');
    process.exit(0);
  });
  launched.suite = suite;
  const internal = (s: (typeof SERVICES)[number]) => suite.services[s].instances.map((i) => `${i.url} pid ${i.child?.pid}`).join(', ');
  const lines = [
    '',
    `Commerce suite ready in ${Date.now() - started} ms on ${suite.baseUrl}`,
    ...SERVICES.map((s) => `  ${suite.baseUrl}/${s}/{tenant}/...  (internal ${internal(s)})`),
    `  peer URLs of the apps: ${peerList(suite.peerUrls)}`,
    options.hosting === 'shared'
      ? '  the apps of an instance share one process (`npm start -- --process-per-app` runs each in its own)'
      : '  each app runs in a process of its own',
    `  database: ${suite.mongodbUri}${env.MONGODB_URI ? '' : ` (embedded, pid ${suite.database?.child?.pid}, data in ${dataDir})`}`,
    '',
    'Get a development token and call the API:',
    `  TOKEN=$(npm run -s token -- --tenant acme --scopes "customersegment.segment_manage customersegment.segment_read")`,
    `  curl -H "Authorization: Bearer $TOKEN" ${suite.baseUrl}/customer-segment/acme/segments`,
    '',
    'API reference (OpenAPI 3.1, no token needed):',
    ...SERVICES.map((s) => `  ${suite.baseUrl}/${s}/docs  (document: ${suite.baseUrl}/${s}/openapi.json)`),
    '',
    'Prometheus metrics, on each app itself (the base URL does not serve them):',
    ...SERVICES.map((s) => `  ${s}: ${suite.services[s].instances.map((i) => `${i.url}/metrics`).join(', ')}`),
    '',
  ];
  if (env.LAUNCHER_PRINT_STARTUP === '1') lines.push(...startupLines(suite.startup), '');
  process.stdout.write(lines.join('\n') + '\n');
  // A child that keeps dying: the launcher has stopped everything; npm start fails.
  void suite.failed.then((e) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`npm start: ${e.message}\n`);
    process.exit(1);
  });
}

/** `startup: coupon spawned 4 ms, loaded 1210 ms, ...`: one line per process, in ms since the launch began. */
function startupLines(events: StartupEvent[]): string[] {
  const byLabel = new Map<string, string[]>();
  for (const e of events) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), `${e.event} ${e.ms} ms`]);
  return [...byLabel].map(([label, steps]) => `startup: ${label} ${steps.join(', ')}`);
}

/** Which peer URL each app was given, once (the same for every instance). */
function peerList(peers: Record<string, string>): string {
  return Object.entries(peers)
    .map(([service, url]) => `${service} ${url}`)
    .join(', ');
}

main().catch((e) => {
  if (e instanceof UsageError) {
    process.stderr.write(`npm start: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`failed to start the suite: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
