/**
 * The suite launcher behind `npm start` and the suite-level tests: the embedded MongoDB server
 * (unless MONGODB_URI is given), the three apps as separate processes on internal ports, and one
 * base URL that routes /customer-segment/*, /coupon/* and /category/* to them through
 * @fastify/http-proxy. Peers reach each other on their internal addresses.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SERVICES, ServiceName, startGateway } from './gateway';

export { SERVICES, ServiceName };

// The repository root, whether this file runs compiled (dist/tools) or from source (tools).
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') dir = path.dirname(dir);
  return dir;
})();
const DIST = path.join(ROOT, 'dist');

export interface SuiteOptions {
  /** Base URL port (0 picks a free one). */
  port?: number;
  host?: string;
  /** Use this MongoDB instead of starting the embedded server. */
  mongodbUri?: string;
  /** Data directory of the embedded server; undefined keeps data in memory only. */
  dataDir?: string;
  /** Environment passed to every app (AUTH_*, I18N_*, peer URL overrides, ...). */
  env?: Record<string, string | undefined>;
  /** Where child output goes; default: prefixed lines on this process's stdout/stderr. */
  output?: (service: string, line: string) => void;
  readyTimeoutMs?: number;
}

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  child?: ChildProcess;
}

export interface RunningSuite {
  baseUrl: string;
  mongodbUri: string;
  services: Record<ServiceName, ServiceProcess>;
  /** Stops one app (SIGTERM, then SIGKILL after 10 s). */
  stopService(name: ServiceName): Promise<void>;
  /** Starts a stopped app again on the same internal port and waits until it is ready. */
  startService(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

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

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
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

export async function launchSuite(options: SuiteOptions = {}): Promise<RunningSuite> {
  const host = options.host ?? '127.0.0.1';
  const output =
    options.output ??
    ((service: string, line: string) => {
      process.stdout.write(`[${service}] ${line}\n`);
    });
  const readyTimeoutMs = options.readyTimeoutMs ?? 30000;
  const children: ChildProcess[] = [];
  let mongoChild: ChildProcess | undefined;
  let proxy: FastifyInstance | undefined;

  const cleanup = async () => {
    await proxy?.close().catch(() => undefined);
    await Promise.all(Object.values(services).map((s) => stopChild(s.child)));
    await stopChild(mongoChild);
  };

  const services = {} as Record<ServiceName, ServiceProcess>;
  try {
    let mongodbUri = options.mongodbUri;
    if (!mongodbUri) {
      const port = await freePort(host);
      const args = [path.join(DIST, 'libs/mongo-embedded/src/cli.js'), '--port', String(port), '--host', host];
      if (options.dataDir) args.push('--data', path.resolve(options.dataDir));
      mongoChild = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
      children.push(mongoChild);
      pipeLines(mongoChild, 'mongo', output);
      await waitFor(() => tcpOpen(port, host), readyTimeoutMs, 'the embedded MongoDB server', mongoChild);
      mongodbUri = `mongodb://${host}:${port}`;
    }

    for (const name of SERVICES) {
      const port = await freePort(host);
      services[name] = { name, port, url: `http://${host}:${port}` };
    }
    const peerEnv = {
      CUSTOMER_SEGMENT_URL: services['customer-segment'].url,
      COUPON_URL: services.coupon.url,
      CATEGORY_URL: services.category.url,
    };
    const appEnv = (s: ServiceProcess): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, ...peerEnv };
      // Conventions §12: a peer URL set in the launcher's environment overrides the internal one.
      for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
      env.PORT = String(s.port);
      env.HOST = host;
      env.MONGODB_URI = mongodbUri;
      return env;
    };

    const startService = async (name: ServiceName) => {
      const s = services[name];
      const child = spawn(process.execPath, [path.join(DIST, `apps/${name}/src/main.js`)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: appEnv(s),
      });
      s.child = child;
      children.push(child);
      pipeLines(child, name, output);
      await waitFor(() => isReady(s.url), readyTimeoutMs, `the ${name} service`, child);
    };
    await Promise.all(SERVICES.map((name) => startService(name)));

    const started = await startGateway({
      port: options.port ?? 8080,
      host,
      upstreams: { 'customer-segment': services['customer-segment'].url, coupon: services.coupon.url, category: services.category.url },
    });
    proxy = started.app;
    const address = started.url;

    return {
      baseUrl: address,
      mongodbUri,
      services,
      stopService: async (name) => stopChild(services[name].child),
      startService,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
