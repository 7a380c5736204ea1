// The fast paths (commands/fast-paths.ts): point `find`, and `update` statements / `findAndModify`
// with `$set`/`$unset`/`$inc`/`$push`/`$pull`/`$setOnInsert` on a document selected through a
// unique index. Two kinds of tests:
// - the same operations through the driver on this server and on a second one started with
//   `fastPaths: false` give exactly the same stored documents (field order and BSON types
//   included), results (`n`, `nModified`, upserted ids) and errors (code, message, index,
//   keyPattern, keyValue), and `serverStatus.embeddedFastPaths` proves which path ran;
// - plain expectations, which hold on a real MongoDB too (`npm run test:mongo`).

import { EJSON } from 'bson';
import { Collection, Db, Document, Long, MongoClient, ObjectId, UpdateFilter } from 'mongodb';
import { EmbeddedMongo } from '../src';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
/** The same database on a server without fast paths (embedded runs only). */
let general: { server: EmbeddedMongo; client: MongoClient; db: Db } | null = null;
/** Clients that return BSON values as they are (Int32, Double, Long), to compare types too. */
let rawFast: MongoClient;
let rawGeneral: MongoClient | null = null;

beforeAll(async () => {
  t = await startTestDb('fast');
  rawFast = await MongoClient.connect(t.uri, { promoteValues: false });
  if (!t.real) {
    const server = await EmbeddedMongo.start({ port: 0, quiet: true, fastPaths: false });
    const client = await MongoClient.connect(server.uri);
    general = { server, client, db: client.db(t.dbName) };
    rawGeneral = await MongoClient.connect(server.uri, { promoteValues: false });
  }
});
afterAll(async () => {
  await rawFast.close();
  await rawGeneral?.close();
  await general?.client.close();
  await general?.server.stop();
  await t.close();
});

interface Hits {
  find: number;
  update: number;
  findAndModify: number;
}

async function hits(db: Db): Promise<Hits> {
  const s = (await db.admin().command({ serverStatus: 1 })).embeddedFastPaths as Hits;
  return { find: s.find, update: s.update, findAndModify: s.findAndModify };
}

let seq = 0;

/** Documents with `_id`s of several types (numbers, ObjectIds). */
interface Row extends Document {
  _id?: number | string | ObjectId;
}

/** An update as sent, whatever the fields' declared types (`$push` onto a string, ...). */
const upd = (u: Document): UpdateFilter<Row> => u as UpdateFilter<Row>;

/** A collection with the unique indexes the fast paths use: `_id`, `sku`, and `{a, b}`. */
async function prepare(db: Db, name: string, docs: Document[]): Promise<Collection<Row>> {
  const c = db.collection<Row>(name);
  await c.createIndex({ sku: 1 }, { unique: true });
  await c.createIndex({ a: 1, b: 1 }, { unique: true });
  await c.createIndex({ n: 1 });
  if (docs.length) await c.insertMany(docs.map((d) => ({ ...d })));
  return c;
}

/** Generated ObjectIds differ between the servers: numbered in order of appearance instead. */
function normalize(v: unknown, ids: Map<string, string>): unknown {
  if (v instanceof ObjectId) {
    const hex = v.toHexString();
    if (!ids.has(hex)) ids.set(hex, `oid#${ids.size}`);
    return ids.get(hex);
  }
  if (Array.isArray(v)) return v.map((x) => normalize(x, ids));
  if (v && typeof v === 'object' && !(v instanceof Date) && (v as { _bsontype?: string })._bsontype === undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalize(x, ids);
    return out;
  }
  return v;
}

/** What an operation did, as comparable text: its result or its error, and the stored documents. */
async function outcome(db: Db, raw: MongoClient, name: string, op: (c: Collection<Row>) => Promise<unknown>): Promise<string> {
  const ids = new Map<string, string>();
  let result: unknown;
  try {
    result = await op(db.collection<Row>(name));
  } catch (e) {
    const err = e as { code?: number; message?: string; writeErrors?: unknown; result?: unknown; keyPattern?: unknown; keyValue?: unknown };
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
    result = {
      error: err.code,
      message: err.message,
      keyPattern: err.keyPattern,
      keyValue: err.keyValue,
      writeErrors: (writeErrors as Array<{ index: number; code: number; errmsg: string }>).map((w) => ({
        index: w.index,
        code: w.code,
        errmsg: w.errmsg,
      })),
      result: (err.result as { insertedCount?: number } | undefined) && {
        ...(err.result as Record<string, unknown>),
      },
    };
  }
  const docs = await raw.db(db.databaseName).collection(name).find({}).toArray();
  // Generated ids also appear in error messages (`{_id: ObjectId('...')}`).
  return EJSON.stringify(normalize({ result, docs }, ids) as Document, { relaxed: false }).replace(/[0-9a-f]{24}/g, '<oid>');
}

/**
 * Runs `op` on a fresh copy of `docs` on both servers and expects the same outcome; returns the
 * fast paths' hits on this server while it ran.
 */
async function same(docs: Document[], op: (c: Collection<Row>) => Promise<unknown>): Promise<Hits> {
  const name = `s${++seq}`;
  await prepare(t.db, name, docs);
  await prepare(general!.db, name, docs);
  const before = await hits(t.db);
  const fast = await outcome(t.db, rawFast, name, op);
  const after = await hits(t.db);
  const slow = await outcome(general!.db, rawGeneral!, name, op);
  expect(fast).toBe(slow);
  expect(await hits(general!.db)).toEqual({ find: 0, update: 0, findAndModify: 0 });
  return {
    find: after.find - before.find,
    update: after.update - before.update,
    findAndModify: after.findAndModify - before.findAndModify,
  };
}

const base = (): Document[] => [
  { _id: 1, sku: 'p1', a: 'x', b: 1, n: 5, name: 'one', meta: { version: 1, tags: ['t'] }, list: [1, 2, 3], holds: [{ id: 'h1', q: 1 }] },
  { _id: 2, sku: 'p2', a: 'x', b: 2, n: 7.5, name: 'two', meta: { version: 3 } },
  { _id: new ObjectId('64b7f0a1c2d3e4f5a6b7c8d9'), sku: 'p3', a: 'y', b: null, n: Long.fromNumber(9) },
];

const embeddedOnly = process.env.MONGODB_URI ? describe.skip : describe;

/** An operation's error as data (code, message, index pattern and key), so a list of them goes on. */
function caught(p: Promise<unknown>): Promise<unknown> {
  return p.catch((e: { code?: number; message?: string; keyPattern?: unknown; keyValue?: unknown }) => ({
    code: e.code,
    message: e.message,
    keyPattern: e.keyPattern,
    keyValue: e.keyValue,
  }));
}

embeddedOnly('fast path and general path give the same answers', () => {
  it('point reads by _id, unique key and compound unique key, hits and misses', async () => {
    const h = await same(base(), async (c) => [
      await c.findOne({ _id: 1 }),
      await c.findOne({ _id: 99 }),
      await c.findOne({ sku: 'p2' }),
      await c.findOne({ a: 'x', b: 2 }),
      await c.findOne({ a: 'y', b: null }),
      await c.findOne({ _id: 1, name: 'one' }),
      await c.findOne({ _id: 1, name: 'other' }),
      await c.find({ _id: 2 }).toArray(),
      await c.find({ _id: 2 }, { batchSize: 0 }).toArray(),
      await c.find({ _id: 2 }).limit(-1).toArray(),
    ]);
    expect(h.find).toBe(10);
  });

  it('$set, $unset, $inc, $push and $pull by _id, existing and missing fields, dotted paths', async () => {
    const h = await same(base(), async (c) => [
      await c.updateOne({ _id: 1 }, { $set: { name: 'uno', z: 1, 'meta.version': 2, 'deep.new.path': true } }),
      await c.updateOne({ _id: 1 }, { $inc: { n: 2, 'meta.version': 1, missing: 3, 'other.count': -1 } }),
      await c.updateOne({ _id: 1 }, { $unset: { z: '', nothing: 1, 'meta.tags': 1, 'no.such': 1 } }),
      await c.updateOne({ _id: 1 }, upd({ $push: { list: 4, fresh: 'a', 'meta.log': { $each: [1, 2] } } })),
      await c.updateOne({ _id: 1 }, upd({ $pull: { list: 2, holds: { id: 'h1' }, absent: 1 } })),
      await c.updateOne({ _id: 2 }, { $inc: { n: 0.25 }, $set: { 'meta.version': 3 } }),
      await c.updateOne({ sku: 'p2' }, { $set: { name: 'two' } }),
      await c.updateOne({ a: 'x', b: 2 }, upd({ $push: { list: { $each: [] } } })),
      await c.updateOne({ _id: 1 }, { $inc: { n: 0 } }),
    ]);
    expect(h.update).toBe(9);
  });

  it('$set of an equal value and of a reordered document counts as unchanged, as the general path does', async () => {
    const h = await same(base(), async (c) => [
      await c.updateOne({ _id: 1 }, { $set: { meta: { tags: ['t'], version: 1 } } }),
      await c.updateOne({ _id: 2 }, { $set: { n: 7.5, name: 'two' } }),
      await c.updateOne({ _id: 1 }, { $set: { b: 1.0 } }),
    ]);
    expect(h.update).toBe(3);
  });

  it('upserts: filter equalities seed the document, $setOnInsert only on insert, generated and given _id', async () => {
    const h = await same(base(), async (c) => [
      await c.updateOne({ _id: 10 }, { $set: { name: 'ten' }, $setOnInsert: { created: 1, a: 10, sku: 'p10' } }, { upsert: true }),
      await c.updateOne({ sku: 'p9' }, { $setOnInsert: { name: 'nine', 'meta.version': 1, a: 9 } }, { upsert: true }),
      await c.updateOne({ sku: 'p9' }, { $setOnInsert: { name: 'changed' } }, { upsert: true }),
      await c.updateOne(
        { a: 'z', b: 1, 'meta.version': 4 },
        { $inc: { 'meta.version': 1, hits: 1 }, $set: { 'meta.at': 2, sku: 'z1' } },
        { upsert: true },
      ),
      await c.updateOne({ a: 'z', b: null }, { $setOnInsert: { x: 1, sku: 'z0' }, $set: { y: 2 } }, { upsert: true }),
      await c.updateOne({ _id: 11 }, upd({ $push: { list: 1 }, $setOnInsert: { sku: 'p11', a: 11 } }), { upsert: true }),
      await c.updateOne({ _id: 12 }, { $set: { v: 1 } }),
      // The first document without `sku` (and `a`, `b`) takes the null keys; a second one is a duplicate.
      await c.updateOne({ _id: 13 }, { $set: { v: 1 } }, { upsert: true }),
      await caught(c.updateOne({ _id: 14 }, { $set: { v: 1 } }, { upsert: true })),
    ]);
    expect(h.update).toBe(9);
  });

  it('duplicate key of an upsert and of an update, with the index that refused it', async () => {
    const h = await same(base(), async (c) => [
      await caught(c.updateOne({ a: 'x', b: 1, 'meta.version': 9 }, { $set: { name: 'lost' } }, { upsert: true })),
      await caught(c.updateOne({ _id: 1 }, { $set: { sku: 'p2' } })),
      await caught(c.updateOne({ _id: 20 }, { $setOnInsert: { a: 'x', b: 2, sku: 'p20' } }, { upsert: true })),
    ]);
    expect(h.update).toBe(3);
  });

  it('ordered and unordered bulk upserts with a duplicate in the middle', async () => {
    const ops = (v: number): Parameters<Collection<Row>['bulkWrite']>[0] => [
      { updateOne: { filter: { a: 'q', b: 1 }, update: { $set: { v }, $setOnInsert: { c: 1 } }, upsert: true } },
      { updateOne: { filter: { a: 'x', b: 1, 'meta.version': 0 }, update: { $set: { v } }, upsert: true } },
      { updateOne: { filter: { a: 'q', b: 2 }, update: { $inc: { v } }, upsert: true } },
      { updateOne: { filter: { _id: 2 }, update: { $set: { v } } } },
    ];
    const h1 = await same(base(), (c) => c.bulkWrite(ops(1), { ordered: true }));
    expect(h1.update).toBe(2);
    const h2 = await same(base(), (c) => c.bulkWrite(ops(2), { ordered: false }));
    expect(h2.update).toBe(4);
  });

  it('findOneAndUpdate: old and new document, upsert, no match', async () => {
    const h = await same(base(), async (c) => [
      await c.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }),
      await c.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      await c.findOneAndUpdate({ sku: 'p8' }, { $set: { v: 1 }, $setOnInsert: { c: 2, a: 8 } }, { upsert: true, returnDocument: 'after' }),
      await caught(c.findOneAndUpdate({ sku: 'p7' }, { $set: { v: 1 } }, { upsert: true, includeResultMetadata: true })),
      await c.findOneAndUpdate({ _id: 99 }, { $set: { v: 1 } }, { includeResultMetadata: true }),
      await caught(c.findOneAndUpdate({ a: 'x', b: 1, 'meta.version': 5 }, { $set: { v: 1 } }, { upsert: true })),
    ]);
    expect(h.findAndModify).toBe(6);
  });

  it('errors the general path reports: $inc on a non-number, $push on a non-array, _id changes', async () => {
    const h = await same(base(), async (c) => [
      await caught(c.updateOne({ _id: 1 }, { $inc: { name: 1 } })),
      await caught(c.updateOne({ _id: 2 }, { $inc: { 'meta.version': 1, name: 1 } })),
      await caught(c.updateOne({ _id: 1 }, upd({ $push: { name: 1 } }))),
      await caught(c.updateOne({ _id: 1 }, { $set: { _id: 5 } })),
      await caught(c.updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } })),
      await caught(c.updateOne({ sku: 'p9' }, { $inc: { sku: 1 } }, { upsert: true })),
    ]);
    // Every one of them needed the general path.
    expect(h.update).toBe(0);
  });

  it('leaves to the general path what it does not handle, with the same answers', async () => {
    const h = await same(base(), async (c) => [
      await c.updateOne({ _id: 1, n: { $gt: 0 } }, { $set: { v: 1 } }),
      await c.updateOne({ name: 'two' }, { $set: { v: 2 } }),
      await c.updateOne({ _id: 1 }, { $set: { 'list.0': 9 } }),
      await c.updateOne({ _id: 1 }, { $set: { 'holds.q': 9 } }),
      await c.updateOne({ _id: 1 }, { $max: { n: 100 } }),
      await c.updateOne({ _id: 1 }, [{ $set: { p: '$n' } }]),
      await c.updateOne({ _id: 1 }, upd({ $push: { list: { $each: [5], $slice: -2 } } })),
      await c.updateOne({ 'meta.version': 3 }, { $set: { v: 3 } }),
      await c.findOne({ _id: 1, 'list.0': 9 }),
      await c.findOne({ _id: { $in: [1, 2] } }),
      await c.findOne({ sku: 'p1' }, { projection: { name: 1 } }),
      await c.findOne({ _id: 1 }, { sort: { n: 1 } }),
    ]);
    expect(h).toEqual({ find: 0, update: 0, findAndModify: 0 });
  });

  it('keeps every index right after fast updates (old keys gone, new keys found)', async () => {
    const h = await same(base(), async (c) => [
      await c.updateOne({ _id: 1 }, { $set: { sku: 'p1-new', n: 50 } }),
      await c.findOne({ sku: 'p1' }),
      await c.findOne({ sku: 'p1-new' }),
      await c.find({ n: 50 }).toArray(),
      await c.insertOne({ _id: 4, sku: 'p1' }),
      await c.updateOne({ sku: 'p1' }, { $unset: { sku: 1 } }),
      await caught(c.insertOne({ _id: 5 })),
    ]);
    expect(h.update).toBe(2);
    expect(h.find).toBe(2);
  });
});

embeddedOnly('fast path and general path agree on random operations', () => {
  // A seeded generator over a small vocabulary of values (numbers, strings, null, booleans,
  // dates, arrays, documents, Long), fields (top-level, dotted, array-valued) and operators, so
  // lookups hit and miss, updates meet every kind of stored value, upserts collide on the unique
  // indexes, and a third or so of the operations take a fast path.
  let state = 7;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const value = (): unknown =>
    pick<unknown>([
      0,
      1,
      2,
      1.5,
      -0,
      'a',
      'b',
      '',
      null,
      true,
      false,
      new Date(5),
      [1, 2],
      [],
      { x: 1 },
      { y: [1] },
      3,
      Long.fromNumber(2),
    ]);
  const fields = ['a', 'b', 'n', 'm.x', 'm.y', 'arr', 'm', 'k', 'u', 'new', 'p.q'];
  const doc = (id: number): Row => {
    const d: Row = { _id: id, u: `u${id}` };
    for (const f of ['a', 'b', 'n', 'm', 'arr', 'k'])
      if (rnd() < 0.7) d[f] = f === 'm' && rnd() < 0.7 ? { x: value(), y: value() } : value();
    return d;
  };
  const filter = (): Document => {
    const r = rnd();
    const id = Math.floor(rnd() * 25);
    if (r < 0.4) return { _id: id };
    if (r < 0.6) return { u: `u${id}` };
    if (r < 0.75) return { _id: id, [pick(fields)]: value() };
    if (r < 0.85) return { k: value(), u: `u${id}` };
    return { u: `u${id}`, [pick(fields)]: value() };
  };
  const update = (): Document => {
    const u: Record<string, Document> = {};
    for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) {
      const op = pick(['$set', '$unset', '$inc', '$push', '$pull', '$setOnInsert', '$set', '$inc']);
      const v =
        op === '$inc'
          ? pick<unknown>([1, -1, 0, 2.5, 'x'])
          : op === '$push'
            ? rnd() < 0.3
              ? { $each: pick([[1], [], [2, 3]]) }
              : value()
            : op === '$pull'
              ? pick<unknown>([1, 'a', { x: 1 }, 2, null])
              : value();
      (u[op] ??= {})[pick(fields)] = v;
    }
    return u;
  };

  it('300 random point reads, updates, upserts, findOneAndUpdates and bulk writes', async () => {
    const before = await hits(t.db);
    for (let round = 0; round < 6; round++) {
      // One collection per round on each server; the operations run in turn on both.
      const name = `r${++seq}`;
      const docs = Array.from({ length: 20 }, (_, i) => doc(i));
      for (const db of [t.db, general!.db]) {
        const c = db.collection<Row>(name);
        await c.createIndex({ u: 1 }, { unique: true });
        await c.createIndex({ k: 1, u: 1 }, { unique: true });
        await c.insertMany(docs.map((d) => ({ ...d })));
      }
      for (let i = 0; i < 50; i++) {
        const f = filter();
        const u = update();
        const upsert = rnd() < 0.5;
        const kind = pick(['update', 'findAndModify', 'find', 'bulk']);
        const ops = [{ updateOne: { filter: f, update: u, upsert } }, { updateOne: { filter: filter(), update: update(), upsert } }];
        const ordered = rnd() < 0.5;
        const returnDocument = rnd() < 0.5 ? 'after' : 'before';
        const op = async (c: Collection<Row>): Promise<unknown> => {
          if (kind === 'find') return c.findOne(f);
          if (kind === 'update') return c.updateOne(f, u, { upsert });
          if (kind === 'findAndModify') return c.findOneAndUpdate(f, u, { upsert, returnDocument, includeResultMetadata: true });
          return c.bulkWrite(ops, { ordered });
        };
        const fast = await outcome(t.db, rawFast, name, op);
        const slow = await outcome(general!.db, rawGeneral!, name, op);
        expect({ kind, f, u, upsert, outcome: fast }).toEqual({ kind, f, u, upsert, outcome: slow });
      }
    }
    const after = await hits(t.db);
    expect(after.find + after.update + after.findAndModify - before.find - before.update - before.findAndModify).toBeGreaterThan(60);
  }, 60_000);
});

describe('answers of the fast-path shapes (the same on a real MongoDB)', () => {
  let c: Collection<Row>;
  beforeEach(async () => {
    c = await prepare(t.db, `e${++seq}`, base());
  });

  it('updates by _id and by unique keys with counts as MongoDB reports them', async () => {
    expect(await c.updateOne({ _id: 1 }, { $set: { name: 'uno' }, $inc: { n: 1, missing: 2 } })).toMatchObject({
      matchedCount: 1,
      modifiedCount: 1,
    });
    expect(await c.updateOne({ sku: 'p1' }, { $set: { name: 'uno' } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await c.updateOne({ a: 'x', b: 99 }, { $set: { name: 'none' } })).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect(await c.findOne({ _id: 1 }, { projection: { name: 1, n: 1, missing: 1 } })).toEqual({ _id: 1, name: 'uno', n: 6, missing: 2 });
  });

  it('upserts with $setOnInsert only, existing and new', async () => {
    const existing = await c.updateOne({ sku: 'p1' }, { $setOnInsert: { name: 'never' } }, { upsert: true });
    expect(existing).toMatchObject({ matchedCount: 1, modifiedCount: 0, upsertedCount: 0 });
    const created = await c.updateOne({ sku: 'p5' }, { $setOnInsert: { name: 'five' } }, { upsert: true });
    expect(created).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
    expect(await c.findOne({ sku: 'p5' }, { projection: { _id: 0 } })).toEqual({ sku: 'p5', name: 'five' });
    expect(await c.findOne({ sku: 'p1' }, { projection: { _id: 0, name: 1 } })).toEqual({ name: 'one' });
  });

  it('$inc on a missing field creates it; on a non-number fails with 14 and changes nothing', async () => {
    await c.updateOne({ _id: 2 }, { $inc: { 'stats.views': 1 } });
    expect(await c.findOne({ _id: 2 }, { projection: { stats: 1 } })).toEqual({ _id: 2, stats: { views: 1 } });
    const err = await c.updateOne({ _id: 2 }, { $inc: { name: 1, n: 1 } }).catch((e) => e);
    expect(err.code).toBe(14);
    expect(await c.findOne({ _id: 2 }, { projection: { name: 1, n: 1 } })).toEqual({ _id: 2, name: 'two', n: 7.5 });
  });

  it('a guarded upsert whose guard moved is a duplicate key at the unique index, in a bulk at its index', async () => {
    const err = await c
      .bulkWrite(
        [
          { updateOne: { filter: { a: 'x', b: 2, 'meta.version': 3 }, update: { $inc: { 'meta.version': 1 } }, upsert: true } },
          { updateOne: { filter: { a: 'x', b: 1, 'meta.version': 0 }, update: { $inc: { 'meta.version': 1 } }, upsert: true } },
          { updateOne: { filter: { a: 'w', b: 1 }, update: { $set: { v: 1 } }, upsert: true } },
        ],
        { ordered: false },
      )
      .catch((e) => e);
    expect(err.writeErrors).toHaveLength(1);
    expect(err.writeErrors[0].index).toBe(1);
    expect(err.writeErrors[0].code).toBe(11000);
    // The driver keeps a write error's code and message (not its keyPattern) in bulk results.
    expect(err.writeErrors[0].errmsg).toMatch(/E11000 duplicate key error collection: \S+ index: a_1_b_1 dup key: \{ a: "x", b: 1 \}/);
    expect(err.result.matchedCount).toBe(1);
    expect(err.result.modifiedCount).toBe(1);
    expect(err.result.upsertedCount).toBe(1);
    expect(Object.keys(err.result.upsertedIds)).toEqual(['2']);
    expect(await c.findOne({ _id: 2 }, { projection: { meta: 1 } })).toEqual({ _id: 2, meta: { version: 4 } });
  });

  it('findOneAndUpdate returns the document before or after, and upserts', async () => {
    expect(await c.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { projection: { n: 1 } })).toEqual({ _id: 1, n: 5 });
    expect(await c.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after' })).toMatchObject({ _id: 1, n: 7 });
    const up = await c.findOneAndUpdate(
      { _id: 30 },
      { $set: { v: 1 } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(up.value).toEqual({ _id: 30, v: 1 });
    expect(up.lastErrorObject).toEqual({ n: 1, updatedExisting: false, upserted: 30 });
  });

  it('point reads by _id and unique keys, with extra equality conditions', async () => {
    expect(await c.findOne({ _id: 2 })).toMatchObject({ sku: 'p2' });
    expect(await c.findOne({ sku: 'p3' })).toMatchObject({ a: 'y' });
    expect(await c.findOne({ a: 'y', b: null })).toMatchObject({ sku: 'p3' });
    expect(await c.findOne({ _id: 1, name: 'one' })).toMatchObject({ sku: 'p1' });
    expect(await c.findOne({ _id: 1, name: 'two' })).toBeNull();
    expect(await c.findOne({ _id: 1, 'meta.version': 1 })).toMatchObject({ sku: 'p1' });
    expect(await c.findOne({ sku: 'nope' })).toBeNull();
  });
});

describe('unique keys compare as BSON values (index lookups by hash)', () => {
  it('1, 1.0 and Long(1) are one key, "1" another; NaN equals NaN; 0 equals -0', async () => {
    const c = t.db.collection<Row>(`u${++seq}`);
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertOne({ k: 1 });
    for (const dup of [1.0, Long.fromNumber(1)]) expect((await c.insertOne({ k: dup }).catch((e) => e)).code).toBe(11000);
    await c.insertOne({ k: '1' });
    await c.insertOne({ k: NaN });
    expect((await c.insertOne({ k: NaN }).catch((e) => e)).code).toBe(11000);
    await c.insertOne({ k: 0 });
    expect((await c.insertOne({ k: -0 }).catch((e) => e)).code).toBe(11000);
    expect(await c.findOne({ k: Long.fromNumber(1) }, { projection: { _id: 0 } })).toEqual({ k: 1 });
    expect(await c.findOne({ k: '1' }, { projection: { _id: 0 } })).toEqual({ k: '1' });
  });

  it('compound keys of strings never collide through their separators; null and missing are one key', async () => {
    const c = t.db.collection<Row>(`u${++seq}`);
    await c.createIndex({ a: 1, b: 1 }, { unique: true });
    await c.insertMany([{ a: '1:x', b: 'y' }, { a: '1', b: 'x:y' }, { a: 's"1"', b: '' }, { a: '', b: 's"1"' }, { a: 'n' }]);
    expect((await c.insertOne({ a: 'n', b: null }).catch((e) => e)).code).toBe(11000);
    expect((await c.insertOne({ a: '1', b: 'x:y' }).catch((e) => e)).code).toBe(11000);
    expect(await c.countDocuments({})).toBe(5);
  });

  it('increasing keys appended past leaf splits, deleted at the end and inserted again, stay unique and ordered', async () => {
    const c = t.db.collection<Row>(`u${++seq}`);
    const ids = Array.from({ length: 400 }, (_, i) => new ObjectId((0x100000 + i).toString(16).padStart(24, '0')));
    for (let i = 0; i < 400; i += 100) await c.insertMany(ids.slice(i, i + 100).map((_id, k) => ({ _id, k: i + k })));
    await c.deleteMany({ k: { $gte: 250 } });
    expect((await c.insertOne({ _id: ids[249], k: -1 }).catch((e) => e)).code).toBe(11000);
    await c.insertMany(ids.slice(250).map((_id, k) => ({ _id, k: 250 + k })));
    expect((await c.insertOne({ _id: ids[399], k: -1 }).catch((e) => e)).code).toBe(11000);
    expect((await c.insertOne({ _id: ids[0], k: -1 }).catch((e) => e)).code).toBe(11000);
    const all = await c
      .find({ _id: { $gte: ids[0] } })
      .sort({ _id: 1 })
      .toArray();
    expect(all.map((d) => d.k)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(await c.findOne({ _id: ids[399] })).toEqual({ _id: ids[399], k: 399 });
  });

  it('an updated unique key frees the old value and takes the new one', async () => {
    const c = t.db.collection<Row>(`u${++seq}`);
    await c.createIndex({ k: 1 }, { unique: true });
    const oid = new ObjectId();
    await c.insertOne({ _id: 1, k: oid });
    await c.updateOne({ _id: 1 }, { $set: { k: 'new' } });
    await c.insertOne({ _id: 2, k: oid });
    expect((await c.insertOne({ _id: 3, k: 'new' }).catch((e) => e)).code).toBe(11000);
    await c.deleteOne({ _id: 1 });
    await c.insertOne({ _id: 3, k: 'new' });
    expect((await c.insertOne({ _id: 4, k: new ObjectId(oid.toHexString()) }).catch((e) => e)).code).toBe(11000);
  });
});
