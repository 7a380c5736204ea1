/**
 * Load generation and reporting for `npm run bench`: autocannon for the load, figures printed as
 * a table with ratios to the baseline measured in the same run. Performance goals live here, never
 * in timed tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import type { ServiceName } from '../launcher';
import type { BenchContext } from './run';

export interface LoadRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  requests?: LoadRequest[];
  /** A request factory called for every request (varying bodies or paths). */
  next?: () => LoadRequest;
  connections?: number;
  durationSec?: number;
  amount?: number;
  /** Fixed overall request rate (open-model latency measurement). */
  overallRate?: number;
  /** Processes whose CPU time per request is reported ({@link LoadResult.cpuPerRequestUs}); Linux only. */
  cpuOf?: number[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  errors: number;
  non2xx: number;
  durationSec: number;
  /**
   * CPU time (user + system, µs) each process of `cpuOf` spent per request during the load. Unlike
   * requests per second it hardly depends on what else runs on the machine, so it says what a
   * design costs even on a shared machine.
   */
  cpuPerRequestUs?: number[];
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const requests = options.next
    ? [
        {
          setupRequest: (req: Record<string, unknown>) => {
            const r = options.next!();
            return { ...req, method: r.method ?? 'GET', path: r.path, headers: { ...(r.headers ?? {}) }, body: r.body };
          },
        },
      ]
    : options.requests?.map((r) => ({ method: r.method ?? 'GET', path: r.path, headers: r.headers, body: r.body }));
  const cpuBefore = options.cpuOf?.map(cpuTimeUs);
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 10,
    duration: options.durationSec ?? 10,
    amount: options.amount,
    overallRate: options.overallRate,
    requests: requests as autocannon.Request[],
  });
  const durationSec = result.duration;
  return {
    requests: result.requests.total,
    rps: result.requests.total / durationSec,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: (result.latency as unknown as Record<string, number>).p99_9 ?? result.latency.max,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    durationSec,
    cpuPerRequestUs: cpuBefore && options.cpuOf?.map((pid, i) => (cpuTimeUs(pid) - cpuBefore[i]) / Math.max(1, result.requests.total)),
  };
}

/** A process's CPU time so far in µs (utime + stime of /proc/<pid>/stat, in clock ticks of 10 ms); NaN where /proc is absent. */
export function cpuTimeUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/** Sequential latency of a single operation, for things that are not steady-state loads. */
export async function timeOnce<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Starts one of the bench's own apps (`<name>.js` next to this file) as a process and waits for its URL. */
export async function startBenchApp(
  name: string,
  env: Record<string, string | undefined> = {},
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, `${name}.js`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      const m = /listening on (\S+)/.exec(d);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The bare Nest baseline (baseline-app.ts). */
export function startBaseline(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  return startBenchApp('baseline-app');
}

export interface Row {
  scenario: string;
  figure: string;
  value: string;
  ratio?: string;
  note?: string;
}

const rows: Row[] = [];

export function report(row: Row): void {
  rows.push(row);
  if (/non-2xx [1-9]/.test(row.note ?? '')) row.note += ' (!) some requests failed: the figure is not a success rate';
  process.stdout.write(
    `  ${row.scenario} | ${row.figure}: ${row.value}${row.ratio ? ` (${row.ratio})` : ''}${row.note ? `  -- ${row.note}` : ''}\n`,
  );
}

export function printSummary(): void {
  const widths = [0, 0, 0, 0];
  const cells = rows.map((r) => [r.scenario, r.figure, r.value, r.ratio ?? '']);
  for (const c of cells) c.forEach((v, i) => (widths[i] = Math.max(widths[i], v.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join(' | ');
  process.stdout.write(`\n${line(['scenario', 'figure', 'value', 'vs baseline'])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const c of cells) process.stdout.write(`${line(c)}\n`);
}

export const fmt = {
  rps: (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`,
  ms: (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`,
  ratio: (n: number, base: number) => `${((n / base) * 100).toFixed(1)} % of baseline`,
};

/** The processes whose CPU time per request a load reports: apps by name, the database, the gateway and this one (the load generator). */
export function processes(ctx: BenchContext, apps: readonly ServiceName[]): { labels: string[]; pids: number[] } {
  const labels: string[] = [];
  const pids: number[] = [];
  const add = (label: string, pid: number | undefined) => {
    if (pid === undefined) return;
    labels.push(label);
    pids.push(pid);
  };
  for (const app of apps) add(app, ctx.suite.services[app].child?.pid);
  add('database', ctx.suite.database?.child?.pid);
  add('gateway', ctx.gatewayPid);
  add('load', process.pid);
  return { labels, pids };
}

/** "CPU per request: coupon 700 µs, database 300 µs, …" from a load with `cpuOf` (robust on a shared machine). */
export function cpuPerRequest(result: Pick<LoadResult, 'cpuPerRequestUs'>, labels: readonly string[]): string {
  const us = result.cpuPerRequestUs ?? [];
  if (!us.length || us.some((n) => Number.isNaN(n))) return 'CPU per request not measured';
  return `CPU per request: ${labels.map((l, i) => `${l} ${Math.round(us[i])} µs`).join(', ')}`;
}
