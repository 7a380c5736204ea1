import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, SERVICES } from '../../launcher';
import { percentile, report, startBaseline } from '../bench-kit';

/** The repository root (this file runs as dist/tools/bench/scenarios/startup.js). */
const ROOT = path.resolve(__dirname, '../../../..');
/** How often the client asks /health/ready: the figure's resolution (each ask costs the gateway four probes). */
const POLL_MS = 50;

export interface StartupOptions {
  /** Launches measured (default 5). */
  runs: number;
}

interface Launch {
  /** Spawn to the first 200 of GET <base>/health/ready. */
  readyMs: number;
  /** Spawn to the "Commerce suite ready" line. */
  bannerMs: number;
  /** CPU time (user + system) each process had used at that 200, by process (Linux only). */
  cpuMs?: { launcher: number; database: number; apps: number };
  /** The launcher's own account of the launch (LAUNCHER_PRINT_STARTUP=1). */
  timeline: string[];
}

/**
 * Issue 15: `npm start` until /health/ready answers 200. Each run spawns `node dist/tools/start.js`
 * as `npm start` does after its build check, on a free port with a fresh DATA_DIR, and asks the
 * base URL's /health/ready every {@link POLL_MS} ms until it answers 200; then stops it (SIGTERM).
 * Anchors measured in the same run: `node -e 0`, a bare Nest-on-Fastify app until it answers, and
 * `start.js --process-per-app` (each app in its own process, as before the apps shared one).
 * The build check (`node tools/build.js --if-needed`, nothing to build) is timed on its own: it runs
 * before start.js and adds to `npm start`. Run it on a quiet machine: every process of the suite
 * boots at once on the same cores, so anything else running shows in the figure.
 */
export async function startupScenario(options: StartupOptions): Promise<void> {
  const runs = Math.max(1, options.runs);
  const nodeZero: number[] = [];
  const bareNest: number[] = [];
  const buildCheck: number[] = [];
  const launches: Launch[] = [];
  const perApp: Launch[] = [];
  for (let i = 0; i < runs; i++) {
    nodeZero.push(timeSync(() => spawnSync(process.execPath, ['-e', '0'])));
    bareNest.push(await bareNestStart());
    buildCheck.push(timeSync(() => spawnSync(process.execPath, [path.join(ROOT, 'tools/build.js'), '--if-needed'], { cwd: ROOT })));
    launches.push(await launch([]));
    perApp.push(await launch(['--process-per-app']));
  }
  const ready = launches.map((l) => l.readyMs);
  const median = percentile(ready, 50);
  const medianRun = launches.find((l) => l.readyMs === median)!;
  const anchor = percentile(bareNest, 50);
  report({
    scenario: 'startup',
    figure: `node dist/tools/start.js until /health/ready is 200, fresh DATA_DIR, ${runs} runs`,
    value: `${Math.round(median)} ms`,
    ratio: `${(median / anchor).toFixed(1)}x the bare Nest app`,
    note:
      `median; max ${Math.round(Math.max(...ready))} ms; "ready" line ${Math.round(medianRun.bannerMs)} ms; ` +
      `polled every ${POLL_MS} ms; goal <= 2,000 ms on an idle machine`,
  });
  if (medianRun.cpuMs) {
    const { launcher, database, apps } = medianRun.cpuMs;
    report({
      scenario: 'startup',
      figure: 'CPU time spent until then (median run)',
      value: `${((launcher + database + apps) / 1000).toFixed(1)} s`,
      note: `launcher and gateway ${launcher} ms, database ${database} ms, the ${SERVICES.length} apps (one process) ${apps} ms`,
    });
  }
  const perAppReady = percentile(
    perApp.map((l) => l.readyMs),
    50,
  );
  const perAppCpu = perApp.find((l) => l.readyMs === perAppReady)?.cpuMs;
  report({
    scenario: 'startup',
    figure: `anchor: the same with --process-per-app (each app in its own process), ${runs} runs`,
    value: `${Math.round(perAppReady)} ms`,
    ratio: `${(perAppReady / anchor).toFixed(1)}x the bare Nest app`,
    note: perAppCpu
      ? `median; CPU until ready ${((perAppCpu.launcher + perAppCpu.database + perAppCpu.apps) / 1000).toFixed(1)} s, ` +
        `the ${SERVICES.length} app processes ${perAppCpu.apps} ms`
      : 'median',
  });
  report({ scenario: 'startup', figure: 'anchor: bare Nest app (Fastify) until it answers', value: `${Math.round(anchor)} ms` });
  report({ scenario: 'startup', figure: 'anchor: node -e 0', value: `${Math.round(percentile(nodeZero, 50))} ms` });
  report({
    scenario: 'startup',
    figure: 'build check before it (tools/build.js --if-needed, up to date)',
    value: `${Math.round(percentile(buildCheck, 50))} ms`,
  });
  process.stdout.write(`  the launcher's account of the median run (ms since the launch began):\n`);
  for (const line of medianRun.timeline) process.stdout.write(`    ${line.replace(/^startup: /, '')}\n`);
}

function timeSync(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Spawn of the bare Nest app (tools/bench/baseline-app.ts) until its first answer. */
async function bareNestStart(): Promise<number> {
  const t0 = performance.now();
  const app = await startBaseline();
  try {
    const res = await fetch(`${app.url}/hello`);
    await res.arrayBuffer();
    return performance.now() - t0;
  } finally {
    await app.stop();
  }
}

async function launch(args: string[]): Promise<Launch> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-startup-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    AUTH_HS256_SECRET: 'bench-startup-secret',
    NODE_ENV: 'development',
    LAUNCHER_PRINT_STARTUP: '1',
    // A busy machine makes a slow figure, not a failed one.
    LAUNCHER_READY_TIMEOUT_MS: process.env.LAUNCHER_READY_TIMEOUT_MS ?? '120000',
  };
  for (const k of [
    'MONGODB_URI',
    'REPLICAS',
    'CUSTOMER_SEGMENT_URL',
    'COUPON_URL',
    'CATEGORY_URL',
    'WEBHOOK_URL',
    'LAUNCHER_PROCESS_PER_APP',
  ])
    delete env[k];
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/tools/start.js'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let bannerMs = NaN;
  collect(child, (line) => {
    if (Number.isNaN(bannerMs) && line.startsWith('Commerce suite ready')) bannerMs = performance.now() - t0;
    lines.push(line);
  });
  try {
    const readyMs = await pollReady(`http://127.0.0.1:${port}/health/ready`, child, t0, lines);
    const cpuMs = cpuOfTree(child.pid!);
    // The banner (and the timeline after it) follow the readiness of the last app.
    const deadline = Date.now() + 60_000;
    while (!lines.some((l) => l.startsWith('startup: gateway')) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return { readyMs, bannerMs, cpuMs, timeline: lines.filter((l) => l.startsWith('startup: ')) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function collect(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      parts.forEach(onLine);
    });
  }
}

async function pollReady(url: string, child: ChildProcess, t0: number, lines: string[]): Promise<number> {
  const deadline = t0 + 120_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited (code ${child.exitCode}):\n${lines.slice(-20).join('\n')}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then(async (res) => (await res.arrayBuffer(), res.status === 200))
      .catch(() => false);
    if (ok) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`npm start was not ready within 120 s:\n${lines.slice(-20).join('\n')}`);
}

/** CPU time of start.js (launcher and gateway), the database and the apps, from /proc; undefined elsewhere. */
function cpuOfTree(pid: number): Launch['cpuMs'] {
  try {
    const ticks = (p: number) => {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    let database = 0;
    let apps = 0;
    for (const c of children) {
      if (readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('mongo-embedded')) database += ticks(c);
      else apps += ticks(c);
    }
    return { launcher: ticks(pid), database, apps };
  } catch {
    return undefined;
  }
}
