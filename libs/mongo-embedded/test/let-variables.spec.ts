// Command-level `let` variables through the official driver: `$$name` in `$expr` filters, in
// aggregation and update pipelines, for find, aggregate, update, delete, findAndModify and bulk
// writes; values that are expressions (evaluated once, before any document is read); the builtin
// variables beside them; and MongoDB's refusals (undefined variable, invalid or reserved names,
// values that read the document, a `let` that is not an object).

import { Collection, MongoBulkWriteError, MongoServerError } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('let');
});
afterAll(async () => {
  await t.close();
});

interface Row {
  _id: number;
  [k: string]: unknown;
}

let seq = 0;
async function seeded(
  docs: Row[] = [
    { _id: 1, x: 10 },
    { _id: 2, x: 20 },
    { _id: 3, x: 30 },
  ],
): Promise<Collection<Row>> {
  const c = t.db.collection<Row>(`let${++seq}`);
  await c.insertMany(docs);
  return c;
}

const byId = { $expr: { $eq: ['$_id', '$$id'] } };

async function failure(p: Promise<unknown>): Promise<MongoServerError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MongoServerError);
  return e as MongoServerError;
}

describe('find', () => {
  it('resolves $$name in an $expr filter', async () => {
    const c = await seeded();
    expect(await c.find(byId, { let: { id: 2 } }).toArray()).toEqual([{ _id: 2, x: 20 }]);
    expect(await c.find({ $and: [{ x: { $gte: 10 } }, { $expr: { $gt: ['$x', '$$min'] } }] }, { let: { min: 15 } }).toArray()).toHaveLength(
      2,
    );
  });

  it('evaluates let values as expressions, once, with earlier names in scope', async () => {
    const c = await seeded();
    const docs = await c
      .find({}, { let: { a: 2, b: { $add: ['$$a', 3] }, c: { $multiply: ['$$a', '$$b'] }, lit: { $literal: '$notAPath' } } })
      .project({ _id: 0, c: '$$c', lit: '$$lit' })
      .limit(1)
      .toArray();
    expect(docs).toEqual([{ c: 10, lit: '$notAPath' }]);
    // $rand is evaluated once for the whole command: every document sees the same value.
    const r = await c
      .find({}, { let: { r: { $rand: {} } } })
      .project({ _id: 0, r: '$$r' })
      .toArray();
    expect(r).toHaveLength(3);
    expect(new Set(r.map((d) => d.r)).size).toBe(1);
    expect(typeof r[0].r).toBe('number');
  });

  it('keeps the builtin variables working beside let', async () => {
    const c = await seeded();
    const before = Date.now();
    const docs = await c
      .find(
        {
          $expr: { $and: [{ $lte: ['$$NOW', new Date(before + 60_000)] }, { $eq: ['$$ROOT._id', '$$id'] }, { $eq: ['$$CURRENT.x', 10] }] },
        },
        { let: { id: 1 } },
      )
      .toArray();
    expect(docs).toEqual([{ _id: 1, x: 10 }]);
  });

  it('refuses an undefined variable with code 17276, even when nothing would match', async () => {
    const c = await seeded();
    const e = await failure(c.find({ $expr: { $eq: ['$_id', '$$nope'] } }, { let: { id: 1 } }).toArray());
    expect(e.code).toBe(17276);
    expect(e.message).toBe('Use of undefined variable: nope');
    const missing = t.db.collection('let_missing_collection');
    expect((await failure(missing.find({ $expr: { $eq: ['$_id', '$$nope'] } }).toArray())).code).toBe(17276);
    // A let value may only use names defined before it.
    expect((await failure(c.find({}, { let: { a: '$$b', b: 1 } }).toArray())).code).toBe(17276);
  });

  it('accepts variables bound inside the expression ($let, $map, $filter, $reduce)', async () => {
    const c = await seeded([{ _id: 1, xs: [1, 2, 3] }]);
    const filter = {
      $expr: {
        $and: [
          { $eq: [{ $let: { vars: { two: 2 }, in: { $add: ['$$two', '$$k'] } } }, 3] },
          { $eq: [{ $size: { $filter: { input: '$xs', as: 'v', cond: { $gt: ['$$v', 1] } } } }, 2] },
          { $eq: [{ $sum: { $map: { input: '$xs', in: { $multiply: ['$$this', '$$k'] } } } }, 6] },
          { $eq: [{ $reduce: { input: '$xs', initialValue: 0, in: { $add: ['$$value', '$$this'] } } }, 6] },
        ],
      },
    };
    expect(await c.find(filter, { let: { k: 1 } }).toArray()).toHaveLength(1);
  });

  it('treats $$ strings outside $expr as plain values', async () => {
    const c = await seeded([{ _id: 1, s: '$$literal' }]);
    expect(await c.find({ s: '$$literal' }).toArray()).toEqual([{ _id: 1, s: '$$literal' }]);
  });
});

describe('let names and values MongoDB refuses', () => {
  // Rows are objects: jest passes `done` to a test function with more parameters than row cells.
  const cases: Array<{ label: string; lets: Record<string, unknown>; code: number; message?: string }> = [
    {
      label: 'a name starting with an upper-case letter',
      lets: { Reserved: 1 },
      code: 9,
      message: "Invalid 'let' parameter :: caused by :: 'Reserved' starts with an invalid character for a user variable name",
    },
    {
      label: 'a name with an invalid character',
      lets: { 'a-b': 1 },
      code: 9,
      message: "Invalid 'let' parameter :: caused by :: 'a-b' contains an invalid character for a variable name: '-'",
    },
    { label: 'a name starting with a digit', lets: { '1a': 1 }, code: 9 },
    { label: 'the builtin ROOT', lets: { ROOT: 1 }, code: 9 },
    { label: 'the builtin REMOVE', lets: { REMOVE: 1 }, code: 9 },
    { label: 'the internal constant NOW', lets: { NOW: new Date() }, code: 4738901, message: 'Attempt to set internal constant: NOW' },
    { label: 'the internal constant CLUSTER_TIME', lets: { CLUSTER_TIME: 1 }, code: 4738901 },
    { label: 'a value reading a field', lets: { a: '$x' }, code: 4890500 },
    { label: 'a value reading $$ROOT', lets: { a: '$$ROOT' }, code: 4890500 },
  ];
  it.each(cases)('refuses $label', async ({ lets, code, message }) => {
    const c = await seeded();
    const e = await failure(c.aggregate([], { let: lets }).toArray());
    expect(e.code).toBe(code);
    if (message) expect(e.message).toBe(message);
    expect((await failure(c.find({}, { let: lets }).toArray())).code).toBe(code);
  });

  it('refuses a let that is not an object with TypeMismatch and accepts an empty one', async () => {
    const c = await seeded();
    const e = await failure(t.db.command({ aggregate: c.collectionName, pipeline: [], cursor: {}, let: 1 }));
    expect(e.code).toBe(14);
    expect((await t.db.command({ aggregate: c.collectionName, pipeline: [], cursor: {}, let: {} })).ok).toBe(1);
    expect((await t.db.command({ find: c.collectionName, filter: {}, let: null })).ok).toBe(1);
  });
});

describe('aggregate', () => {
  it('resolves let in $match $expr, in $project and inside $lookup sub-pipelines', async () => {
    const c = await seeded();
    const other = await seeded([
      { _id: 10, ref: 1 },
      { _id: 11, ref: 2 },
    ]);
    const docs = await c
      .aggregate(
        [
          { $match: { $expr: { $lte: ['$_id', '$$upTo'] } } },
          {
            $lookup: {
              from: other.collectionName,
              let: { me: '$_id' },
              pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$ref', '$$me'] }, { $gt: ['$_id', '$$floor'] }] } } }],
              as: 'refs',
            },
          },
          { $project: { _id: 1, tag: '$$tag', lit: '$$lit', n: { $size: '$refs' } } },
        ],
        { let: { upTo: 2, floor: 5, tag: 'foo', lit: { $literal: '$bar' } } },
      )
      .toArray();
    expect(docs).toEqual([
      { _id: 1, tag: 'foo', lit: '$bar', n: 1 },
      { _id: 2, tag: 'foo', lit: '$bar', n: 1 },
    ]);
  });

  it('refuses an undefined variable in any stage with 17276', async () => {
    const c = await seeded();
    const e = await failure(c.aggregate([{ $project: { v: '$$missing' } }], { let: { other: 1 } }).toArray());
    expect(e.code).toBe(17276);
    expect(e.message).toBe('Use of undefined variable: missing');
    expect((await failure(c.aggregate([{ $match: { $expr: { $eq: ['$_id', '$$nope'] } } }]).toArray())).code).toBe(17276);
  });
});

describe('update', () => {
  it('updateOne: let in the $expr filter and in the update pipeline', async () => {
    const c = await seeded();
    const r = await c.updateOne(byId, [{ $set: { y: '$$y', sum: { $add: ['$x', '$$inc'] } } }], { let: { id: 2, y: 'foo', inc: 5 } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 1]);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, x: 20, y: 'foo', sum: 25 });
  });

  it('updateMany and replaceOne with let', async () => {
    const c = await seeded();
    const many = await c.updateMany({ $expr: { $gte: ['$x', '$$min'] } }, [{ $set: { flag: '$$flag' } }], { let: { min: 20, flag: true } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    expect(await c.countDocuments({ flag: true })).toBe(2);
    const rep = await c.replaceOne(byId, { replaced: true }, { let: { id: 1 } });
    expect(rep.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, replaced: true });
  });

  it('upserts through a pipeline that reads let', async () => {
    const c = await seeded();
    const r = await c.updateOne({ _id: 9 }, [{ $set: { made: '$$v' } }], { upsert: true, let: { v: 'new' } });
    expect(r.upsertedId).toBe(9);
    expect(await c.findOne({ _id: 9 })).toEqual({ _id: 9, made: 'new' });
  });

  it('keeps $$NOW working in an update pipeline beside let', async () => {
    const c = await seeded();
    await c.updateOne(byId, [{ $set: { at: '$$NOW', who: '$$who' } }], { let: { id: 3, who: 'me' } });
    const doc = await c.findOne({ _id: 3 });
    expect(doc?.at).toBeInstanceOf(Date);
    expect(doc?.who).toBe('me');
  });

  it('reports an undefined variable in the filter or the pipeline as a write error 17276', async () => {
    const c = await seeded();
    const inFilter = await failure(c.updateOne({ $expr: { $eq: ['$_id', '$$nope'] } }, { $set: { z: 1 } }, { let: { id: 1 } }));
    expect(inFilter.code).toBe(17276);
    const inPipeline = await failure(c.updateMany({}, [{ $set: { z: '$$nope' } }], { let: { id: 1 } }));
    expect(inPipeline.code).toBe(17276);
    expect(await c.countDocuments({ z: { $exists: true } })).toBe(0);
  });
});

describe('delete', () => {
  it('deleteOne and deleteMany with let', async () => {
    const c = await seeded();
    expect((await c.deleteOne(byId, { let: { id: 1 } })).deletedCount).toBe(1);
    expect((await c.deleteMany({ $expr: { $gt: ['$x', '$$min'] } }, { let: { min: 25 } })).deletedCount).toBe(1);
    expect(await c.find({}).toArray()).toEqual([{ _id: 2, x: 20 }]);
  });

  it('refuses an undefined variable with 17276 and deletes nothing', async () => {
    const c = await seeded();
    expect((await failure(c.deleteMany({ $expr: { $eq: ['$_id', '$$nope'] } }))).code).toBe(17276);
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('findAndModify', () => {
  it('findOneAndUpdate with let in the query and the pipeline', async () => {
    const c = await seeded();
    const before = await c.findOneAndUpdate(byId, [{ $set: { x: '$$x' } }], { let: { id: 1, x: 'foo' } });
    expect(before).toEqual({ _id: 1, x: 10 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, x: 'foo' });
  });

  it('findOneAndReplace and findOneAndDelete with let', async () => {
    const c = await seeded();
    const after = await c.findOneAndReplace(byId, { x: 'replaced' }, { let: { id: 2 }, returnDocument: 'after' });
    expect(after).toEqual({ _id: 2, x: 'replaced' });
    const deleted = await c.findOneAndDelete(byId, { let: { id: 3 } });
    expect(deleted).toEqual({ _id: 3, x: 30 });
    expect(await c.countDocuments()).toBe(2);
  });

  it('refuses an undefined variable or an invalid name as a command error', async () => {
    const c = await seeded();
    expect((await failure(c.findOneAndUpdate({ $expr: { $eq: ['$_id', '$$nope'] } }, { $set: { y: 1 } }))).code).toBe(17276);
    expect((await failure(c.findOneAndDelete(byId, { let: { Id: 1 } }))).code).toBe(9);
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('bulk writes', () => {
  it('applies let to every update and delete statement, ordered and unordered', async () => {
    for (const ordered of [true, false]) {
      const c = await seeded();
      const r = await c.bulkWrite(
        [
          { updateOne: { filter: byId, update: [{ $set: { x: '$$val' } }] } },
          { updateMany: { filter: { $expr: { $gt: ['$_id', '$$id'] } }, update: [{ $set: { big: true } }] } },
          { replaceOne: { filter: { $expr: { $eq: ['$_id', '$$last'] } }, replacement: { x: 'r' } } },
          { deleteOne: { filter: { $expr: { $eq: ['$x', '$$val'] } } } },
        ],
        { ordered, let: { id: 1, val: 99, last: 3 } },
      );
      expect([r.matchedCount, r.modifiedCount, r.deletedCount]).toEqual([4, 4, 1]);
      expect(await c.find({}).toArray()).toEqual([
        { _id: 2, x: 20, big: true },
        { _id: 3, x: 'r' },
      ]);
    }
  });

  it('reports an undefined variable per statement: ordered stops, unordered goes on', async () => {
    for (const ordered of [true, false]) {
      const c = await seeded();
      const e = await c
        .bulkWrite(
          [
            { updateOne: { filter: byId, update: [{ $set: { y: 1 } }] } },
            { updateOne: { filter: byId, update: [{ $set: { y: '$$nope' } }] } },
            { updateOne: { filter: { _id: 2 }, update: [{ $set: { y: 2 } }] } },
          ],
          { ordered, let: { id: 1 } },
        )
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(MongoBulkWriteError);
      const bulk = e as MongoBulkWriteError;
      const errors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
      expect(errors.map((w) => [w.index, w.code])).toEqual([[1, 17276]]);
      expect(await c.countDocuments({ y: { $exists: true } })).toBe(ordered ? 1 : 2);
    }
  });
});
