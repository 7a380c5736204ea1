/**
 * The suite launcher behind `npm start` and the suite-level tests: the embedded MongoDB server
 * (unless MONGODB_URI is given), each app as one or more separate processes on internal ports, and
 * one base URL that routes /customer-segment/*, /coupon/*, /category/* and /webhook/* to them through
 * @fastify/http-proxy (balanced over the instances of an app). Every child is supervised: one
 * that exits unexpectedly is restarted on the same port with exponential backoff; one that keeps
 * exiting makes the launcher stop everything and report the failure.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SERVICES, ServiceName } from './services';

export { SERVICES, ServiceName };

// The repository root, whether this file runs compiled (dist/tools) or from source (tools).
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') dir = path.dirname(dir);
  return dir;
})();
const DIST = path.join(ROOT, 'dist');

/** The peer URL variables of conventions §12, by the service they point at. */
const PEER_URL_VARIABLES: Record<ServiceName, string> = {
  'customer-segment': 'CUSTOMER_SEGMENT_URL',
  coupon: 'COUPON_URL',
  category: 'CATEGORY_URL',
  webhook: 'WEBHOOK_URL',
};

/** When a child that exits unexpectedly is restarted, and when the launcher gives up. */
export interface RestartPolicy {
  /** Restarts of one child allowed within `windowMs`; one more exit stops the suite (default 5). */
  maxRestarts: number;
  /** The window the restarts are counted in (default 60 000 ms). */
  windowMs: number;
  /** The delay before the first restart in the window; it doubles with each further one (default 500 ms). */
  initialDelayMs: number;
  /** The longest delay (default 8000 ms). */
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 5, windowMs: 60_000, initialDelayMs: 500, maxDelayMs: 8000 };

export type Hosting = 'process-per-app' | 'shared';

export interface SuiteOptions {
  /** Base URL port (0 picks a free one). */
  port?: number;
  host?: string;
  /** Use this MongoDB instead of starting the embedded server. */
  mongodbUri?: string;
  /** Data directory of the embedded server; undefined keeps data in memory only. */
  dataDir?: string;
  /**
   * Environment passed to every app (AUTH_*, I18N_*, peer URL overrides, ...), over this process's
   * own. A peer URL set here or in this process's environment wins over the internal address
   * (conventions §12).
   */
  env?: Record<string, string | undefined>;
  /** Processes per app (default 1), on distinct internal ports, balanced by the gateway. */
  replicas?: number;
  /**
   * `process-per-app` (default): each app in a process of its own, as production deploys them.
   * `shared`: the four apps of each replica in one process (tools/app-host.ts), each still on its own
   * port with its own connection: one process loads the modules they share once, so the suite is
   * ready about three times sooner (`npm start`'s default). Stopping one app closes it in that process;
   * a process that exits takes its apps with it and is restarted with them.
   */
  hosting?: Hosting;
  /** Supervision of the children (defaults: {@link DEFAULT_RESTART_POLICY}). */
  restart?: Partial<RestartPolicy>;
  /** Where child output goes; default: prefixed lines on this process's stdout/stderr. */
  output?: (service: string, line: string) => void;
  /** How long a child may take to get ready (default 30 s per replica). */
  readyTimeoutMs?: number;
  /** Aborting it during the launch stops whatever was started; launchSuite then rejects. */
  signal?: AbortSignal;
}

/**
 * One process of an app. `child` is the current process: it changes when the instance is restarted.
 * With `hosting: 'shared'` it is the process hosting the replica's apps (the same for all four).
 */
export interface ServiceInstance {
  name: ServiceName;
  /** 1-based. */
  index: number;
  /** `coupon`, or `coupon#2` when there are several instances; the prefix of its output lines. */
  label: string;
  port: number;
  url: string;
  readonly child?: ChildProcess;
}

/** An app: its instances, and for the common single-instance case the first one's port, URL and process. */
export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  readonly child?: ChildProcess;
  instances: ServiceInstance[];
}

export interface RunningSuite {
  baseUrl: string;
  mongodbUri: string;
  services: Record<ServiceName, ServiceProcess>;
  /** The embedded database's process (absent when `mongodbUri` was given). */
  database?: { readonly child?: ChildProcess; port: number; dataDir?: string };
  /** The peer base URL each app was given for each service (conventions §12). */
  peerUrls: Record<ServiceName, string>;
  /** Stops every instance of an app, or one (1-based index), deliberately: it is not restarted. SIGTERM, then SIGKILL after 10 s. */
  stopService(name: ServiceName, index?: number): Promise<void>;
  /** Starts stopped instances of an app again on the same internal ports and waits until they are ready. */
  startService(name: ServiceName, index?: number): Promise<void>;
  /**
   * Settles when the launcher gave up on a child that kept exiting: by then it has stopped
   * everything. Never settles otherwise.
   */
  failed: Promise<Error>;
  stop(): Promise<void>;
  /** What happened when during the launch (`npm run bench -- --only startup` prints it). */
  startup: StartupEvent[];
}

/**
 * A step of the launch, in ms since launchSuite was called: a child `spawned`; an app `loaded` its
 * modules (it asks for the database then); a child `listening`; a child `ready` (its readiness
 * check passed); the `gateway` `loaded` and `listening`.
 */
export interface StartupEvent {
  label: string;
  event: 'spawned' | 'loaded' | 'listening' | 'ready';
  ms: number;
}

/**
 * `SUITE_CPU_PROF_DIR=/tmp/prof npm run bench ...`: every child (database and apps) writes a V8 CPU
 * profile there when it exits (Node refuses --cpu-prof in NODE_OPTIONS). For finding what bounds a
 * figure; open the .cpuprofile files in Chrome DevTools.
 */
function profilingArgs(): string[] {
  const dir = process.env.SUITE_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * The embedded database keeps every document in its heap, so Node's default limit (about 4 GiB)
 * is what ends a large local data set: a million profiles and their memberships ran it out of
 * memory. It may use half the machine's memory (at least 2 GiB, at most 16 GiB); a
 * `--max-old-space-size` given in NODE_OPTIONS wins, as it would for any process.
 */
export function databaseHeapArgs(totalMemoryBytes = os.totalmem(), nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  if (/--max-old-space-size/.test(nodeOptions)) return [];
  const mb = Math.max(2048, Math.min(16384, Math.floor(totalMemoryBytes / 1048576 / 2)));
  return [`--max-old-space-size=${mb}`];
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0];
}

/** `count` distinct free ports: all held open at once, then released. */
async function freePorts(count: number, host: string): Promise<number[]> {
  const servers = Array.from({ length: count }, () => net.createServer().listen(0, host));
  try {
    await Promise.all(servers.map((s) => once(s, 'listening')));
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/**
 * The messages between the launcher and an app, on the IPC channel it spawns the app with; the
 * app's side is libs/foundation/src/launcher-link.ts (not loaded here: it would load Nest). An app
 * spawned with SUITE_DATABASE_GATE=ipc asks `waiting-for-database` when it is about to connect and
 * waits for `database-ready`; every app says `listening` once it listens.
 */
const DATABASE_GATE_VARIABLE = 'SUITE_DATABASE_GATE';
const DATABASE_READY = { suite: 'database-ready' };
/** The variables naming the apps a hosting process runs and those it leaves stopped (tools/app-host.ts). */
const HOSTED_APPS_VARIABLE = 'SUITE_HOSTED_APPS';
const STOPPED_APPS_VARIABLE = 'SUITE_STOPPED_APPS';
const isMessage = (message: unknown, kind: string) =>
  typeof message === 'object' && message !== null && (message as { suite?: unknown }).suite === kind;

function pipeLines(child: ChildProcess, name: string, output: (service: string, line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        output(name, buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
  }
}

/**
 * The pace of a readiness wait: a check every `intervalMs`, and one at once when the child gives a
 * sign (a line of output, a message): a sign during a check is kept for right after it.
 */
class Pace {
  private woken = false;
  private wake?: () => void;

  constructor(readonly intervalMs: number) {}

  /** The child gave a sign: check now. */
  poke(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Waits `intervalMs`, or less if poked meanwhile (or before). */
  async sleep(): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.wake = undefined;
    this.woken = false;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, child: ChildProcess, pace: Pace): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // An exit is a sign too: the wait ends at once instead of after the interval.
  const exited = () => pace.poke();
  child.once('exit', exited);
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${what} exited (${exitReason(child)}) before it was ready`);
      if (await check().catch(() => false)) return;
      await pace.sleep();
    }
  } finally {
    child.off('exit', exited);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

async function isReady(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1500) });
  await res.arrayBuffer();
  return res.status === 200;
}

async function tcpOpen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess | undefined, graceMs = 10000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function exitReason(child: { exitCode: number | null; signalCode: NodeJS.Signals | null }): string {
  return child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

/** Where a process on this machine connects to reach a server listening on `host`. */
const connectHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

interface SupervisorContext {
  policy: RestartPolicy;
  readyTimeoutMs: number;
  output: (service: string, line: string) => void;
  /** True once the whole suite is stopping: exits are expected then. */
  stopping: () => boolean;
  giveUp: (reason: string) => void;
}

/**
 * One supervised child: started, watched, restarted after an unexpected exit with exponential
 * backoff (counted per `windowMs`), stopped deliberately without a restart.
 */
class Supervised {
  child?: ChildProcess;
  /** Whether the child should be running (false after a deliberate stop). */
  private wanted = false;
  /** Whether it was ready once: exits before that fail the launch instead of being restarted. */
  private watched = false;
  private readonly exits: number[] = [];
  private restartTimer?: NodeJS.Timeout;
  /** A deliberate stop still under way (a start waits for it). */
  private stopped?: Promise<void>;
  /** The child {@link spawnEarly} spawned, until `start()` waits for it. */
  private early?: ChildProcess;

  constructor(
    readonly label: string,
    private readonly spawnChild: () => ChildProcess,
    private readonly ready: () => Promise<boolean>,
    /** How often `ready` is checked; the spawned child pokes it when it gives a sign of being ready. */
    private readonly pace: Pace,
    private readonly ctx: SupervisorContext,
    private readonly hooks: {
      /** Runs when the child exited unexpectedly, before the restart is scheduled. */
      onExit?: () => void;
      /** Runs after a restarted child is ready again. */
      afterRestart?: () => Promise<void>;
      /** What the restart log line adds (the embedded database says what is lost). */
      restartNote?: string;
    } = {},
  ) {}

  /**
   * Spawns the child without waiting for it (the apps load while the database starts); `start()`
   * then waits for this very child, its ready timeout counted from then. An exit meanwhile fails that start.
   */
  spawnEarly(): void {
    this.wanted = true;
    this.watched = false;
    this.early = this.launch();
  }

  /** Starts the child (unless spawned early) and waits until it is ready; rejects if it exits or times out first. */
  async start(): Promise<void> {
    await this.stopped;
    this.wanted = true;
    clearTimeout(this.restartTimer);
    const early = this.early;
    this.early = undefined;
    const running = this.child && this.child.exitCode === null && this.child.signalCode === null;
    // Until it is ready, an exit fails this start instead of being restarted.
    this.watched = false;
    const child = early ?? (running ? this.child! : this.launch());
    try {
      await waitFor(this.ready, this.ctx.readyTimeoutMs, `the ${this.label} process`, child, this.pace);
    } catch (e) {
      if (!this.watched) await stopChild(child);
      throw e;
    }
    this.watched = true;
  }

  /** Stops the child deliberately: it is not restarted. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.early = undefined;
    clearTimeout(this.restartTimer);
    this.stopped = stopChild(this.child);
    await this.stopped;
  }

  private launch(): ChildProcess {
    const child = this.spawnChild();
    this.child = child;
    child.once('exit', () => this.onExit(child));
    return child;
  }

  private onExit(child: ChildProcess): void {
    // A replaced child, a deliberate stop, the suite stopping, or a launch still being waited for.
    if (child !== this.child || !this.wanted || !this.watched || this.ctx.stopping()) return;
    const now = Date.now();
    this.exits.push(now);
    while (this.exits.length && this.exits[0] <= now - this.ctx.policy.windowMs) this.exits.shift();
    const attempt = this.exits.length;
    const { maxRestarts, windowMs, initialDelayMs, maxDelayMs } = this.ctx.policy;
    if (attempt > maxRestarts) {
      this.ctx.giveUp(`${this.label} exited ${attempt} times within ${duration(windowMs)} (last: ${exitReason(child)})`);
      return;
    }
    const delay = Math.min(initialDelayMs * 2 ** (attempt - 1), maxDelayMs);
    const note = this.hooks.restartNote ?? '';
    this.ctx.output(
      'launcher',
      `${this.label} exited (${exitReason(child)}); restarting in ${duration(delay)} (attempt ${attempt}/${maxRestarts})${note}`,
    );
    this.hooks.onExit?.();
    this.restartTimer = setTimeout(() => {
      if (!this.wanted || this.ctx.stopping()) return;
      void this.awaitReady(this.launch())
        .then(() => this.hooks.afterRestart?.())
        .catch(() => undefined);
    }, delay);
  }

  /** Waits for a restarted child; one that never gets ready is killed, which counts as another exit. */
  private async awaitReady(child: ChildProcess): Promise<void> {
    try {
      await waitFor(this.ready, this.ctx.readyTimeoutMs, `the ${this.label} process`, child, this.pace);
      if (child === this.child && !this.ctx.stopping()) this.ctx.output('launcher', `${this.label} is back (pid ${child.pid})`);
    } catch (e) {
      // An exit is handled by onExit; a child that hangs is killed so that it is.
      if (child.exitCode === null && child.signalCode === null && child === this.child) {
        this.ctx.output('launcher', `${(e as Error).message}; killing it`);
        child.kill('SIGKILL');
      }
      throw e;
    }
  }
}

/**
 * The launcher's side of a process hosting one instance of each app (`hosting: 'shared'`): which
 * of them it runs (an app stopped deliberately is left out when the process is restarted), and
 * closing or starting one of them in the running process (libs/foundation/src/launcher-link.ts).
 */
class AppHost {
  /** Apps closed deliberately (stopService) and not started again since. */
  private readonly stopped = new Set<ServiceName>();
  private readonly closing = new Map<string, () => void>();

  constructor(readonly instances: ServiceInstance[]) {}

  /** The process's SUITE_HOSTED_APPS (every app and its port) and SUITE_STOPPED_APPS (those stopped deliberately). */
  hostEnv(): Record<string, string> {
    return {
      [HOSTED_APPS_VARIABLE]: this.instances.map((i) => `${i.name}=${i.port}`).join(','),
      [STOPPED_APPS_VARIABLE]: [...this.stopped].join(','),
    };
  }

  /** Ready when every app it should run answers its readiness check. */
  async ready(): Promise<boolean> {
    const answers = await Promise.all(this.running().map((i) => isReady(i.url)));
    return answers.every(Boolean);
  }

  onMessage(message: unknown): void {
    if (isMessage(message, 'service-stopped')) this.closing.get((message as { service?: unknown }).service as string)?.();
  }

  async stopApp(unit: Supervised, instance: ServiceInstance): Promise<void> {
    this.stopped.add(instance.name);
    const child = unit.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.connected) return;
    const exited = once(child, 'exit');
    const closed = new Promise<void>((resolve) => this.closing.set(instance.name, resolve));
    child.send({ suite: 'stop-service', service: instance.name }, () => undefined);
    await Promise.race([closed, exited]);
    this.closing.delete(instance.name);
  }

  async startApp(unit: Supervised, instance: ServiceInstance, readyTimeoutMs: number): Promise<void> {
    this.stopped.delete(instance.name);
    const child = unit.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.connected) return unit.start();
    child.send({ suite: 'start-service', service: instance.name }, () => undefined);
    await waitFor(() => isReady(instance.url), readyTimeoutMs, `${instance.label} (in the ${unit.label} process)`, child, new Pace(100));
  }

  private running(): ServiceInstance[] {
    return this.instances.filter((i) => !this.stopped.has(i.name));
  }
}

export async function launchSuite(options: SuiteOptions = {}): Promise<RunningSuite> {
  const host = options.host ?? '127.0.0.1';
  const output =
    options.output ??
    ((service: string, line: string) => {
      process.stdout.write(`[${service}] ${line}\n`);
    });
  const replicas = options.replicas ?? 1;
  const hosting: Hosting = options.hosting ?? 'process-per-app';
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a positive integer (got ${replicas})`);
  // The apps boot at the same time on the same cores: more of them take longer.
  const readyTimeoutMs = options.readyTimeoutMs ?? 30000 * replicas;
  const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
  options.signal?.throwIfAborted();
  const began = performance.now();
  const startup: StartupEvent[] = [];
  let launching = true;
  const mark = (label: string, event: StartupEvent['event']) => {
    if (launching) startup.push({ label, event, ms: Math.round(performance.now() - began) });
  };

  let stopping = false;
  let gateway: Promise<{ url: string; app: FastifyInstance }> | undefined;
  let database: Supervised | undefined;
  /** Every app instance and the supervised process it runs in (`host`: a process hosting several). */
  const apps: Array<{ instance: ServiceInstance; unit: Supervised; host?: AppHost }> = [];
  /** The supervised app processes, each once. */
  const units = () => [...new Set(apps.map((a) => a.unit))];
  let reportFailure: (e: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));

  const cleanup = async () => {
    stopping = true;
    // A gateway still starting is closed once it listens.
    const proxy = await gateway?.catch(() => undefined);
    await proxy?.app.close().catch(() => undefined);
    await Promise.all(units().map((u) => u.stop()));
    await database?.stop();
  };
  const ctx: SupervisorContext = {
    policy,
    readyTimeoutMs,
    output,
    stopping: () => stopping,
    giveUp: (reason) => {
      if (stopping) return;
      output('launcher', `${reason}; giving up and stopping the suite`);
      void cleanup().then(() => reportFailure(new Error(`${reason}; the launcher gave up and stopped the suite`)));
    },
  };
  const abort = () => void cleanup();
  options.signal?.addEventListener('abort', abort, { once: true });

  const services = {} as Record<ServiceName, ServiceProcess>;
  try {
    // Every port first, so that nothing waits for anything else: the database, the apps and the
    // base URL start together (each app connects once the database listens, see below).
    const embedded = !options.mongodbUri;
    const ports = await freePorts((embedded ? 1 : 0) + (options.port === 0 ? 1 : 0) + SERVICES.length * replicas, host);
    const databasePort = embedded ? ports.shift()! : 0;
    // With several instances the base URL is the apps' peer URL: its port is needed before it listens.
    const gatewayPort = options.port === 0 ? ports.shift()! : (options.port ?? 8080);
    for (const name of SERVICES) {
      const instances: ServiceInstance[] = [];
      for (let index = 1; index <= replicas; index++) {
        const port = ports.shift()!;
        const label = replicas > 1 ? `${name}#${index}` : name;
        const instance: ServiceInstance = { name, index, label, port, url: `http://${connectHost(host)}:${port}` };
        instances.push(instance);
      }
      const first = instances[0];
      services[name] = {
        name,
        port: first.port,
        url: first.url,
        instances,
        get child() {
          return first.child;
        },
      };
    }

    const mongodbUri = options.mongodbUri ?? `mongodb://${connectHost(host)}:${databasePort}`;
    let databaseInfo: RunningSuite['database'];
    /** Settles when the embedded database listens (at once with a given MONGODB_URI). */
    let databaseReady: Promise<void> = Promise.resolve();
    /** Until then, the apps spawned wait for the launcher's word before they connect. */
    let databaseListens = !embedded;
    if (embedded) {
      const args = [path.join(DIST, 'libs/mongo-embedded/src/cli.js'), '--port', String(databasePort), '--host', host];
      const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
      if (dataDir) args.push('--data', dataDir);
      // Its "listening" line is the sign to check the port.
      const pace = new Pace(50);
      const db: Supervised = new Supervised(
        'mongo',
        () => {
          const child = spawn(process.execPath, [...profilingArgs(), ...databaseHeapArgs(), ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env },
          });
          mark('mongo', 'spawned');
          pipeLines(child, 'mongo', (service, line) => {
            output(service, line);
            if (line.includes(' listening on ')) mark('mongo', 'listening');
            pace.poke();
          });
          return child;
        },
        () => tcpOpen(databasePort, connectHost(host)),
        pace,
        ctx,
        // Same port, same data directory. Without one, everything stored is gone: the apps are
        // stopped until the database is back and then started afresh, so none keeps believing
        // its collections and indexes exist (it would write to collections without their indexes).
        dataDir
          ? { restartNote: ` (same data directory ${dataDir})` }
          : {
              restartNote: '; it kept its data in memory only: everything stored so far is lost, and the apps restart after it',
              onExit: () => void Promise.all(units().map((u) => u.stop())),
              afterRestart: async () => {
                await Promise.all(
                  units().map((u) =>
                    u.start().catch((e: Error) => ctx.giveUp(`${u.label} did not start again after the database restart: ${e.message}`)),
                  ),
                );
              },
            },
      );
      database = db;
      // Spawned first: the apps wait for it.
      db.spawnEarly();
      databaseReady = db.start().then(() => {
        databaseListens = true;
        mark('mongo', 'ready');
      });
      databaseInfo = {
        port: databasePort,
        dataDir,
        get child() {
          return db.child;
        },
      };
    }

    // Conventions §12: a peer URL set in this process's environment or in options.env wins;
    // otherwise one instance talks to its peer directly, several through the balancing gateway.
    const internalBase = `http://${connectHost(host)}:${gatewayPort}`;
    const overrides = { ...process.env, ...options.env };
    const peerUrls = Object.fromEntries(
      SERVICES.map((n) => [n, overrides[PEER_URL_VARIABLES[n]] || (replicas > 1 ? internalBase : services[n].url)]),
    ) as Record<ServiceName, string>;
    const appEnv = (instance: ServiceInstance): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
      for (const n of SERVICES) env[PEER_URL_VARIABLES[n]] = peerUrls[n];
      env.PORT = String(instance.port);
      env.HOST = host;
      env.MONGODB_URI = mongodbUri;
      // A local suite delivers webhooks to receivers on this machine (the README walkthrough);
      // production never opens them unless the operator says so (apps/webhook/README.md "Destinations").
      if (env.WEBHOOK_ALLOWED_DESTINATIONS === undefined && env.NODE_ENV !== 'production') env.WEBHOOK_ALLOWED_DESTINATIONS = 'loopback';
      // The app loads its modules while the database starts, and connects when told it listens.
      if (databaseListens) delete env[DATABASE_GATE_VARIABLE];
      else env[DATABASE_GATE_VARIABLE] = 'ipc';
      return env;
    };

    /** Relays what a spawned app process says: it loaded (and waits for the database), it listens. */
    const link = (child: ChildProcess, label: string, pace: Pace, listening: (service: unknown) => string = () => label) => {
      child.on('message', (message) => {
        if (isMessage(message, 'listening')) {
          mark(listening((message as { service?: unknown }).service), 'listening');
          pace.poke();
        }
        if (isMessage(message, 'waiting-for-database')) {
          mark(label, 'loaded');
          // A failed database fails the launch: the app is stopped with everything else.
          databaseReady.then(() => child.connected && child.send(DATABASE_READY, () => undefined)).catch(() => undefined);
        }
      });
    };
    const spawnApp = (script: string, label: string, env: NodeJS.ProcessEnv) => {
      const child = spawn(process.execPath, [...profilingArgs(), path.join(DIST, script)], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env,
      });
      mark(label, 'spawned');
      pipeLines(child, label, output);
      return child;
    };

    if (hosting === 'shared') {
      // One process per replica hosts instance <index> of every app.
      for (let index = 1; index <= replicas; index++) {
        const label = replicas > 1 ? `apps#${index}` : 'apps';
        const host = new AppHost(SERVICES.map((n) => services[n].instances[index - 1]));
        const pace = new Pace(250);
        const unit = new Supervised(
          label,
          () => {
            const env = { ...appEnv(host.instances[0]), ...host.hostEnv() };
            delete env.PORT;
            const child = spawnApp('tools/app-host-main.js', label, env);
            link(child, label, pace, (service) => host.instances.find((i) => i.name === service)?.label ?? label);
            child.on('message', (message) => host.onMessage(message));
            return child;
          },
          () => host.ready(),
          pace,
          ctx,
        );
        for (const instance of host.instances) {
          Object.defineProperty(instance, 'child', { get: () => unit.child, enumerable: true });
          apps.push({ instance, unit, host });
        }
      }
    } else {
      for (const name of SERVICES) {
        for (const instance of services[name].instances) {
          // The app says when it listens (IPC); the slow polling only backs that up.
          const pace = new Pace(250);
          const unit = new Supervised(
            instance.label,
            () => {
              const child = spawnApp(`apps/${name}/src/main.js`, instance.label, appEnv(instance));
              link(child, instance.label, pace);
              return child;
            },
            () => isReady(instance.url),
            pace,
            ctx,
          );
          Object.defineProperty(instance, 'child', { get: () => unit.child, enumerable: true });
          apps.push({ instance, unit });
        }
      }
    }
    // The apps load their modules meanwhile; their ready timeout counts from when the database is
    // ready, as if they had been started then (they cannot be ready before it).
    for (const unit of units()) unit.spawnEarly();
    const appsReady = databaseReady.then(() =>
      Promise.all(
        units().map((unit) =>
          unit.start().then(() => {
            for (const a of apps) if (a.unit === unit) mark(a.instance.label, 'ready');
          }),
        ),
      ),
    );

    // The base URL, while the apps load (loading the gateway takes a while of its own): once the
    // database listens, so that it does not slow the database down (the apps wait for that one).
    gateway = databaseReady
      .then(() => import('./gateway'))
      .then(async ({ startGateway }) => {
        mark('gateway', 'loaded');
        const upstreams = Object.fromEntries(SERVICES.map((n) => [n, services[n].instances.map((i) => i.url)]));
        const listening = await startGateway({ port: gatewayPort, host, upstreams: upstreams as Record<ServiceName, string[]> });
        mark('gateway', 'listening');
        return listening;
      });
    const [started] = await Promise.all([gateway, appsReady]);
    options.signal?.throwIfAborted();
    options.signal?.removeEventListener('abort', abort);
    launching = false;

    const instancesOf = (name: ServiceName, index?: number) =>
      apps.filter((a) => a.instance.name === name && (index === undefined || a.instance.index === index));
    return {
      baseUrl: started.url,
      mongodbUri,
      services,
      database: databaseInfo,
      peerUrls,
      stopService: async (name, index) => {
        await Promise.all(instancesOf(name, index).map((a) => (a.host ? a.host.stopApp(a.unit, a.instance) : a.unit.stop())));
      },
      startService: async (name, index) => {
        await Promise.all(
          instancesOf(name, index).map((a) => (a.host ? a.host.startApp(a.unit, a.instance, readyTimeoutMs) : a.unit.start())),
        );
      },
      failed,
      stop: cleanup,
      startup,
    };
  } catch (e) {
    options.signal?.removeEventListener('abort', abort);
    await cleanup();
    throw options.signal?.aborted ? new Error('the launch was stopped', { cause: e }) : e;
  }
}
