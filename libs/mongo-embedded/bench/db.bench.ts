// `npm run bench:db`: throughput of the embedded server through the official driver, each figure
// next to the same workload on a plain in-process Map (or sorted array for ranges) measured in
// the same run. The server runs in a child process (its own core) unless `--in-process`.
//
// Options: --docs N (default 1,000,000), --seconds S per workload (default 3), --clients C
// (concurrent operations, default 16), --workers W (driver threads, default 2), --in-process,
// --server-prof DIR (the server child writes a CPU profile there when it stops).
//
// Point reads and inserts also run against `null-server.ts`, which answers every command with a
// prepared reply and does no work, in one-second slices alternating with the real runs: no server
// can be faster through the driver on this machine, so each figure is printed as a share of that
// ceiling too.

import { ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Db, MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src';
import { CursorManager } from '../src/commands/cursors';
import { runCommand } from '../src/commands/dispatch';
import { Engine } from '../src/storage/engine';
import { encodeOpMsg } from '../src/wire/protocol';

interface Args {
  docs: number;
  seconds: number;
  clients: number;
  inProcess: boolean;
  workers: number;
  serverProf?: string;
}

function parseArgs(): Args {
  const a: Args = { docs: 1_000_000, seconds: 3, clients: 16, inProcess: false, workers: 2 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--docs') a.docs = Number(argv[++i]);
    else if (argv[i] === '--seconds') a.seconds = Number(argv[++i]);
    else if (argv[i] === '--clients') a.clients = Number(argv[++i]);
    else if (argv[i] === '--in-process') a.inProcess = true;
    else if (argv[i] === '--workers') a.workers = Math.max(1, Number(argv[++i]));
    else if (argv[i] === '--server-prof') a.serverProf = argv[++i];
  }
  return a;
}

async function startServer(inProcess: boolean, prof?: string): Promise<{ uri: string; stop: () => Promise<void> }> {
  if (inProcess) {
    const s = await EmbeddedMongo.start({ port: 0, quiet: true });
    return { uri: s.uri, stop: () => s.stop() };
  }
  const profile = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  return spawnServer([...profile, path.join(__dirname, '..', 'src', 'cli.js'), '--port', '0', '--quiet']);
}

/** Starts a server script in a child process and waits for its `listening on <uri>` line. */
async function spawnServer(argv: string[]): Promise<{ uri: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--max-old-space-size=8192', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error('server exited ' + c)));
  });
  return {
    uri,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

type Doc = Record<string, unknown>;

type Workload = 'idRead' | 'skuRead' | 'insert' | 'rangeBig' | 'rangeSmall';

/** The operation of a workload; `tag` keeps generated unique keys apart between workers. */
let seq = 0; // per thread, across slices: inserted keys never repeat

function opFor(w: Workload, db: Db, N: number, tag: string): (i: number) => Promise<unknown> {
  const big = db.collection('big');
  switch (w) {
    case 'idRead':
      return () => big.findOne({ _id: rand(N) } as never);
    case 'skuRead':
      return () => big.findOne({ sku: `sku${rand(N)}` });
    case 'insert':
      return () => db.collection('ins').insertOne({ sku: `i${tag}_${seq++}`, n: seq });
    case 'rangeBig':
      return () => {
        const x = rand(N - 100);
        return big.find({ n: { $gte: x, $lt: x + 100 } }).toArray();
      };
    case 'rangeSmall':
      return () => {
        const x = rand(900);
        return db
          .collection('small')
          .find({ n: { $gte: x, $lt: x + 100 } })
          .toArray();
      };
  }
}

/** Loops `op` with `conc` concurrent operations until `end`; returns how many completed. */
async function loop(end: number, conc: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let count = 0;
  await Promise.all(
    Array.from({ length: conc }, async (_, w) => {
      let i = w;
      while (Date.now() < end) {
        await op(i);
        i += conc;
        count++;
      }
    }),
  );
  return count;
}

// Driver work is spread over worker threads (each with its own MongoClient), so the driver can
// use more than one core: on a 2-core machine one driver thread is the bottleneck, not the server.
if (!isMainThread) {
  const { uri, N, id } = workerData as { uri: string; N: number; id: number };
  void (async () => {
    const client = await MongoClient.connect(uri, { maxPoolSize: 16 });
    const db = client.db('bench');
    parentPort!.on('message', async (m: { w: Workload; end: number; conc: number } | 'close') => {
      if (m === 'close') {
        await client.close();
        process.exit(0);
      }
      const count = await loop(m.end, m.conc, opFor(m.w, db, N, `w${id}`));
      parentPort!.postMessage(count);
    });
    parentPort!.postMessage('ready');
  })();
}

/** Driver threads connected to the embedded server, and to the null server (the ceiling). */
let pool: Worker[] = [];
let nullPool: Worker[] = [];

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map((w) => {
      const exited = new Promise((r) => w.once('exit', r));
      w.postMessage('close');
      return exited;
    }),
  );
}

async function startWorkers(n: number, uri: string, N: number): Promise<Worker[]> {
  return Promise.all(
    Array.from({ length: n }, (_, id) => {
      const w = new Worker(__filename, { workerData: { uri, N, id } });
      return new Promise<Worker>((resolve) => w.once('message', () => resolve(w)));
    }),
  );
}

interface Slice {
  count: number;
  secs: number;
  cpu: NodeJS.CpuUsage;
  server: number;
}

/** Runs workload `w` on `workers` for `ms` milliseconds; counts operations and CPU on both sides. */
async function runSlice(workers: Worker[], w: Workload, ms: number, clients: number, probe: CpuProbe): Promise<Slice> {
  const cpu0 = process.cpuUsage();
  const srv0 = await probe();
  const started = process.hrtime.bigint();
  const end = Date.now() + ms;
  const per = Math.ceil(clients / workers.length);
  const counts = await Promise.all(
    workers.map(
      (wk) =>
        new Promise<number>((resolve) => {
          wk.once('message', (c: number) => resolve(c));
          wk.postMessage({ w, end, conc: per });
        }),
    ),
  );
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return { count: counts.reduce((a, b) => a + b, 0), secs, cpu: process.cpuUsage(cpu0), server: (await probe()) - srv0 };
}

function addSlice(total: Slice, s: Slice): void {
  total.count += s.count;
  total.secs += s.secs;
  total.cpu = { user: total.cpu.user + s.cpu.user, system: total.cpu.system + s.cpu.system };
  total.server += s.server;
}

/** Runs a workload on the worker threads (or here without workers); returns operations per second. */
async function measureWorkload(w: Workload, seconds: number, clients: number, db: Db, N: number): Promise<number> {
  if (pool.length === 0) return measure(seconds, clients, opFor(w, db, N, 'main'));
  const s = await runSlice(pool, w, seconds * 1000, clients, serverCpu);
  lastCpu = cpuLine(s.cpu, s.server, s.count);
  return s.count / s.secs;
}

/**
 * Runs workload `w` against the embedded server and against the null server in alternating
 * one-second slices, so both see the same machine (its speed drifts by 2x within minutes here).
 * Returns operations per second for each.
 */
async function measureAgainstCeiling(w: Workload, seconds: number, clients: number): Promise<{ value: number; ceiling: number }> {
  const zero = (): Slice => ({ count: 0, secs: 0, cpu: { user: 0, system: 0 }, server: 0 });
  const real = zero();
  const ceil = zero();
  for (let i = 0; i < seconds; i++) {
    addSlice(ceil, await runSlice(nullPool, w, 1000, clients, async () => 0));
    addSlice(real, await runSlice(pool, w, 1000, clients, serverCpu));
  }
  lastCpu =
    cpuLine(real.cpu, real.server, real.count) +
    `; against the null server: driver ${Math.round((ceil.cpu.user + ceil.cpu.system) / ceil.count)} us`;
  return { value: real.count / real.secs, ceiling: ceil.count / ceil.secs };
}

type CpuProbe = () => Promise<number>;
/** The embedded server's CPU time in microseconds. */
let serverCpu: CpuProbe = async () => 0;

function cpuLine(driver: NodeJS.CpuUsage, server: number, count: number): string {
  return `   (CPU per op: driver ${Math.round((driver.user + driver.system) / count)} us, server ${Math.round(server / count)} us)`;
}

/**
 * Runs `op` from `clients` concurrent loops for `seconds`; returns operations per second and
 * prints the CPU time per operation on each side, so a driver-bound figure is recognisable.
 */
async function measure(seconds: number, clients: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let count = 0;
  const cpu0 = process.cpuUsage();
  const srv0 = await serverCpu();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, w) => {
      let i = w;
      while (Date.now() < end) {
        await op(i);
        i += clients;
        count++;
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const srv = (await serverCpu()) - srv0;
  lastCpu = cpuLine(cpu, srv, count);
  return count / secs;
}
let lastCpu = '';

/** Same for synchronous baseline work (single thread, no concurrency to speak of). */
function measureSync(seconds: number, op: (i: number) => unknown): number {
  const end = Date.now() + seconds * 1000;
  let count = 0;
  const started = process.hrtime.bigint();
  while (Date.now() < end) {
    for (let k = 0; k < 1000; k++) op(count++);
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rows: Array<[string, string, string, string]> = [];
function report(name: string, value: number, unit: string, baseline?: number, ceiling?: number): void {
  let ratio = baseline ? `${(baseline / value).toFixed(0)}x slower than Map (${fmt(baseline)} ${unit})` : '';
  if (ceiling) ratio += `; null server ${fmt(ceiling)} ${unit} (${Math.round((100 * value) / ceiling)}% of that ceiling)`;
  rows.push([name, fmt(value), unit, ratio]);
  console.log(`${name.padEnd(52)} ${fmt(value).padStart(12)} ${unit.padEnd(9)} ${ratio}${lastCpu}`);
  lastCpu = '';
}

function rand(n: number): number {
  return Math.floor(Math.random() * n);
}

async function main(): Promise<void> {
  const args = parseArgs();
  const N = args.docs;
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  console.log(
    `embedded-mongo bench: ${fmt(N)} docs, ${args.clients} concurrent clients, ${args.seconds}s per workload, server ` +
      `${args.inProcess ? 'in-process' : 'in a child process'}, driver on ${args.workers} worker thread(s), node ${process.version}`,
  );
  const nullServer = await spawnServer([path.join(__dirname, 'null-server.js')]);
  const server = await startServer(args.inProcess, args.serverProf);
  const client = await MongoClient.connect(server.uri, { maxPoolSize: args.clients });
  const db = client.db('bench');
  serverCpu = async () => {
    const x = (await db.admin().command({ serverStatus: 1 })).extra_info;
    return Number(x.user_time_us) + Number(x.system_time_us);
  };
  const status = async (): Promise<number> => ((await db.admin().command({ serverStatus: 1 })).mem.resident as number) * 1048576;

  // --- baseline structures (same process as the driver) ---
  const map = new Map<number, { _id: number; sku: string; n: number; cat: number }>();
  const bySku = new Map<string, number>();
  const sortedN: number[] = [];
  const doc = (i: number): { _id: number; sku: string; n: number; cat: number } => ({ _id: i, sku: `sku${i}`, n: i, cat: i % 100 });

  // --- load ---
  const big = db.collection('big');
  await big.createIndex({ sku: 1 }, { unique: true });
  await big.createIndex({ n: 1 });
  const rssBefore = await status();
  const loadStart = Date.now();
  const batch = 10_000;
  for (let i = 0; i < N; i += batch) {
    await big.insertMany(Array.from({ length: Math.min(batch, N - i) }, (_, k) => doc(i + k)) as never[], { ordered: false });
  }
  const loadSecs = (Date.now() - loadStart) / 1000;
  for (let i = 0; i < N; i++) {
    const d = doc(i);
    map.set(i, d);
    bySku.set(d.sku, i);
    sortedN.push(i);
  }
  if (global.gc) global.gc();
  const rssAfter = await status();
  report(`load ${fmt(N)} docs (insertMany x ${fmt(batch)}, 2 secondary idx)`, N / loadSecs, 'docs/s');
  report('resident memory per 100k small docs (3 indexes)', (rssAfter - rssBefore) / (N / 100_000) / 1048576, 'MiB');

  // --- point reads (after a warm-up that opens every pooled connection and warms the JIT) ---
  // The null server answers every command with a prepared reply and does no work: the same load
  // against it, in slices alternating with the real one, is the most any server could get here.
  pool = await startWorkers(args.workers, server.uri, N);
  nullPool = await startWorkers(args.workers, nullServer.uri, N);
  await runSlice(pool, 'idRead', 1000, args.clients, serverCpu);
  await runSlice(nullPool, 'idRead', 1000, args.clients, async () => 0);
  const mapGet = measureSync(1, (i) => map.get(i % N));
  const idRead = await measureAgainstCeiling('idRead', args.seconds, args.clients);
  report('point read by _id (findOne)', idRead.value, 'ops/s', mapGet, idRead.ceiling);
  const skuGet = measureSync(1, (i) => map.get(bySku.get(`sku${i % N}`)!));
  const skuRead = await measureAgainstCeiling('skuRead', args.seconds, args.clients);
  report('point read by unique secondary index (sku)', skuRead.value, 'ops/s', skuGet, skuRead.ceiling);

  // --- inserts ---
  const ins = db.collection('ins');
  await ins.createIndex({ sku: 1 }, { unique: true });
  const baseMap = new Map<number, unknown>();
  const mapSet = measureSync(1, (i) => baseMap.set(i, doc(i)));
  const insert = await measureAgainstCeiling('insert', args.seconds, args.clients);
  report('single insertOne (unique secondary index)', insert.value, 'ops/s', mapSet, insert.ceiling);
  const many = db.collection('many');
  let mseq = 0;
  const manyRate = await measure(args.seconds, Math.min(4, args.clients), () =>
    many.insertMany(Array.from({ length: 1000 }, () => ({ k: mseq++ }))),
  );
  const mapMany = measureSync(1, (i) => {
    for (let k = 0; k < 1000; k++) baseMap.set(i * 1000 + k + 1e9, { k });
  });
  report('insertMany of 1,000 docs', manyRate, 'batch/s', mapMany);

  // --- indexed range queries: 100 results over N docs vs over 1k docs ---
  const lowerBound = (arr: number[], x: number): number => {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (arr[m] < x) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  const rangeBase = measureSync(1, (i) => {
    const s = lowerBound(sortedN, (i * 7919) % (N - 100));
    return sortedN.slice(s, s + 100).map((k) => map.get(k));
  });
  const rangeBig = await measureWorkload('rangeBig', args.seconds, args.clients, db, N);
  report(`indexed range query, 100 results of ${fmt(N)} docs`, rangeBig, 'ops/s', rangeBase);
  const small = db.collection('small');
  await small.createIndex({ n: 1 });
  await small.insertMany(Array.from({ length: 1000 }, (_, i) => doc(i)) as never[]);
  const rangeSmall = await measureWorkload('rangeSmall', args.seconds, args.clients, db, N);
  report('indexed range query, 100 results of 1,000 docs', rangeSmall, 'ops/s');
  console.log(`range query cost ratio ${fmt(N)} vs 1k docs: ${(rangeSmall / rangeBig).toFixed(2)}x`);

  const ex = await big.find({ n: { $gte: 5000, $lt: 5100 } }).explain('executionStats');
  console.log(
    `explain of the range query: docsExamined=${ex.executionStats.totalDocsExamined} keysExamined=${ex.executionStats.totalKeysExamined}`,
  );

  await heavyPaths(db);

  await stopWorkers(pool);
  await stopWorkers(nullPool);
  await client.close();
  await server.stop();
  await nullServer.stop();
  directCosts(N);
  console.log(
    `load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

/**
 * Runs `op` once to warm up, then `reps` times in a row; prints wall and server CPU per op, as
 * the mean and the median of the repetitions (a collection of the 1M-document heap in the
 * server, which any operation may trigger, moves the mean but not the median).
 */
async function timeOp(name: string, reps: number, op: () => Promise<unknown>): Promise<void> {
  await op();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const srv0 = await serverCpu();
    const t0 = process.hrtime.bigint();
    await op();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push(((await serverCpu()) - srv0) / 1000);
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `${name.padEnd(66)} ${mean(wall).toFixed(1).padStart(8)} ms/op (median ${median(wall).toFixed(1)})` +
      `   (server CPU ${mean(cpu).toFixed(1)} ms/op, median ${median(cpu).toFixed(1)})`,
  );
}

/**
 * Heavy single operations through the driver, one at a time: a large find (BSON on both sides),
 * a 1,000-id `$in`, multi-document updates and a batch of guarded upserts.
 */
async function heavyPaths(db: Db): Promise<void> {
  const items = db.collection('heavy_items');
  await items.insertMany(
    Array.from({ length: 16_000 }, (_, i) => ({
      _id: i,
      sku: `SKU-${i}`,
      name: `Product name number ${i}`,
      price: { amount: i * 1.5, currency: 'EUR' },
      tags: ['a', 'b', `tag${i % 50}`],
      qty: i % 100,
      active: i % 2 === 0,
      desc: 'x'.repeat(120),
    })) as never[],
  );
  const upd = db.collection('heavy_upd');
  await upd.insertMany(Array.from({ length: 5000 }, (_, i) => ({ _id: i, list: [1, 2, 3, i], n: i })) as never[]);
  const bulk = db.collection('heavy_bulk');
  await bulk.createIndex({ key: 1 }, { unique: true });
  const ids = Array.from({ length: 1000 }, (_, i) => i * 16);
  let k = 0;
  await timeOp('find({}) returning 16,000 docs of ~300 bytes', 5, () => items.find({}).toArray());
  await timeOp('find({_id: {$in: [1,000 ids]}})', 20, () => items.find({ _id: { $in: ids } } as never).toArray());
  await timeOp('updateMany $set of an array field on 5,000 docs', 5, () =>
    upd.updateMany({}, { $set: { list: [++k, k + 1, k + 2, k + 3] } }),
  );
  await timeOp('updateMany pipeline $concatArrays/$slice/$indexOfArray, 5,000 docs', 5, () =>
    upd.updateMany({}, [{ $set: { list: { $slice: [{ $concatArrays: ['$list', [++k]] }, -5] }, pos: { $indexOfArray: ['$list', 3] } } }]),
  );
  await timeOp('bulkWrite of 200 updateOne upserts with guarded filters', 10, () => {
    const ver = ++k;
    return bulk.bulkWrite(
      Array.from({ length: 200 }, (_, i) => ({
        updateOne: {
          filter: { key: `k${i}`, ver: { $lt: ver } },
          update: { $set: { ver, data: { i, b: [1, 2, 3] } }, $setOnInsert: { created: new Date() } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  });
  // The bulk customer upsert of the segment service: ordered, 200 upserts by the unique
  // (segmentId, customerId, legalEntityId) key, guarded by the version read (equality).
  const cust = db.collection('heavy_cust');
  await cust.createIndex({ segmentId: 1, customerId: 1, legalEntityId: 1 }, { unique: true });
  await cust.createIndex({ customerId: 1, legalEntityId: 1 });
  let batchNo = 0;
  await timeOp('bulkWrite of 200 upserts by unique key, new documents', 10, () =>
    cust.bulkWrite(serviceUpserts(`b${++batchNo}`, null), { ordered: true }),
  );
  let version = 1;
  await timeOp('bulkWrite of 200 upserts by unique key, existing, version-guarded', 10, () =>
    cust.bulkWrite(serviceUpserts('b1', version++), { ordered: true }),
  );
}

/** 200 upserts shaped like the segment service's bulk assignment writes (guarded when `version` is given). */
function serviceUpserts(batch: string, version: number | null): Array<{ updateOne: { filter: Doc; update: Doc; upsert: true } }> {
  const now = new Date();
  return Array.from({ length: 200 }, (_, i) => ({
    updateOne: {
      filter: {
        segmentId: 'seg-1',
        customerId: `${batch}-c${i}`,
        legalEntityId: null,
        ...(version === null ? {} : { 'metadata.version': version }),
      },
      update: {
        $set: { 'metadata.modifiedAt': now, mixins: { source: 'bench', rank: i } },
        $inc: { 'metadata.version': 1 },
        $setOnInsert: { 'metadata.createdAt': now, assignmentType: 'MANUAL' },
      },
      upsert: true,
    },
  }));
}

/**
 * The server's own cost per command, without sockets or driver: decoded command in, encoded
 * reply out, on an engine holding the same N documents. This is the capacity of one core.
 */
function directCosts(N: number): void {
  const cursors = new CursorManager();
  const ctx = { engine: new Engine(), cursors, connectionId: 0 };
  const run = (body: Record<string, unknown>): void => {
    encodeOpMsg(1, runCommand(ctx, { ...body, $db: 'direct' }));
  };
  run({
    createIndexes: 'big',
    indexes: [
      { key: { sku: 1 }, name: 'sku_1', unique: true },
      { key: { n: 1 }, name: 'n_1' },
    ],
  });
  run({ createIndexes: 'ins', indexes: [{ key: { sku: 1 }, name: 'sku_1', unique: true }] });
  for (let i = 0; i < N; i += 10_000) {
    run({
      insert: 'big',
      documents: Array.from({ length: Math.min(10_000, N - i) }, (_, k) => ({
        _id: i + k,
        sku: `sku${i + k}`,
        n: i + k,
        cat: (i + k) % 100,
      })),
    });
  }
  const time = (name: string, reps: number, f: (i: number) => void): void => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) f(i);
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / reps;
    console.log(`direct (no socket/driver) ${name.padEnd(34)} ${us.toFixed(1).padStart(8)} us/op  = ${fmt(1e6 / us)} ops/s on one core`);
  };
  // Warm-up: lets the collector settle after the load and the JIT compile the read path.
  for (let i = 0; i < 20_000; i++) run({ find: 'big', filter: { _id: rand(N) }, limit: 1, singleBatch: true });
  time('point read by _id', 50_000, () => run({ find: 'big', filter: { _id: rand(N) }, limit: 1, singleBatch: true }));
  time('point read by unique sku', 50_000, () => run({ find: 'big', filter: { sku: `sku${rand(N)}` }, limit: 1, singleBatch: true }));
  time('insert one (unique index)', 50_000, (i) => run({ insert: 'ins', documents: [{ sku: `d${i}`, n: i }] }));
  time('range query, 100 of N docs', 5_000, () => {
    const x = rand(N - 100);
    run({ find: 'big', filter: { n: { $gte: x, $lt: x + 100 } } });
  });
  run({ createIndexes: 'cust', indexes: [{ key: { segmentId: 1, customerId: 1, legalEntityId: 1 }, name: 'key', unique: true }] });
  const upserts = (batch: string, version: number | null): Doc[] =>
    serviceUpserts(batch, version).map(({ updateOne: u }) => ({ q: u.filter, u: u.update, upsert: true }));
  const reps = 200;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) run({ update: 'cust', updates: upserts(`d${i}`, null), ordered: true });
  const newUs = Number(process.hrtime.bigint() - t0) / 1e3 / reps / 200;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) run({ update: 'cust', updates: upserts(`d${i}`, 1), ordered: true });
  const oldUs = Number(process.hrtime.bigint() - t1) / 1e3 / reps / 200;
  console.log(
    `direct (no socket/driver) bulk upsert by unique key, per element: new ${newUs.toFixed(1)} us, ` +
      `existing (guarded) ${oldUs.toFixed(1)} us = ${fmt(1e6 / newUs)} / ${fmt(1e6 / oldUs)} upserts/s on one core`,
  );
  cursors.close();
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
