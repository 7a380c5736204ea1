// Cursor replies of stored documents are framed around per-document cached BSON bytes. These
// specs prove the bytes are exactly what a plain serialization gives, that the cache never serves
// a document's old version after a write, and that projections, getMore and batch sizes still
// behave.

import { Binary, deserialize, Long, ObjectId, serialize } from 'bson';
import { Collection } from 'mongodb';
import { CACHED_BYTES_MIN_RESULT, CursorManager } from '../src/commands/cursors';
import { runCommand } from '../src/commands/dispatch';
import { Engine } from '../src/storage/engine';
import { markStoredBatch } from '../src/wire/doc-bytes';
import { encodeOpMsg, HEADER_SIZE } from '../src/wire/protocol';
import { startTestDb, TestDb } from './test-db';

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

function bodyOf(msg: Buffer): Buffer {
  expect(msg.readInt32LE(0)).toBe(msg.length);
  expect(msg.readUInt32LE(HEADER_SIZE)).toBe(0);
  expect(msg[HEADER_SIZE + 4]).toBe(0);
  return msg.subarray(HEADER_SIZE + 5);
}

describeEmbedded('cursor reply encoding', () => {
  const sample = (): Array<Record<string, unknown>> => [
    {
      _id: new ObjectId(),
      s: 'ü€ text',
      n: 1.5,
      i: 7,
      l: Long.fromString('9007199254740993'),
      d: new Date(5),
      nested: { a: [1, { b: null }] },
    },
    { _id: 'two', bin: new Binary(Buffer.from([1, 2, 3])), skipped: undefined, arr: [] },
    {},
  ];

  it('produces byte-for-byte the plain serialization for first and next batches', () => {
    for (const key of ['firstBatch', 'nextBatch']) {
      for (const docs of [sample(), [], Array.from({ length: 1200 }, (_, i) => ({ _id: i, v: 'x'.repeat(i % 40) }))]) {
        const reply = { cursor: { [key]: markStoredBatch(docs), id: Long.fromNumber(123456789), ns: 'db.c' }, ok: 1 };
        const fast = bodyOf(encodeOpMsg(1, reply));
        expect(fast.equals(serialize(reply, { ignoreUndefined: true }))).toBe(true);
        const back = deserialize(fast);
        expect(back.cursor[key]).toHaveLength(docs.length);
      }
    }
  });

  it('falls back to plain serialization for unmarked batches and other reply shapes', () => {
    const docs = sample();
    const plain = { cursor: { firstBatch: docs, id: Long.fromNumber(0), ns: 'db.c' }, ok: 1 };
    expect(bodyOf(encodeOpMsg(1, plain)).equals(serialize(plain, { ignoreUndefined: true }))).toBe(true);
    const notFirst = { ok: 1, cursor: { firstBatch: markStoredBatch(sample()), id: Long.fromNumber(0), ns: 'db.c' } };
    expect(bodyOf(encodeOpMsg(1, notFirst)).equals(serialize(notFirst, { ignoreUndefined: true }))).toBe(true);
    const scalars = { cursor: { firstBatch: markStoredBatch([1, 'a'] as never[]), id: Long.fromNumber(0), ns: 'db.c' }, ok: 1 };
    expect(deserialize(bodyOf(encodeOpMsg(1, scalars))).cursor.firstBatch).toEqual([1, 'a']);
  });

  it('refuses a reply beyond the BSON size limit instead of sending it', () => {
    const big = 'x'.repeat(1024 * 1024);
    const docs = Array.from({ length: 18 }, (_, i) => ({ _id: i, big }));
    expect(() => encodeOpMsg(1, { cursor: { firstBatch: markStoredBatch(docs), id: Long.fromNumber(0), ns: 'db.c' }, ok: 1 })).toThrow(
      RangeError,
    );
  });

  it('serves the new version of a document after each kind of write', () => {
    const cursors = new CursorManager();
    const ctx = { engine: new Engine(), cursors, connectionId: 1 };
    const run = (body: Record<string, unknown>) => deserialize(bodyOf(encodeOpMsg(1, runCommand(ctx, { ...body, $db: 'd' }))));
    // Large enough for the cached-bytes path (CACHED_BYTES_MIN_RESULT); two reads per check, so
    // the second one is served from cached bytes.
    const filler = Array.from({ length: CACHED_BYTES_MIN_RESULT }, (_, i) => ({ _id: 100 + i, f: i }));
    const firstTwo = () => {
      run({ find: 'c', filter: {}, sort: { _id: 1 }, batchSize: 1000 });
      const batch = run({ find: 'c', filter: {}, sort: { _id: 1 }, batchSize: 1000 }).cursor.firstBatch;
      expect(batch.length).toBeGreaterThanOrEqual(CACHED_BYTES_MIN_RESULT);
      return batch.filter((d: { _id: number }) => d._id < 100);
    };
    run({ insert: 'c', documents: [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }, ...filler] });
    expect(firstTwo()).toEqual([
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
    run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { v: 'A' } } }] });
    expect(firstTwo()).toEqual([
      { _id: 1, v: 'A' },
      { _id: 2, v: 'b' },
    ]);
    run({ update: 'c', updates: [{ q: { _id: { $lt: 100 } }, u: [{ $set: { w: { $concat: ['$v', '!'] } } }], multi: true }] });
    expect(firstTwo()).toEqual([
      { _id: 1, v: 'A', w: 'A!' },
      { _id: 2, v: 'b', w: 'b!' },
    ]);
    run({ findAndModify: 'c', query: { _id: 2 }, update: { x: 1 } });
    expect(firstTwo()).toEqual([
      { _id: 1, v: 'A', w: 'A!' },
      { _id: 2, x: 1 },
    ]);
    run({ delete: 'c', deletes: [{ q: { _id: 1 }, limit: 1 }] });
    expect(firstTwo()).toEqual([{ _id: 2, x: 1 }]);
    // The bytes are complete documents: the filler reads back unchanged too.
    const all = run({ find: 'c', filter: { _id: { $gte: 100 } }, batchSize: 1000 }).cursor.firstBatch;
    expect(all).toEqual(filler);
    cursors.close();
  });
});

interface Item {
  _id: number;
  name: string;
  tags: string[];
  price: { amount: number };
}

describe('large results through the driver', () => {
  let t: TestDb;
  let c: Collection<Item>;
  const N = 2500;
  beforeAll(async () => {
    t = await startTestDb('reply');
    c = t.db.collection<Item>('big');
    await c.insertMany(
      Array.from({ length: N }, (_, i) => ({ _id: i, name: `n${i}`, tags: ['a', `t${i % 7}`], price: { amount: i / 2 } })) as never[],
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns every document once through the first batch and getMore, twice in a row', async () => {
    for (let round = 0; round < 2; round++) {
      const docs = await c.find({}).toArray();
      expect(docs).toHaveLength(N);
      expect(docs[1234]).toEqual({ _id: 1234, name: 'n1234', tags: ['a', 't2'], price: { amount: 617 } });
      expect(new Set(docs.map((d) => d._id)).size).toBe(N);
    }
  });

  it('sees updates made between two reads and in the middle of an open cursor only on new queries', async () => {
    await c.find({}).toArray(); // every document's bytes are cached now
    const cursor = c.find({}, { batchSize: 10 });
    const first = await cursor.next();
    await c.updateMany({ _id: { $lt: 100 } } as never, { $push: { tags: 'new' } as never });
    await c.updateOne({ _id: 2000 } as never, { $set: { name: 'renamed' } });
    // The open cursor is a snapshot taken when the query ran, as documented.
    const rest = await cursor.toArray();
    expect(first).toEqual({ _id: 0, name: 'n0', tags: ['a', 't0'], price: { amount: 0 } });
    expect(rest.find((d) => d._id === 50)!.tags).toEqual(['a', 't1']);
    const again = await c.find({}).toArray();
    expect(again.find((d) => d._id === 50)!.tags).toEqual(['a', 't1', 'new']);
    expect(again.find((d) => d._id === 2000)!.name).toBe('renamed');
    expect(again.find((d) => d._id === 2001)!.name).toBe('n2001');
    await c.updateMany({ _id: { $lt: 100 } } as never, { $pull: { tags: 'new' } as never });
    await c.updateOne({ _id: 2000 } as never, { $set: { name: 'n2000' } });
  });

  it('encodes a computed reply over the 1 MiB scratch buffer (projected: not from cached bytes), first batch and getMore', async () => {
    const big = t.db.collection<{ _id: number; blob: string; n: number }>('bigdocs');
    await big.insertMany(Array.from({ length: 40 }, (_, i) => ({ _id: i, blob: `${i}`.padEnd(100_000, 'x'), n: i })));
    const docs = await big.find({}, { projection: { blob: 1 }, batchSize: 20 }).toArray();
    expect(docs).toHaveLength(40);
    expect(docs[39]).toEqual({ _id: 39, blob: '39'.padEnd(100_000, 'x') });
  });

  it('applies projections, batch sizes, skip and limit on cached documents', async () => {
    await c.find({}).toArray();
    const projected = await c.find({}, { projection: { name: 1, _id: 0 } }).toArray();
    expect(projected).toHaveLength(N);
    expect(projected[7]).toEqual({ name: 'n7' });
    const excluded = await c.find({ _id: { $in: [3, 4] } } as never, { projection: { tags: 0 } }).toArray();
    expect(excluded).toEqual([
      { _id: 3, name: 'n3', price: { amount: 1.5 } },
      { _id: 4, name: 'n4', price: { amount: 2 } },
    ]);
    const sliced = await c.find({ _id: 5 } as never, { projection: { name: 1, tags: { $slice: -1 } } }).toArray();
    expect(sliced).toEqual([{ _id: 5, name: 'n5', tags: ['t5'] }]);
    const paged = await c.find({}, { batchSize: 333 }).sort({ _id: -1 }).skip(10).limit(1000).toArray();
    expect(paged).toHaveLength(1000);
    expect(paged[0]._id).toBe(N - 11);
    const agg = await c.aggregate([{ $match: { _id: { $lt: 3 } } }, { $project: { name: 1 } }]).toArray();
    expect(agg).toEqual([
      { _id: 0, name: 'n0' },
      { _id: 1, name: 'n1' },
      { _id: 2, name: 'n2' },
    ]);
  });
});
