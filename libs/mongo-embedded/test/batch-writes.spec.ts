// Multi-document updates and batches of small statements, the paths that reuse one compiled
// pipeline per statement and compiled filters across statements: results must be exactly the
// per-document ones, errors must stop at the right document, and a reused filter must never
// carry state (data, `$$NOW`) from an earlier command.

import { Collection, MongoBulkWriteError } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('batch');
});
afterAll(async () => {
  await t.close();
});

interface Row {
  _id: number;
  list?: unknown[];
  n?: unknown;
  [k: string]: unknown;
}

let seq = 0;
function fresh(): Collection<Row> {
  return t.db.collection<Row>(`b${++seq}`);
}

describe('pipeline updates over many documents', () => {
  it('evaluates $concatArrays, $slice and $indexOfArray against each document separately', async () => {
    const c = fresh();
    await c.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: i, list: [i, i + 1, 3] })));
    const r = await c.updateMany({}, [
      { $set: { list: { $slice: [{ $concatArrays: ['$list', ['$_id']] }, -3] }, pos: { $indexOfArray: ['$list', 3] } } },
    ]);
    expect([r.matchedCount, r.modifiedCount]).toEqual([300, 300]);
    expect(await c.findOne({ _id: 0 })).toEqual({ _id: 0, list: [1, 3, 0], pos: 2 });
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, list: [3, 3, 2], pos: 1 });
    expect(await c.findOne({ _id: 250 })).toEqual({ _id: 250, list: [251, 3, 250], pos: 2 });
    // Unchanged documents are matched but not modified.
    const same = await c.updateMany({ _id: { $lt: 10 } }, [{ $set: { pos: '$pos' } }]);
    expect([same.matchedCount, same.modifiedCount]).toEqual([10, 0]);
  });

  it('stops at the first document the pipeline cannot update and keeps the earlier ones', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
      { _id: 3, n: 3 },
    ]);
    // Changing _id fails on the first document: nothing is written.
    const err = await c.updateMany({}, [{ $set: { _id: { $add: ['$_id', 100] } } }]).catch((e) => e);
    expect(err.code).toBe(66);
    expect((await c.find({}).toArray()).map((d) => d._id)).toEqual([1, 2, 3]);
    // A stage that fails to parse fails the statement without touching anything.
    const bad = await c.updateMany({}, [{ $set: { x: { $noSuchOperator: 1 } } }]).catch((e) => e);
    expect(bad).toBeInstanceOf(Error);
    expect(await c.countDocuments({ x: { $exists: true } })).toBe(0);
  });
});

describe('compiled filters reused across statements', () => {
  it('keeps values of different types apart and reads current data every time', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: '1' },
      { _id: 3, n: [1, 2] },
    ]);
    for (let round = 0; round < 2; round++) {
      expect((await c.find({ n: 1 }).toArray()).map((d) => d._id)).toEqual([1, 3]);
      expect((await c.find({ n: '1' }).toArray()).map((d) => d._id)).toEqual([2]);
      expect((await c.find({ n: { $gt: 1 } }).toArray()).map((d) => d._id)).toEqual([3]);
      expect((await c.find({ n: /^1$/ }).toArray()).map((d) => d._id)).toEqual([2]);
    }
    await c.updateOne({ _id: 2 }, { $set: { n: 1 } });
    expect((await c.find({ n: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2, 3]);
    expect(await c.find({ n: '1' }).toArray()).toEqual([]);
  });

  it('evaluates $$NOW in $expr at each command', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, at: new Date(Date.now() + 400) });
    const filter = { $expr: { $lt: ['$at', '$$NOW'] } };
    expect(await c.countDocuments(filter)).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(await c.countDocuments(filter)).toBe(1);
  });
});

describe('bulk upserts with guarded filters', () => {
  it('inserts, then updates only where the guard holds, then fails each stale upsert on the unique key', async () => {
    const c = fresh();
    await c.createIndex({ key: 1 }, { unique: true });
    const ops = (ver: number, guard: number) =>
      Array.from({ length: 200 }, (_, i) => ({
        updateOne: {
          filter: { key: `k${i}`, ver: { $lt: guard } },
          update: { $set: { ver, data: { i, v: ver } }, $setOnInsert: { created: ver } },
          upsert: true,
        },
      }));
    const first = await c.bulkWrite(ops(1, 1), { ordered: false });
    expect([first.upsertedCount, first.matchedCount]).toEqual([200, 0]);
    const second = await c.bulkWrite(ops(2, 2), { ordered: false });
    expect([second.upsertedCount, second.matchedCount, second.modifiedCount]).toEqual([0, 200, 200]);
    expect(await c.findOne({ key: 'k7' }, { projection: { _id: 0 } })).toEqual({ key: 'k7', ver: 2, data: { i: 7, v: 2 }, created: 1 });
    // ver is 2 everywhere now: the guard `ver < 2` matches nothing, so each upsert tries to insert
    // and collides with the existing key, as MongoDB reports it.
    const stale = await c.bulkWrite(ops(3, 2), { ordered: false }).catch((e) => e);
    expect(stale).toBeInstanceOf(MongoBulkWriteError);
    expect(stale.writeErrors).toHaveLength(200);
    expect(stale.writeErrors.every((e: { code: number }) => e.code === 11000)).toBe(true);
    expect(await c.countDocuments({ ver: 2 })).toBe(200);
    expect(await c.countDocuments({})).toBe(200);
  });
});

describe('update operators through mingo updater', () => {
  it('applies $pull conditions, arrayFilters, positional $ and a fresh $currentDate per command', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, list: [1, 2, 3, 4, { v: 5 }], items: [{ v: 1 }, { v: 2 }, { v: 3 }] },
      { _id: 2, list: [5, 6], items: [{ v: 9 }] },
    ]);
    await c.updateMany({}, { $pull: { list: { $gte: 3 } } } as never);
    expect((await c.find({}).toArray()).map((d) => d.list)).toEqual([[1, 2, { v: 5 }], []]);
    await c.updateMany({}, { $pull: { list: { v: 5 } } } as never);
    expect((await c.findOne({ _id: 1 }))!.list).toEqual([1, 2]);
    await c.updateMany({}, { $inc: { 'items.$[e].v': 10 } } as never, { arrayFilters: [{ 'e.v': { $gt: 1 } }] });
    expect((await c.find({}).toArray()).map((d) => d.items)).toEqual([[{ v: 1 }, { v: 12 }, { v: 13 }], [{ v: 19 }]]);
    await c.updateOne({ _id: 1, 'items.v': 12 } as never, { $set: { 'items.$.v': 0 } } as never);
    expect((await c.findOne({ _id: 1 }))!.items).toEqual([{ v: 1 }, { v: 0 }, { v: 13 }]);
    await c.updateOne({ _id: 1 }, { $currentDate: { at: true } } as never);
    const first = (await c.findOne({ _id: 1 }))!.at as Date;
    await new Promise((r) => setTimeout(r, 30));
    await c.updateOne({ _id: 1 }, { $currentDate: { at: true } } as never);
    const second = (await c.findOne({ _id: 1 }))!.at as Date;
    expect(second.getTime()).toBeGreaterThan(first.getTime());
    // Type errors are still refused before mingo runs.
    const err = await c.updateOne({ _id: 1 }, { $push: { items: 1, at: 2 } } as never).catch((e) => e);
    expect(err.code).toBe(2);
  });
});
