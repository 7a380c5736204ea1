// Aggregation through the driver: $match/$group/$sort/$lookup/$unwind/$facet/$project, cursors
// over aggregate results, maxTimeMS, and clear refusals for stages the server does not offer.

import { Collection, ObjectId } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
let users: Collection;
let orders: Collection;
const u1 = new ObjectId();
const u2 = new ObjectId();

beforeAll(async () => {
  t = await startTestDb('agg');
  users = t.db.collection('users');
  orders = t.db.collection('orders');
  await users.insertMany([
    { _id: u1, name: 'Ann', tier: 'gold' },
    { _id: u2, name: 'Bob', tier: 'silver' },
  ]);
  await orders.insertMany([
    { _id: 1 as never, user: u1, total: 10, items: ['a', 'b'] },
    { _id: 2 as never, user: u1, total: 5, items: ['b'] },
    { _id: 3 as never, user: u2, total: 7, items: ['c'] },
    { _id: 4 as never, user: new ObjectId(), total: 1, items: [] },
  ]);
});
afterAll(async () => {
  await t.close();
});

describe('aggregate', () => {
  it('groups, sums and sorts', async () => {
    const rows = await orders
      .aggregate([
        { $match: { total: { $gte: 5 } } },
        { $group: { _id: '$user', sum: { $sum: '$total' }, n: { $sum: 1 } } },
        { $sort: { sum: -1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: u1, sum: 15, n: 2 },
      { _id: u2, sum: 7, n: 1 },
    ]);
  });

  it('joins with $lookup inside the database and flattens with $unwind', async () => {
    const rows = await orders
      .aggregate([
        { $lookup: { from: 'users', localField: 'user', foreignField: '_id', as: 'u' } },
        { $unwind: '$u' },
        { $project: { _id: 1, name: '$u.name', total: 1 } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: 1, total: 10, name: 'Ann' },
      { _id: 2, total: 5, name: 'Ann' },
      { _id: 3, total: 7, name: 'Bob' },
    ]);
    const piped = await users
      .aggregate([
        {
          $lookup: {
            from: 'orders',
            let: { id: '$_id' },
            pipeline: [{ $match: { $expr: { $eq: ['$user', '$$id'] } } }, { $count: 'n' }],
            as: 'stats',
          },
        },
        { $sort: { name: 1 } },
        { $project: { _id: 0, name: 1, n: { $first: '$stats.n' } } },
      ])
      .toArray();
    expect(piped).toEqual([
      { name: 'Ann', n: 2 },
      { name: 'Bob', n: 1 },
    ]);
  });

  it('unwinds arrays with preserveNullAndEmptyArrays and runs $facet', async () => {
    const unwound = await orders.aggregate([{ $unwind: { path: '$items', preserveNullAndEmptyArrays: true } }, { $count: 'n' }]).toArray();
    expect(unwound).toEqual([{ n: 5 }]);
    const [facets] = await orders
      .aggregate([
        {
          $facet: {
            total: [{ $count: 'n' }],
            top: [{ $sort: { total: -1 } }, { $limit: 2 }, { $project: { _id: 1 } }],
            byItem: [{ $unwind: '$items' }, { $group: { _id: '$items', n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
          },
        },
      ])
      .toArray();
    expect(facets).toEqual({
      total: [{ n: 4 }],
      top: [{ _id: 1 }, { _id: 3 }],
      byItem: [
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
        { _id: 'c', n: 1 },
      ],
    });
  });

  it('counts with $count, which gives no document for an empty input (also inside $facet and $lookup)', async () => {
    expect(await orders.aggregate([{ $count: 'n' }]).toArray()).toEqual([{ n: 4 }]);
    expect(await orders.aggregate([{ $match: { total: 999 } }, { $count: 'n' }]).toArray()).toEqual([]);
    expect(await orders.aggregate([{ $match: { total: 999 } }, { $facet: { total: [{ $count: 'n' }] } }]).toArray()).toEqual([
      { total: [] },
    ]);
    const joined = await users
      .aggregate([
        { $match: { _id: u1 } },
        { $lookup: { from: 'orders', pipeline: [{ $match: { total: { $gt: 6 } } }, { $count: 'n' }], as: 'big' } },
        { $project: { _id: 0, big: 1 } },
      ])
      .toArray();
    expect(joined).toEqual([{ big: [{ n: 2 }] }]);
    for (const bad of ['', '$n', 'a.b', 5]) {
      await expect(orders.aggregate([{ $count: bad }]).toArray()).rejects.toMatchObject({ code: expect.any(Number) });
    }
  });

  it('pages aggregate results through a cursor', async () => {
    const big = t.db.collection('agg_big');
    await big.insertMany(Array.from({ length: 300 }, (_, i) => ({ i })));
    const all = await big.aggregate([{ $sort: { i: -1 } }], { batchSize: 50 }).toArray();
    expect(all).toHaveLength(300);
    expect(all[0].i).toBe(299);
    const reply = await t.db.command({ aggregate: 'agg_big', pipeline: [], cursor: {} });
    expect(reply.cursor.firstBatch).toHaveLength(101);
  });

  it('does not let pipeline stages change stored documents', async () => {
    await orders.aggregate([{ $set: { total: 0, extra: 1 } }, { $unset: 'items' }]).toArray();
    const doc = await orders.findOne({ _id: 1 as never });
    expect(doc).toEqual({ _id: 1, user: u1, total: 10, items: ['a', 'b'] });
  });

  it('fails with 50 MaxTimeMSExpired when it runs out of time', async () => {
    const slow = t.db.collection('agg_slow');
    await slow.insertMany(Array.from({ length: 3000 }, (_, i) => ({ i })));
    const err = await slow
      .aggregate([{ $project: { s: { $size: { $range: [0, { $add: [20000, '$i'] }] } } } }], { maxTimeMS: 1 })
      .toArray()
      .catch((e) => e);
    expect(err.code).toBe(50);
    const count = await t.db
      .command({ count: 'agg_slow', query: { $expr: { $gt: [{ $size: { $range: [0, { $add: [20000, '$i'] }] } }, 0] } }, maxTimeMS: 1 })
      .catch((e) => e);
    expect(count.code).toBe(50);
  });

  it('requires the cursor option and reports unknown stages', async () => {
    const noCursor = await t.db.command({ aggregate: 'orders', pipeline: [] }).catch((e) => e);
    expect(noCursor.code).toBe(9);
    const unknown = await orders
      .aggregate([{ $frobnicate: {} }])
      .toArray()
      .catch((e) => e);
    expect(unknown.code).toBe(40324);
  });
});
