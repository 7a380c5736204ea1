// Views through the driver: `createCollection` with `viewOn`/`pipeline`, how `listCollections`
// reports them, reads through a view (find with filter/sort/skip/limit/projection applied to the
// view's output, aggregate, count, countDocuments, estimatedDocumentCount, distinct, $lookup), views
// on views, writes and index commands refused with 166, drop, and (embedded only) durability.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Collection, MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
let items: Collection;

beforeAll(async () => {
  t = await startTestDb('views');
  items = t.db.collection('items');
  await items.insertMany([
    { _id: 1 as never, cat: 'a', x: 1, tags: ['p', 'q'] },
    { _id: 2 as never, cat: 'a', x: 2, tags: ['q'] },
    { _id: 3 as never, cat: 'b', x: 3, tags: ['r'] },
    { _id: 4 as never, cat: 'a', x: 4, tags: [] },
    { _id: 5 as never, cat: 'a', x: 5, tags: ['p'] },
  ]);
  // Only category a, with a computed field.
  await t.db.createCollection('cat_a', {
    viewOn: 'items',
    pipeline: [{ $match: { cat: 'a' } }, { $set: { double: { $multiply: ['$x', 2] } } }],
  });
});
afterAll(async () => {
  await t.close();
});

describe('views', () => {
  it('are listed with type view and their definition', async () => {
    const [entry] = await t.db.listCollections({ name: 'cat_a' }).toArray();
    expect(entry).toMatchObject({
      name: 'cat_a',
      type: 'view',
      options: { viewOn: 'items', pipeline: [{ $match: { cat: 'a' } }, { $set: { double: { $multiply: ['$x', 2] } } }] },
      info: { readOnly: true },
    });
    const views = await t.db.listCollections({ type: 'view' }, { nameOnly: true }).toArray();
    expect(views).toEqual([{ name: 'cat_a', type: 'view' }]);
  });

  it('apply find filter, sort, skip, limit and projection to the view output', async () => {
    const view = t.db.collection('cat_a');
    expect(await view.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, cat: 'a', x: 1, tags: ['p', 'q'], double: 2 },
      { _id: 2, cat: 'a', x: 2, tags: ['q'], double: 4 },
      { _id: 4, cat: 'a', x: 4, tags: [], double: 8 },
      { _id: 5, cat: 'a', x: 5, tags: ['p'], double: 10 },
    ]);
    const page = await view
      .find({ double: { $gt: 2 } }, { projection: { _id: 1, double: 1 } })
      .sort({ double: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(page).toEqual([
      { _id: 4, double: 8 },
      { _id: 2, double: 4 },
    ]);
    expect(await view.findOne({ _id: 3 as never })).toBeNull();
  });

  it('count through the view: countDocuments, estimatedDocumentCount, count and distinct', async () => {
    const view = t.db.collection('cat_a');
    expect(await view.estimatedDocumentCount()).toBe(4);
    expect(await view.countDocuments({ double: { $gte: 4 } })).toBe(3);
    expect(await view.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect((await t.db.command({ count: 'cat_a', query: { x: { $lt: 3 } } })).n).toBe(2);
    expect((await view.distinct('tags')).sort()).toEqual(['p', 'q']);
    expect(await view.distinct('x', { double: { $gt: 4 } })).toEqual([4, 5]);
  });

  it('run aggregations after the view pipeline, also from $lookup and $unionWith', async () => {
    const view = t.db.collection('cat_a');
    const sums = await view.aggregate([{ $group: { _id: null, total: { $sum: '$double' } } }]).toArray();
    expect(sums).toEqual([{ _id: null, total: 24 }]);
    const joined = await items
      .aggregate([
        { $match: { _id: { $in: [1, 3] } } },
        { $lookup: { from: 'cat_a', localField: '_id', foreignField: '_id', as: 'inView' } },
        { $project: { n: { $size: '$inView' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(joined).toEqual([
      { _id: 1, n: 1 },
      { _id: 3, n: 0 },
    ]);
    const union = await items.aggregate([{ $match: { _id: 3 } }, { $unionWith: 'cat_a' }, { $count: 'n' }]).toArray();
    expect(union).toEqual([{ n: 5 }]);
  });

  it('can be defined on another view and on a missing collection', async () => {
    await t.db.createCollection('cat_a_big', {
      viewOn: 'cat_a',
      pipeline: [{ $match: { double: { $gte: 8 } } }, { $project: { _id: 1, double: 1 } }],
    });
    expect(await t.db.collection('cat_a_big').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 4, double: 8 },
      { _id: 5, double: 10 },
    ]);
    expect(await t.db.collection('cat_a_big').estimatedDocumentCount()).toBe(2);
    await t.db.createCollection('ghost_view', { viewOn: 'nothing_here' });
    expect(await t.db.collection('ghost_view').find().toArray()).toEqual([]);
    expect(await t.db.collection('ghost_view').estimatedDocumentCount()).toBe(0);
    const [ghost] = await t.db.listCollections({ name: 'ghost_view' }, { nameOnly: false }).toArray();
    expect(ghost.options).toEqual({ viewOn: 'nothing_here', pipeline: [] });
  });

  it('refuse writes and index changes with 166 CommandNotSupportedOnView', async () => {
    const view = t.db.collection('cat_a');
    const ns = `${t.dbName}.cat_a`;
    const insert = await view.insertOne({ x: 9 }).catch((e) => e);
    expect(insert).toMatchObject({ code: 166, message: `Namespace ${ns} is a view, not a collection` });
    const fam = await view.findOneAndUpdate({ _id: 1 as never }, { $set: { x: 0 } }).catch((e) => e);
    expect(fam).toMatchObject({ code: 166, codeName: 'CommandNotSupportedOnView' });
    const many = await view.insertMany([{ x: 1 }, { x: 2 }], { ordered: false }).catch((e) => e);
    expect(many.code).toBe(166);
    expect(many.writeErrors).toHaveLength(2);
    expect((await view.updateOne({ _id: 1 as never }, { $set: { x: 0 } }).catch((e) => e)).code).toBe(166);
    expect((await view.deleteMany({}).catch((e) => e)).code).toBe(166);
    expect((await view.findOneAndDelete({ _id: 1 as never }).catch((e) => e)).code).toBe(166);
    expect((await view.createIndex({ x: 1 }).catch((e) => e)).code).toBe(166);
    expect(
      (
        await view
          .listIndexes()
          .toArray()
          .catch((e) => e)
      ).code,
    ).toBe(166);
    expect(await items.countDocuments()).toBe(5);
  });

  it('validate the definition on create', async () => {
    const exists = await t.db.createCollection('cat_a', { viewOn: 'items' }).catch((e) => e);
    expect(exists.code).toBe(48);
    const badSource = await t.db.command({ create: 'bad_view', viewOn: 'no$dollar', pipeline: [] }).catch((e) => e);
    expect(badSource).toMatchObject({ code: 73, codeName: 'InvalidNamespace' });
    const wrongType = await t.db.command({ create: 'bad_view', viewOn: 5 }).catch((e) => e);
    expect(wrongType.code).toBe(14);
    const noSource = await t.db.command({ create: 'bad_view', pipeline: [{ $match: {} }] }).catch((e) => e);
    expect(noSource.code).toBeGreaterThan(0);
    const writes = await t.db.command({ create: 'bad_view', viewOn: 'items', pipeline: [{ $out: 'x' }] }).catch((e) => e);
    expect(writes).toMatchObject({ code: 157, codeName: 'OptionNotSupportedOnView' });
    const unknown = await t.db.command({ create: 'bad_view', viewOn: 'items', pipeline: [{ $frobnicate: {} }] }).catch((e) => e);
    expect(unknown.code).toBe(40324);
    expect(await t.db.listCollections({ name: 'bad_view' }).toArray()).toEqual([]);
  });

  it('are dropped like collections, leaving their source untouched', async () => {
    await t.db.createCollection('to_drop', { viewOn: 'items', pipeline: [] });
    expect(await t.db.collection('to_drop').drop()).toBe(true);
    expect(await t.db.listCollections({ name: 'to_drop' }).toArray()).toEqual([]);
    expect(await items.countDocuments()).toBe(5);
    // The name is free again, for a collection this time.
    await t.db.collection('to_drop').insertOne({ _id: 1 as never });
    expect(await t.db.collection('to_drop').countDocuments()).toBe(1);
  });
});

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('views with a data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-views-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function withServer<T>(opts: { compactAfterBytes?: number }, fn: (c: MongoClient) => Promise<T>): Promise<T> {
    const s = await EmbeddedMongo.start({ port: 0, quiet: true, dataDir: dir, ...opts });
    const c = await MongoClient.connect(s.uri);
    try {
      return await fn(c);
    } finally {
      await c.close();
      await s.stop();
    }
  }

  it('keeps views across restarts (journal replay) and compaction (snapshot)', async () => {
    await withServer({}, async (c) => {
      const db = c.db('shop');
      await db.collection('items').insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
      await db.createCollection('big', { viewOn: 'items', pipeline: [{ $match: { n: { $gte: 2 } } }] });
      await db.createCollection('dropped', { viewOn: 'items' });
      await db.collection('dropped').drop();
    });
    await withServer({}, async (c) => {
      const db = c.db('shop');
      expect(await db.collection('big').countDocuments()).toBe(2);
      expect(await db.listCollections({ name: 'dropped' }).toArray()).toEqual([]);
    });
    // A tiny compaction threshold makes the next write rotate the journal into a snapshot.
    await withServer({ compactAfterBytes: 1 }, async (c) => {
      await c.db('shop').collection('items').insertOne({ n: 4 });
      await new Promise((r) => setTimeout(r, 200));
    });
    expect(fs.readdirSync(dir).some((f) => f.startsWith('snapshot-'))).toBe(true);
    await withServer({}, async (c) => {
      const [entry] = await c.db('shop').listCollections({ name: 'big' }).toArray();
      expect(entry).toMatchObject({ type: 'view', options: { viewOn: 'items', pipeline: [{ $match: { n: { $gte: 2 } } }] } });
      expect(await c.db('shop').collection('big').countDocuments()).toBe(3);
    });
  });
});
