// Rules of updates and inserts as MongoDB 7.0 applies them, through the official driver:
// - pipeline updates replace the document but keep its `_id` (an output without `_id`, or with
//   the same value, is fine; only a different value is 66 ImmutableField);
// - the `sort` option of updateOne/replaceOne (an update-statement field MongoDB 8.0 added) is an
//   unknown field for 7.0, refused before anything is written;
// - `$`-prefixed field names inside an `_id` value are refused on insert, replacement and upsert,
//   while top-level `$`-prefixed and dotted names elsewhere are stored as 5.0+ stores them.

import { Collection, Document, MongoServerError } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
let major = 7;
beforeAll(async () => {
  t = await startTestDb('rules');
  const info = await t.db.admin().command({ buildInfo: 1 });
  major = Number(info.versionArray?.[0] ?? 7);
});
afterAll(async () => {
  await t.close();
});

let seq = 0;
async function seeded(docs: Row[]): Promise<Collection<any>> {
  const c = t.db.collection<any>(`rules${++seq}`);
  if (docs.length) await c.insertMany(docs);
  return c;
}

async function failure(p: Promise<unknown>): Promise<MongoServerError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MongoServerError);
  return e as MongoServerError;
}

/**
 * Documents of every `_id` shape the tests store (numbers, strings, `$`-keyed documents): the
 * driver's filter typings cannot express such a union, so the collections are untyped.
 */
type Row = Record<string, any>;

const nested = { _id: 1, x: 1, y: 1, t: { u: { v: 1 } } };

describe('pipeline updates and the immutable _id', () => {
  it('keeps _id when $replaceRoot drops it', async () => {
    const c = await seeded([nested, { _id: 2, x: 2, y: 1 }]);
    const r = await c.updateOne({ _id: 1 }, [{ $replaceRoot: { newRoot: '$t' } }, { $addFields: { foo: 1 } }]);
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 1]);
    expect(await c.find({}).toArray()).toEqual([
      { _id: 1, u: { v: 1 }, foo: 1 },
      { _id: 2, x: 2, y: 1 },
    ]);
  });

  it('keeps _id through $project, $unset and $replaceWith in updateMany, bulkWrite and findOneAndUpdate', async () => {
    const c = await seeded([nested, { _id: 2, x: 2, y: 1 }]);
    const many = await c.updateMany({}, [{ $project: { x: 1 } }, { $addFields: { foo: 1 } }]);
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    expect(await c.find({}).toArray()).toEqual([
      { _id: 1, x: 1, foo: 1 },
      { _id: 2, x: 2, foo: 1 },
    ]);
    await c.bulkWrite([{ updateOne: { filter: { _id: 2 }, update: [{ $unset: '_id' }, { $set: { bulk: true } }] } }]);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, x: 2, foo: 1, bulk: true });
    const after = await c.findOneAndUpdate({ _id: 1 }, [{ $replaceWith: { only: '$x' } }], { returnDocument: 'after' });
    expect(after).toEqual({ _id: 1, only: 1 });
  });

  it('accepts setting _id to its own value and reports no modification', async () => {
    const c = await seeded([
      { _id: 1, a: 1 },
      { _id: 'k', a: 2 },
    ]);
    const same = await c.updateMany({}, [{ $set: { _id: '$_id' } }]);
    expect([same.matchedCount, same.modifiedCount]).toEqual([2, 0]);
    const withField = await c.updateOne({ _id: 'k' }, [{ $set: { _id: 'k', b: 1 } }]);
    expect(withField.modifiedCount).toBe(1);
    expect((await c.replaceOne({ _id: 1 }, { _id: 1, a: 5 })).modifiedCount).toBe(1);
    expect((await c.updateOne({ _id: 1 }, { $set: { _id: 1 } })).matchedCount).toBe(1);
    expect(await c.find({}).toArray()).toEqual([
      { _id: 1, a: 5 },
      { _id: 'k', a: 2, b: 1 },
    ]);
  });

  it('refuses a different _id with 66 and changes nothing', async () => {
    const c = await seeded([{ _id: 1, a: 1 }]);
    const pipeline = await failure(c.updateOne({ _id: 1 }, [{ $set: { _id: 5 } }]));
    expect(pipeline.code).toBe(66);
    expect(pipeline.message).toBe("After applying the update, the (immutable) field '_id' was found to have been altered to _id: 5");
    const replace = await failure(c.replaceOne({ _id: 1 }, { _id: 'two', a: 2 }));
    expect(replace.code).toBe(66);
    expect(replace.message).toBe('After applying the update, the (immutable) field \'_id\' was found to have been altered to _id: "two"');
    const operator = await failure(c.updateOne({ _id: 1 }, { $set: { _id: 2 } }));
    expect(operator.code).toBe(66);
    expect(operator.message).toBe("Performing an update on the path '_id' would modify the immutable field '_id'");
    expect(await c.find({}).toArray()).toEqual([{ _id: 1, a: 1 }]);
  });
});

describe('the sort option of update statements (MongoDB 8.0) on a 7.0 server', () => {
  const docs = [
    { _id: 1, x: 11 },
    { _id: 2, x: 22 },
    { _id: 3, x: 33 },
  ];

  async function expectRefused(c: Collection<any>, p: Promise<unknown>): Promise<void> {
    if (major >= 8) {
      await p;
      return;
    }
    const e = (await p.then(
      () => null,
      (err: unknown) => err,
    )) as { code?: number; codeName?: string; message?: string } | null;
    expect(e).not.toBeNull();
    expect(e!.code).toBe(40415);
    expect(e!.message).toBe("BSON field 'update.updates.sort' is an unknown field.");
    expect(await c.find({}).toArray()).toEqual(docs);
  }

  it('refuses updateOne and replaceOne with sort', async () => {
    const c = await seeded(docs);
    const e = await failure(c.updateOne({ _id: { $gt: 1 } }, { $inc: { x: 1 } }, { sort: { _id: -1 } }));
    if (major < 8) {
      expect(e.code).toBe(40415);
      expect(e.codeName).toBe('Location40415');
    }
    await expectRefused(c, c.updateOne({ _id: { $gt: 1 } }, { $inc: { x: 1 } }, { sort: { _id: -1 } }));
    await expectRefused(c, c.replaceOne({ _id: { $gt: 1 } }, { x: 1 }, { sort: { _id: -1 } }));
  });

  it('refuses bulkWrite updateOne and replaceOne with sort, ordered or not', async () => {
    for (const ordered of [true, false]) {
      const c = await seeded(docs);
      await expectRefused(
        c,
        c.bulkWrite([{ updateOne: { filter: { _id: { $gt: 1 } }, update: { $inc: { x: 1 } }, sort: { _id: -1 } } }], { ordered }),
      );
      await expectRefused(
        c,
        c.bulkWrite([{ replaceOne: { filter: { _id: { $gt: 1 } }, replacement: { x: 1 }, sort: { _id: -1 } } }], { ordered }),
      );
    }
  });

  it('refuses any other unknown field of an update statement the same way', async () => {
    const c = await seeded(docs);
    const e = await failure(t.db.command({ update: c.collectionName, updates: [{ q: {}, u: { $set: { y: 1 } }, bogus: 1 }] }));
    expect(e.code).toBe(40415);
    expect(e.message).toBe("BSON field 'update.updates.bogus' is an unknown field.");
    expect(await c.countDocuments({ y: 1 })).toBe(0);
  });

  it('still honours sort where 7.0 has it: findOneAndUpdate and findOneAndReplace', async () => {
    const c = await seeded(docs);
    expect(await c.findOneAndUpdate({ _id: { $gt: 1 } }, { $inc: { x: 1 } }, { sort: { _id: -1 }, returnDocument: 'after' })).toEqual({
      _id: 3,
      x: 34,
    });
    expect(await c.findOneAndReplace({}, { x: 0 }, { sort: { x: 1 }, returnDocument: 'after' })).toEqual({ _id: 1, x: 0 });
  });
});

describe('$-prefixed field names inside _id', () => {
  const storage = (name: string): string => `_id fields may not contain '$'-prefixed fields: ${name} is not valid for storage.`;

  it('refuses them on insert, at any depth of the _id value', async () => {
    const c = await seeded([]);
    const top = await failure(c.insertOne({ _id: { $a: 1 } }));
    expect(top.code).toBe(52);
    expect(top.message).toBe(storage('$a'));
    const deep = await failure(c.insertOne({ _id: { a: { $b: 1 } } }));
    expect([deep.code, deep.message]).toEqual([52, storage('$b')]);
    const inArray = await failure(c.insertOne({ _id: { a: [1, { $c: 1 }] } }));
    expect([inArray.code, inArray.message]).toEqual([52, storage('$c')]);
    expect(await c.countDocuments()).toBe(0);
  });

  it('reports them per document in insertMany: ordered stops, unordered goes on', async () => {
    for (const ordered of [true, false]) {
      const c = await seeded([]);
      const e = await c.insertMany([{ _id: 1 }, { _id: { $x: 1 } }, { _id: 3 }], { ordered }).catch((err: unknown) => err);
      const errors = (e as { writeErrors?: unknown }).writeErrors;
      const list = (Array.isArray(errors) ? errors : [errors]) as Array<{ index: number; code: number }>;
      expect(list.map((w) => [w.index, w.code])).toEqual([[1, 52]]);
      expect((await c.find({}).toArray()).map((d) => d._id)).toEqual(ordered ? [1] : [1, 3]);
    }
  });

  it('refuses them in the _id of a replacement or operator upsert', async () => {
    const c = await seeded([{ _id: 1, x: 1 }]);
    const replaced = await failure(c.replaceOne({ x: 5 }, { _id: { $a: 1 } }, { upsert: true }));
    expect(replaced.code).toBe(52);
    expect(replaced.message).toContain('$a');
    const set = await failure(c.updateOne({ x: 6 }, { $set: { _id: { $a: 1 } } }, { upsert: true }));
    expect(set.code).toBe(52);
    const piped = await failure(c.updateOne({ x: 7 }, [{ $replaceWith: { _id: { $literal: { $a: 1 } } } }], { upsert: true }));
    expect(piped.code).toBe(52);
    // An _id seeded from the query's equality keeps the storage rule for deeper fields.
    const seededId = await failure(c.updateOne({ _id: { k: { $x: 1 } } }, { $set: { y: 1 } }, { upsert: true }));
    expect(seededId.code).toBe(52);
    expect(seededId.message).toContain('$x');
    const fam = await failure(c.findOneAndReplace({ x: 8 }, { _id: { $a: 1 } }, { upsert: true }));
    expect(fam.code).toBe(52);
    expect(await c.find({}).toArray()).toEqual([{ _id: 1, x: 1 }]);
  });

  it('stores dotted names inside _id', async () => {
    const c = await seeded([]);
    const r = await c.insertOne({ _id: { 'a.b': 1 } });
    expect(r.insertedId).toEqual({ 'a.b': 1 });
    expect(await c.find({}).toArray()).toEqual([{ _id: { 'a.b': 1 } }]);
  });
});

describe('dotted and $-prefixed names outside _id (MongoDB 5.0+)', () => {
  it('inserts top-level $-prefixed and dotted names and nested ones', async () => {
    const c = await seeded([]);
    const docs = [
      { _id: 1, $a: 1 },
      { _id: 2, 'a.b': 1 },
      { _id: 3, a: { $b: 1 } },
      { _id: 4, a: { 'b.c': 1 } },
      { _id: 5, a: { $db: 'foo' } },
    ];
    for (const d of docs) await c.insertOne(d);
    expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual(docs);
    const c2 = await seeded([]);
    await c2.insertMany(docs);
    expect(await c2.countDocuments()).toBe(5);
  });

  it('replaces with dotted names and nested $-prefixed names', async () => {
    const c = await seeded([{ _id: 1 }, { _id: 2 }]);
    expect((await c.replaceOne({ _id: 1 }, { _id: 1, 'a.b': 1 })).modifiedCount).toBe(1);
    expect((await c.replaceOne({ _id: 2 }, { a: { $b: 1, 'c.d': 2 } })).modifiedCount).toBe(1);
    expect(await c.findOneAndReplace({ _id: 2 }, { a: { $b: 2 } }, { returnDocument: 'after' })).toEqual({ _id: 2, a: { $b: 2 } });
    expect(await c.find({}).toArray()).toEqual([
      { _id: 1, 'a.b': 1 },
      { _id: 2, a: { $b: 2 } },
    ]);
  });

  it('sets $-prefixed and dotted names through $setField in update pipelines', async () => {
    const c = await seeded([{ _id: 1, foo: {} }]);
    const setTop = (field: string): Document[] => [
      { $replaceWith: { $setField: { field: { $literal: field }, value: 1, input: '$$ROOT' } } },
    ];
    expect((await c.updateOne({ _id: 1 }, setTop('$a'))).modifiedCount).toBe(1);
    expect((await c.updateMany({ _id: 1 }, setTop('a.b'))).modifiedCount).toBe(1);
    await c.findOneAndUpdate({ _id: 1 }, [{ $set: { foo: { $setField: { field: { $literal: '$c' }, value: 1, input: '$foo' } } } }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, foo: { $c: 1 }, $a: 1, 'a.b': 1 });
  });
});
