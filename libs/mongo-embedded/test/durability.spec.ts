// Durability with a data directory: every acknowledged write survives a SIGKILL of the server
// process and a restart (journal replay), a torn journal tail is tolerated, and background
// compaction keeps the same data. Embedded-only: a real MongoDB is not ours to kill.

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src';

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;
const root = path.resolve(__dirname, '../../..');
const outDir = path.join(root, 'dist', '.mongo-embedded-test');
const cliJs = path.join(outDir, 'libs', 'mongo-embedded', 'src', 'cli.js');

/** Compiles this library alone (SWC, no type check), so the test does not depend on other code. */
function buildCli(): void {
  const swc = path.join(root, 'node_modules', '.bin', 'swc');
  const r = spawnSync(swc, ['libs/mongo-embedded/src', '-d', outDir, '--config-file', '.swcrc', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error('swc failed: ' + r.stderr);
}

async function startCli(dataDir: string, extra: string[] = []): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, [cliJs, '--port', '0', '--data', dataDir, '--quiet', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 15000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (mongodb:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
  return { child, uri };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describeEmbedded('durability', () => {
  let dir: string;
  beforeAll(() => buildCli());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-durable-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write across kill -9 and restart', async () => {
    const a = await startCli(dir);
    const c1 = await MongoClient.connect(a.uri);
    const coll = c1.db('shop').collection('items');
    await coll.createIndex({ sku: 1 }, { unique: true });
    for (let i = 0; i < 300; i++) await coll.insertOne({ _id: i as never, sku: `s${i}`, qty: 0 });
    await coll.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: (1000 + i) as never, sku: `b${i}`, qty: 1 })));
    await coll.updateMany({ _id: { $lt: 100 } } as never, { $inc: { qty: 5 } });
    await coll.deleteMany({ _id: { $gte: 250, $lt: 300 } } as never);
    await coll.findOneAndUpdate({ _id: 7 as never }, { $set: { note: 'last' } });
    await c1.db('shop').collection('gone').insertOne({ x: 1 });
    await c1.db('shop').collection('gone').drop();
    // No close: the process dies with the client still connected.
    await kill9(a.child);
    await c1.close(true).catch(() => undefined);

    const b = await startCli(dir);
    const c2 = await MongoClient.connect(b.uri);
    try {
      const coll2 = c2.db('shop').collection('items');
      expect(await coll2.countDocuments()).toBe(450);
      expect(await coll2.countDocuments({ qty: 5 })).toBe(100);
      expect((await coll2.findOne({ _id: 7 as never }))!.note).toBe('last');
      expect(await coll2.findOne({ _id: 260 as never })).toBeNull();
      expect((await coll2.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'sku_1']);
      expect((await coll2.insertOne({ sku: 's1' }).catch((e) => e)).code).toBe(11000);
      expect((await c2.db('shop').listCollections().toArray()).map((x) => x.name)).toEqual(['items']);
    } finally {
      await c2.close();
      await kill9(b.child);
    }
  });

  it('tolerates a torn last journal record', async () => {
    const a = await startCli(dir);
    const c1 = await MongoClient.connect(a.uri);
    await c1
      .db('d')
      .collection('c')
      .insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
    await kill9(a.child);
    await c1.close(true).catch(() => undefined);
    const journal = fs.readdirSync(dir).find((f) => f.startsWith('journal-'))!;
    // Half of a record: a length prefix promising more bytes than follow.
    fs.appendFileSync(path.join(dir, journal), Buffer.from([0x40, 0, 0, 0, 0x02, 0x6f]));
    const b = await startCli(dir);
    const c2 = await MongoClient.connect(b.uri);
    try {
      expect(await c2.db('d').collection('c').countDocuments()).toBe(2);
      await c2
        .db('d')
        .collection('c')
        .insertOne({ _id: 3 } as never);
    } finally {
      await c2.close();
      await kill9(b.child);
    }
    const c = await startCli(dir);
    const c3 = await MongoClient.connect(c.uri);
    try {
      expect(await c3.db('d').collection('c').countDocuments()).toBe(3);
    } finally {
      await c3.close();
      await kill9(c.child);
    }
  });

  it('compacts in the background without losing writes, even when killed meanwhile', async () => {
    const a = await startCli(dir, ['--compact-after', '20000']);
    const c1 = await MongoClient.connect(a.uri);
    const coll = c1.db('d').collection('c');
    await coll.createIndex({ k: 1 }, { unique: true });
    for (let round = 0; round < 20; round++) {
      await coll.insertMany(Array.from({ length: 50 }, (_, i) => ({ k: round * 50 + i, pad: 'x'.repeat(50) })));
      await coll.updateMany({ k: { $lt: round * 50 } }, { $inc: { rounds: 1 } });
    }
    await kill9(a.child);
    await c1.close(true).catch(() => undefined);
    const files = fs.readdirSync(dir);
    expect(files.some((f) => f.startsWith('snapshot-'))).toBe(true);

    const b = await startCli(dir);
    const c2 = await MongoClient.connect(b.uri);
    try {
      const coll2 = c2.db('d').collection('c');
      expect(await coll2.countDocuments()).toBe(1000);
      // Documents of round r were incremented by every later round: 19 - r times.
      expect(await coll2.countDocuments({ rounds: 19 })).toBe(50);
      expect(await coll2.countDocuments({ rounds: { $exists: false } })).toBe(50);
      expect((await coll2.insertOne({ k: 5 }).catch((e) => e)).code).toBe(11000);
    } finally {
      await c2.close();
      await kill9(b.child);
    }
  });

  it('keeps data across an in-process stop and start, and is memory-only without a data dir', async () => {
    const s1 = await EmbeddedMongo.start({ port: 0, dataDir: dir, quiet: true, compactAfterBytes: 1000 });
    const c1 = await MongoClient.connect(s1.uri);
    await c1
      .db('d')
      .collection('c')
      .insertMany(Array.from({ length: 100 }, (_, i) => ({ i })));
    await c1.close();
    await s1.stop();
    const s2 = await EmbeddedMongo.start({ port: 0, dataDir: dir, quiet: true });
    const c2 = await MongoClient.connect(s2.uri);
    expect(await c2.db('d').collection('c').countDocuments()).toBe(100);
    await c2.close();
    await s2.stop();
    const m1 = await EmbeddedMongo.start({ port: 0, quiet: true });
    const c3 = await MongoClient.connect(m1.uri);
    await c3.db('d').collection('c').insertOne({ i: 1 });
    await c3.close();
    await m1.stop();
    const m2 = await EmbeddedMongo.start({ port: 0, quiet: true });
    const c4 = await MongoClient.connect(m2.uri);
    expect(await c4.db('d').collection('c').countDocuments()).toBe(0);
    await c4.close();
    await m2.stop();
  });
});
