// CRUD through the official driver: inserts with generated ids, upserts, ordered/unordered
// batches, findAndModify variants, sort/skip/limit/projection, cursors and error replies.

import { Collection, Long, MongoBulkWriteError, MongoServerError, ObjectId } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('crud');
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function fresh(): Collection {
  return t.db.collection(`c${++n}`);
}

describe('handshake and admin commands', () => {
  it('answers hello as a writable standalone with the documented limits', async () => {
    const hello = await t.db.admin().command({ hello: 1 });
    expect(hello.ok).toBe(1);
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(hello.maxWriteBatchSize).toBe(100000);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(21);
    expect(hello.setName).toBeUndefined();
    expect(typeof hello.connectionId).toBe('number');
    const legacy = await t.db.admin().command({ isMaster: 1 });
    expect(legacy.ismaster).toBe(true);
  });

  it('answers ping and buildInfo', async () => {
    expect((await t.db.command({ ping: 1 })).ok).toBe(1);
    const info = await t.db.admin().command({ buildInfo: 1 });
    expect(typeof info.version).toBe('string');
    expect(Array.isArray(info.versionArray)).toBe(true);
  });

  it('reports unknown commands as 59 CommandNotFound', async () => {
    const err = await t.db.command({ noSuchCommandHere: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
  });

  it('refuses transactions', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1 } as never);
    const session = t.client.startSession();
    try {
      session.startTransaction();
      const err = await c.insertOne({ _id: 2 } as never, { session }).catch((e) => e);
      // The driver rewords the server's code-20 refusal (as it does for a real standalone).
      expect(err).toBeInstanceOf(MongoServerError);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await c.countDocuments({ _id: 2 } as never)).toBe(0);
    const raw = await t.db
      .command({
        insert: c.collectionName,
        documents: [{ _id: 3 }],
        startTransaction: true,
        autocommit: false,
        txnNumber: Long.fromNumber(1),
        lsid: { id: session.id!.id },
      })
      .catch((e) => e);
    expect(raw.code).toBe(20);
    expect(await c.countDocuments({ _id: 3 } as never)).toBe(0);
  });

  it('lists and drops databases', async () => {
    const other = t.client.db(t.dbName + '_x');
    await other.collection('a').insertOne({ x: 1 });
    const { databases } = await t.db.admin().listDatabases();
    expect(databases.map((d) => d.name)).toContain(t.dbName + '_x');
    await other.dropDatabase();
    const after = await t.db.admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(t.dbName + '_x');
  });
});

describe('insert', () => {
  it('generates an ObjectId _id, stores _id first and keeps ids of different types apart', async () => {
    const c = fresh();
    const r = await c.insertOne({ a: 1, _id: undefined } as never);
    expect(r.insertedId).toBeInstanceOf(ObjectId);
    await c.insertMany([
      { _id: '1', v: 'str' },
      { _id: 1, v: 'int' },
    ] as never[]);
    expect((await c.findOne({ _id: '1' } as never))?.v).toBe('str');
    expect((await c.findOne({ _id: 1 } as never))?.v).toBe('int');
    // 1 and 1.0 and Long(1) are the same number for MongoDB.
    expect((await c.findOne({ _id: Long.fromNumber(1) } as never))?.v).toBe('int');
    const doc = await c.findOne({ v: { $exists: false } });
    expect(Object.keys(doc!)[0]).toBe('_id');
  });

  it('rejects a duplicate _id with 11000', async () => {
    const c = fresh();
    await c.insertOne({ _id: 'k' } as never);
    const err = await c.insertOne({ _id: 'k' } as never).catch((e) => e);
    expect(err.code).toBe(11000);
    expect(err.message).toBe(`E11000 duplicate key error collection: ${t.dbName}.${c.collectionName} index: _id_ dup key: { _id: "k" }`);
    expect(err.keyValue).toEqual({ _id: 'k' });
  });

  it('stops an ordered batch at the first error', async () => {
    const c = fresh();
    const err: MongoBulkWriteError = await c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }] as never[]).catch((e) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    expect(err.result.insertedCount).toBe(1);
    const errors = err.writeErrors as unknown as Array<{ index: number; code: number }>;
    expect((Array.isArray(errors) ? errors : [errors]).map((e) => [e.index, e.code])).toEqual([[1, 11000]]);
    expect(await c.countDocuments()).toBe(1);
  });

  it('goes on after errors in an unordered batch and reports each index', async () => {
    const c = fresh();
    const err: MongoBulkWriteError = await c
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as never[], { ordered: false })
      .catch((e) => e);
    expect(err.result.insertedCount).toBe(3);
    const errors = err.writeErrors as unknown as Array<{ index: number; code: number }>;
    expect(errors.map((e) => e.index)).toEqual([1, 3]);
    expect(await c.countDocuments()).toBe(3);
  });

  it('rejects an array _id', async () => {
    const err = await fresh()
      .insertOne({ _id: [1, 2] } as never)
      .catch((e) => e);
    expect(err.code).toBe(53);
  });
});

describe('find', () => {
  let c: Collection;
  beforeAll(async () => {
    c = fresh();
    await c.insertMany([
      { _id: 1, name: 'b', n: 3, tags: ['x', 'y'], nested: { k: 2 } },
      { _id: 2, name: 'a', n: 1, tags: ['y'], nested: { k: 1 } },
      { _id: 3, name: 'c', n: 2, tags: [], nested: { k: 3 } },
      { _id: 4, name: 'd', n: 'text' },
      { _id: 5, name: 'e', n: null },
      { _id: 6, name: 'f' },
    ] as never[]);
  });

  it('sorts mixed types in BSON order (null/missing < numbers < strings)', async () => {
    const docs = await c.find({}).sort({ n: 1, _id: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual([5, 6, 2, 3, 1, 4]);
    const desc = await c.find({}).sort({ n: -1, _id: 1 }).toArray();
    expect(desc.map((d) => d._id)).toEqual([4, 1, 3, 2, 5, 6]);
  });

  it('applies skip, limit and projection', async () => {
    const docs = await c
      .find({}, { projection: { name: 1 } })
      .sort({ name: 1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(docs).toEqual([
      { _id: 1, name: 'b' },
      { _id: 3, name: 'c' },
    ]);
    const excl = await c.find({ _id: 1 } as never, { projection: { tags: 0, nested: 0, _id: 0 } }).toArray();
    expect(excl).toEqual([{ name: 'b', n: 3 }]);
    const dotted = await c.find({ _id: 2 } as never, { projection: { 'nested.k': 1, _id: 0 } }).toArray();
    expect(dotted).toEqual([{ nested: { k: 1 } }]);
  });

  it('projects dotted inclusion paths in document order: documents and arrays of documents narrowed, other values dropped', async () => {
    const p = fresh();
    await p.insertMany([
      { _id: 1, z: 0, a: { c: 3, b: 2 }, d: 4 },
      { _id: 2, a: [1, { b: 2, c: 3 }, [{ b: 4, x: 1 }, 5], { c: 9 }], d: 4 },
      { _id: 3, a: 5, m: { n: { o: 1, p: 2 }, q: 1 } },
      { _id: 4, a: { c: 1 } },
    ] as never[]);
    const find = (projection: Record<string, unknown>) => p.find({}, { projection, sort: { _id: 1 } }).toArray();
    expect(await find({ 'a.b': 1 })).toEqual([
      { _id: 1, a: { b: 2 } },
      { _id: 2, a: [{ b: 2 }, [{ b: 4 }], {}] },
      { _id: 3 },
      { _id: 4, a: {} },
    ]);
    expect(await find({ 'm.n.o': 1, d: 1, _id: 0 })).toEqual([{ d: 4 }, { d: 4 }, { m: { n: { o: 1 } } }, {}]);
    // A path inside another is a collision, refused as MongoDB refuses it.
    await expect(find({ a: 1, 'a.b': 1 })).rejects.toThrow();
  });

  describe('$slice and $elemMatch projections', () => {
    let p: Collection;
    const doc = { _id: 1, a: 1, arr: [1, 2, 3, 4], sub: { b: 2, list: [5, 6, 7] }, objs: [{ l: [1, 2, 3] }, { l: [4, 5] }] };
    const project = (projection: Record<string, unknown>) => p.findOne({ _id: 1 } as never, { projection });
    beforeAll(async () => {
      p = fresh();
      await p.insertOne(doc as never);
    });

    it('returns every other field when $slice stands alone or beside exclusions', async () => {
      expect(await project({ arr: { $slice: 2 } })).toEqual({ ...doc, arr: [1, 2] });
      expect(await project({ arr: { $slice: [1, 2] }, a: 0 })).toEqual({ _id: 1, arr: [2, 3], sub: doc.sub, objs: doc.objs });
      expect(await project({ arr: { $slice: [-3, 2] } })).toEqual({ ...doc, arr: [2, 3] });
      expect(await project({ arr: { $slice: -10 } })).toEqual(doc);
    });

    it('includes the sliced field beside inclusions', async () => {
      expect(await project({ arr: { $slice: -1 }, a: 1 })).toEqual({ _id: 1, a: 1, arr: [4] });
    });

    it('slices nested arrays and arrays inside arrays of subdocuments', async () => {
      expect(await project({ 'sub.list': { $slice: 1 } })).toEqual({ ...doc, sub: { b: 2, list: [5] } });
      expect(await project({ 'objs.l': { $slice: 1 }, _id: 0 })).toEqual({
        a: 1,
        arr: doc.arr,
        sub: doc.sub,
        objs: [{ l: [1] }, { l: [4] }],
      });
      // The stored document is untouched.
      expect(await p.findOne({ _id: 1 } as never)).toEqual(doc);
    });

    it('rejects a $slice that is neither a number nor [skip, limit]', async () => {
      const err = await project({ arr: { $slice: 'x' } }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
    });

    it('projects the first element matching $elemMatch, scalar conditions included', async () => {
      expect(await project({ arr: { $elemMatch: { $gt: 2 } } })).toEqual({ _id: 1, arr: [3] });
      expect(await project({ objs: { $elemMatch: { l: 4 } } })).toEqual({ _id: 1, objs: [{ l: [4, 5] }] });
      expect(await project({ objs: { $elemMatch: { l: 9 } }, a: 1 })).toEqual({ _id: 1, a: 1 });
      expect(await project({ arr: { $elemMatch: { $gt: 1 } }, objs: { $slice: -1 }, _id: 0 })).toEqual({ arr: [2], objs: [{ l: [4, 5] }] });
    });

    it('refuses $elemMatch beside an exclusion', async () => {
      const err = await project({ a: 0, arr: { $elemMatch: { $gt: 1 } } }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err.code).toBe(31254);
    });
  });

  it('matches arrays, nested paths, $in, $regex with options and $exists', async () => {
    expect((await c.find({ tags: 'y' }).toArray()).map((d) => d._id).sort()).toEqual([1, 2]);
    expect((await c.find({ 'nested.k': { $gte: 2 } }).toArray()).map((d) => d._id).sort()).toEqual([1, 3]);
    expect((await c.find({ name: { $in: ['a', 'c'] } }).toArray()).length).toBe(2);
    expect((await c.find({ name: { $regex: '^B', $options: 'i' } }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await c.find({ n: { $exists: false } }).toArray()).map((d) => d._id)).toEqual([6]);
    expect((await c.find({ n: null }).toArray()).map((d) => d._id).sort()).toEqual([5, 6]);
    // Comparison operators stay within the type: 'text' is not > 1.
    expect((await c.find({ n: { $gt: 1 } }).toArray()).map((d) => d._id).sort()).toEqual([1, 3]);
  });

  it('reports bad operators as BadValue', async () => {
    const err = await c
      .find({ n: { $frobnicate: 1 } })
      .toArray()
      .catch((e) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(2);
  });
});

describe('cursors', () => {
  let c: Collection;
  beforeAll(async () => {
    c = fresh();
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i, v: i % 7 })) as never[]);
  });

  it('returns 101 documents in the first batch and the rest with getMore', async () => {
    const reply = await t.db.command({ find: c.collectionName, filter: {} });
    expect(reply.cursor.firstBatch).toHaveLength(101);
    expect(reply.cursor.id).not.toEqual(Long.ZERO);
    const more = await t.db.command({ getMore: reply.cursor.id, collection: c.collectionName, batchSize: 100 });
    expect(more.cursor.nextBatch).toHaveLength(100);
    const last = await t.db.command({ getMore: reply.cursor.id, collection: c.collectionName });
    expect(last.cursor.nextBatch).toHaveLength(49);
    expect(Number(last.cursor.id)).toBe(0);
    const gone = await t.db.command({ getMore: reply.cursor.id, collection: c.collectionName }).catch((e) => e);
    expect(gone.code).toBe(43);
  });

  it('iterates everything through the driver with a small batch size', async () => {
    const all = await c.find({}).batchSize(7).sort({ _id: -1 }).toArray();
    expect(all).toHaveLength(250);
    expect(all[0]._id).toBe(249);
  });

  it('kills cursors and honours singleBatch', async () => {
    const reply = await t.db.command({ find: c.collectionName, batchSize: 10 });
    const killed = await t.db.command({ killCursors: c.collectionName, cursors: [reply.cursor.id] });
    expect(killed.cursorsKilled).toHaveLength(1);
    const err = await t.db.command({ getMore: reply.cursor.id, collection: c.collectionName }).catch((e) => e);
    expect(err.code).toBe(43);
    const empty = await t.db.command({ find: c.collectionName, batchSize: 0 });
    expect(empty.cursor.firstBatch).toHaveLength(0);
    const rest = await t.db.command({ getMore: empty.cursor.id, collection: c.collectionName });
    expect(rest.cursor.nextBatch).toHaveLength(250);
    const single = await t.db.command({ find: c.collectionName, batchSize: 10, singleBatch: true });
    expect(single.cursor.firstBatch).toHaveLength(10);
    expect(Number(single.cursor.id)).toBe(0);
  });

  it('fails with 50 MaxTimeMSExpired when a query runs out of time', async () => {
    const big = fresh();
    await big.insertMany(Array.from({ length: 5000 }, (_, i) => ({ i })));
    // Every document costs real work, so the scan cannot finish within 1 ms.
    const err = await big
      .find({ $expr: { $gt: [{ $size: { $range: [0, { $add: [5000, '$i'] }] } }, 0] } })
      .maxTimeMS(1)
      .toArray()
      .catch((e) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(50);
  });
});

describe('update', () => {
  it('updates nested paths and arrays with $set/$inc/$push/$pull/$addToSet and positional operators', async () => {
    const c = fresh();
    await c.insertOne({
      _id: 1,
      a: { b: 1 },
      items: [
        { k: 'x', q: 1 },
        { k: 'y', q: 2 },
      ],
      tags: ['t1'],
    } as never);
    await c.updateOne({ _id: 1 } as never, { $set: { 'a.c': 2 }, $inc: { 'a.b': 5 }, $push: { tags: 't2' } } as never);
    await c.updateOne({ _id: 1, 'items.k': 'y' } as never, { $set: { 'items.$.q': 20 } });
    await c.updateOne({ _id: 1 } as never, { $inc: { 'items.$[].q': 1 } });
    await c.updateOne({ _id: 1 } as never, { $set: { 'items.$[e].k': 'X' } }, { arrayFilters: [{ 'e.k': 'x' }] });
    await c.updateOne({ _id: 1 } as never, { $addToSet: { tags: { $each: ['t1', 't3'] } } });
    await c.updateOne({ _id: 1 } as never, { $pull: { tags: 't2' } } as never);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({
      _id: 1,
      a: { b: 6, c: 2 },
      items: [
        { k: 'X', q: 2 },
        { k: 'y', q: 21 },
      ],
      tags: ['t1', 't3'],
    });
  });

  it('counts matched and modified separately and updates many', async () => {
    const c = fresh();
    await c.insertMany([
      { g: 1, v: 1 },
      { g: 1, v: 2 },
      { g: 2, v: 3 },
    ]);
    const r = await c.updateMany({ g: 1 }, { $set: { v: 2 } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([2, 1]);
    const none = await c.updateOne({ g: 9 }, { $set: { v: 0 } });
    expect([none.matchedCount, none.modifiedCount, none.upsertedCount]).toEqual([0, 0, 0]);
  });

  it('builds upserts from the filter equality fields plus $set and $setOnInsert', async () => {
    const c = fresh();
    const r = await c.updateOne(
      { tenant: 't1', code: 'A', n: { $gt: 5 } },
      { $set: { label: 'x' }, $setOnInsert: { created: true }, $inc: { hits: 1 } },
      { upsert: true },
    );
    expect(r.upsertedCount).toBe(1);
    const doc = await c.findOne({ _id: r.upsertedId! });
    expect(doc).toEqual({ _id: r.upsertedId, tenant: 't1', code: 'A', label: 'x', created: true, hits: 1 });
    // The second upsert matches: $setOnInsert does not apply.
    const r2 = await c.updateOne({ tenant: 't1', code: 'A' }, { $set: { label: 'y' }, $setOnInsert: { created: false } }, { upsert: true });
    expect([r2.matchedCount, r2.modifiedCount, r2.upsertedCount]).toEqual([1, 1, 0]);
    expect((await c.findOne({ code: 'A' }))!.created).toBe(true);
    const withId = await c.updateOne({ _id: 'fixed' } as never, { $set: { v: 1 } }, { upsert: true });
    expect(withId.upsertedId).toBe('fixed');
  });

  it('replaces whole documents, keeping _id', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: 1, b: 2 } as never);
    await c.replaceOne({ _id: 1 } as never, { c: 3 });
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, c: 3 });
    const r = await c.replaceOne({ _id: 2 } as never, { d: 4 }, { upsert: true });
    expect(r.upsertedId).toBe(2);
    const err = await c.replaceOne({ _id: 1 } as never, { _id: 9, c: 1 } as never).catch((e) => e);
    expect(err.code).toBe(66);
  });

  it('refuses to change _id, unknown modifiers and conflicting paths', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: 1 } as never);
    expect((await c.updateOne({ _id: 1 } as never, { $set: { _id: 2 } } as never).catch((e) => e)).code).toBe(66);
    expect((await c.updateOne({ _id: 1 } as never, { $frob: { a: 1 } } as never).catch((e) => e)).code).toBe(9);
    expect((await c.updateOne({ _id: 1 } as never, { $set: { a: 1 }, $inc: { a: 1 } }).catch((e) => e)).code).toBe(40);
    expect((await c.updateOne({ _id: 1 } as never, { $inc: { a: 'x' } } as never).catch((e) => e)).code).toBe(14);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 1 });
  });

  it('reports per-statement errors of an unordered update batch', async () => {
    const c = fresh();
    await c.createIndex({ u: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, u: 1 },
      { _id: 2, u: 2 },
    ] as never[]);
    const err: MongoBulkWriteError = await c
      .bulkWrite(
        [
          { updateOne: { filter: { _id: 1 }, update: { $set: { u: 2 } } } },
          { updateOne: { filter: { _id: 2 }, update: { $set: { x: 1 } } } },
        ] as never[],
        { ordered: false },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const errors = err.writeErrors as unknown as Array<{ index: number; code: number }>;
    expect(errors.map((e) => [e.index, e.code])).toEqual([[0, 11000]]);
    expect(err.result.modifiedCount).toBe(1);
  });
});

describe('delete', () => {
  it('deletes one or many', async () => {
    const c = fresh();
    await c.insertMany([{ g: 1 }, { g: 1 }, { g: 1 }, { g: 2 }]);
    expect((await c.deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ g: 1 })).deletedCount).toBe(2);
    expect((await c.deleteMany({ g: 7 })).deletedCount).toBe(0);
    expect(await c.countDocuments()).toBe(1);
  });
});

describe('findAndModify', () => {
  it('returns the old or the new document, sorts, projects, removes and upserts', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, q: 'a', n: 1 },
      { _id: 2, q: 'a', n: 2 },
    ] as never[]);
    const before = await c.findOneAndUpdate({ q: 'a' }, { $inc: { n: 10 } }, { sort: { n: -1 }, returnDocument: 'before' });
    expect(before).toEqual({ _id: 2, q: 'a', n: 2 });
    const after = await c.findOneAndUpdate(
      { q: 'a' },
      { $inc: { n: 10 } },
      { sort: { n: 1 }, returnDocument: 'after', projection: { n: 1, _id: 0 } },
    );
    expect(after).toEqual({ n: 11 });
    const removed = await c.findOneAndDelete({ _id: 2 } as never);
    expect(removed?.n).toBe(12);
    const up = await c.findOneAndUpdate({ q: 'z' }, { $set: { n: 0 } }, { upsert: true, returnDocument: 'after' });
    expect(up).toMatchObject({ q: 'z', n: 0 });
    const upBefore = await c.findOneAndUpdate({ q: 'w' }, { $set: { n: 0 } }, { upsert: true, returnDocument: 'before' });
    expect(upBefore).toBeNull();
    const meta = await c.findOneAndUpdate({ q: 'none' }, { $set: { n: 0 } }, { includeResultMetadata: true });
    expect(meta.value).toBeNull();
    expect(meta.lastErrorObject?.n).toBe(0);
    const replaced = await c.findOneAndReplace({ q: 'z' }, { q: 'zz' }, { returnDocument: 'after' });
    expect(replaced).toEqual({ _id: up!._id, q: 'zz' });
  });

  it('rejects both update and remove', async () => {
    const c = fresh();
    const err = await t.db
      .command({ findAndModify: c.collectionName, query: {}, remove: true, update: { $set: { a: 1 } } })
      .catch((e) => e);
    expect(err.code).toBe(9);
  });
});

describe('count and distinct', () => {
  it('counts with skip/limit and collects distinct values across arrays', async () => {
    const c = fresh();
    await c.insertMany([{ t: ['a', 'b'], n: 1 }, { t: 'a', n: 2 }, { t: ['c'], n: 1 }, { n: 3 }]);
    expect(await c.countDocuments({ n: 1 })).toBe(2);
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(4);
    expect((await c.distinct('t')).sort()).toEqual(['a', 'b', 'c']);
    expect((await c.distinct('n', { t: 'a' })).sort()).toEqual([1, 2]);
    expect(await t.db.collection('missing_coll').countDocuments()).toBe(0);
  });
});

describe('renameCollection', () => {
  it('moves documents and indexes to the new name', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertMany([{ k: 1 }, { k: 2 }]);
    const renamed = await c.rename(c.collectionName + '_renamed');
    expect(await renamed.countDocuments()).toBe(2);
    expect((await renamed.insertOne({ k: 1 }).catch((e) => e)).code).toBe(11000);
    expect(await t.db.listCollections({ name: c.collectionName }).toArray()).toHaveLength(0);
  });
});

describe('more update operators', () => {
  it('applies $unset, $rename, $min, $max, $mul, $pop, $pullAll, $currentDate and pipeline updates', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: 5, b: 1, old: 'x', arr: [1, 2, 3, 4], lo: 10, hi: 10 } as never);
    await c.updateOne(
      { _id: 1 } as never,
      {
        $unset: { b: '' },
        $rename: { old: 'renamed' },
        $min: { lo: 3 },
        $max: { hi: 30 },
        $mul: { a: 2 },
        $pop: { arr: -1 },
        $currentDate: { touched: true },
      } as never,
    );
    await c.updateOne({ _id: 1 } as never, { $pullAll: { arr: [3, 4] } } as never);
    const doc = await c.findOne({ _id: 1 } as never);
    expect(doc).toMatchObject({ _id: 1, a: 10, renamed: 'x', arr: [2], lo: 3, hi: 30 });
    expect(doc!.b).toBeUndefined();
    expect(doc!.old).toBeUndefined();
    expect(doc!.touched).toBeInstanceOf(Date);
    await c.updateOne({ _id: 1 } as never, [{ $set: { sum: { $add: ['$a', '$lo'] } } }, { $unset: 'touched' }]);
    const after = await c.findOne({ _id: 1 } as never);
    expect(after!.sum).toBe(13);
    expect(after!.touched).toBeUndefined();
  });

  it('reports no modification when an update changes nothing', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: 1, tags: ['x'] } as never);
    const r = await c.updateOne({ _id: 1 } as never, { $set: { a: 1 }, $addToSet: { tags: 'x' } } as never);
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 0]);
  });
});
