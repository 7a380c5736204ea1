// Races the services rely on: a guarded findOneAndUpdate ($lt guard + $inc) must succeed exactly
// as many times as the guard allows, and concurrent inserts of one unique key must leave one.

import { Collection } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('race');
});
afterAll(async () => {
  await t.close();
});

describe('atomic commands under concurrency', () => {
  it('lets exactly 50 of 200 parallel guarded findOneAndUpdate calls succeed', async () => {
    const c: Collection = t.db.collection('coupons');
    await c.insertOne({ _id: 'SAVE10' as never, count: 0 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        c.findOneAndUpdate({ _id: 'SAVE10' as never, count: { $lt: 50 } }, { $inc: { count: 1 } }, { returnDocument: 'after' }),
      ),
    );
    const wins = results.filter((r) => r !== null);
    expect(wins).toHaveLength(50);
    expect(new Set(wins.map((w) => w!.count)).size).toBe(50);
    expect((await c.findOne({ _id: 'SAVE10' as never }))!.count).toBe(50);
  });

  it('lets exactly one of 200 parallel inserts of the same unique key succeed', async () => {
    const c: Collection = t.db.collection('redemptions');
    await c.createIndex({ order: 1, coupon: 1 }, { unique: true });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => c.insertOne({ order: 'o1', coupon: 'SAVE10', attempt: i })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(199);
    expect(rejected.every((r) => r.reason.code === 11000)).toBe(true);
    expect(await c.countDocuments()).toBe(1);
  });

  it('keeps guarded updateOne calls exact too', async () => {
    const c: Collection = t.db.collection('stock');
    await c.insertOne({ _id: 'p1' as never, left: 30 });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => c.updateOne({ _id: 'p1' as never, left: { $gt: 0 } }, { $inc: { left: -1 } })),
    );
    expect(results.reduce((n, r) => n + r.modifiedCount, 0)).toBe(30);
    expect((await c.findOne({ _id: 'p1' as never }))!.left).toBe(0);
  });
});
