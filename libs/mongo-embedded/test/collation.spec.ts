// Collations through the official driver: locale-aware string matching (equality, `$in`, `$ne`,
// `$nin`, ranges, `$expr`), sort order (strength, caseFirst, numericOrdering, alternate, backwards),
// `count`, `distinct`, aggregation (`$match`, `$sort`, `$group` keys, `$addToSet`), per-statement
// collations of updates, deletes and bulk writes, `findAndModify`, indexes that must not answer a
// collated query, and MongoDB's refusals of invalid collation documents. Everything but the
// embedded server's own refusals runs unchanged against a real MongoDB 7.0.

import { Collection, CollationOptions, MongoServerError } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('collation');
});
afterAll(async () => {
  await t.close();
});

interface Row {
  _id: number;
  [k: string]: unknown;
}

let seq = 0;
async function seeded(docs: Row[]): Promise<Collection<Row>> {
  const c = t.db.collection<Row>(`coll${++seq}`);
  await c.insertMany(docs);
  return c;
}

const WORDS: Row[] = [
  { _id: 1, name: 'cafe' },
  { _id: 2, name: 'Café' },
  { _id: 3, name: 'CAFE' },
  { _id: 4, name: 'café' },
  { _id: 5, name: 'tea' },
  { _id: 6, name: 5 },
];

const en = (extra: Partial<CollationOptions> = {}): CollationOptions => ({ locale: 'en', ...extra });

async function ids(c: Collection<Row>, filter: object, collation?: CollationOptions): Promise<number[]> {
  const docs = await c
    .find(filter, collation ? { collation } : {})
    .sort({ _id: 1 })
    .toArray();
  return docs.map((d) => d._id);
}

async function failure(p: Promise<unknown>): Promise<MongoServerError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MongoServerError);
  return e as MongoServerError;
}

describe('query matching', () => {
  it('compares strings at the requested strength', async () => {
    const c = await seeded(WORDS);
    expect(await ids(c, { name: 'CAFE' })).toEqual([3]);
    expect(await ids(c, { name: 'CAFE' }, { locale: 'simple' })).toEqual([3]);
    expect(await ids(c, { name: 'CAFE' }, en())).toEqual([3]);
    expect(await ids(c, { name: 'CAFE' }, en({ strength: 2 }))).toEqual([1, 3]);
    expect(await ids(c, { name: 'CAFE' }, en({ strength: 1 }))).toEqual([1, 2, 3, 4]);
    expect(await ids(c, { name: 'cafe' }, en({ strength: 1, caseLevel: true }))).toEqual([1, 4]);
    expect(await ids(c, { name: { $eq: 'Cafe' } }, en({ strength: 2 }))).toEqual([1, 3]);
  });

  it('collates $in, $ne, $nin, $all, $elemMatch, $not and $or', async () => {
    const c = await seeded([...WORDS, { _id: 7, tags: ['Red', 'GREEN'] }]);
    const s2 = en({ strength: 2 });
    expect(await ids(c, { name: { $in: ['CAFE', 'TEA', 5] } }, s2)).toEqual([1, 3, 5, 6]);
    expect(await ids(c, { name: { $in: [/^C/, 'tea'] } }, s2)).toEqual([2, 3, 5]);
    expect(await ids(c, { name: { $ne: 'CAFE' } }, en({ strength: 1 }))).toEqual([5, 6, 7]);
    expect(await ids(c, { name: { $nin: ['cafe', 'TEA'] } }, s2)).toEqual([2, 4, 6, 7]);
    expect(await ids(c, { tags: { $all: ['red', 'green'] } }, s2)).toEqual([7]);
    expect(await ids(c, { tags: 'green' }, s2)).toEqual([7]);
    expect(await ids(c, { tags: { $elemMatch: { $eq: 'RED' } } }, s2)).toEqual([7]);
    expect(await ids(c, { name: { $not: { $eq: 'cafe' } } }, s2)).toEqual([2, 4, 5, 6, 7]);
    expect(await ids(c, { $or: [{ name: 'TEA' }, { _id: 2 }] }, s2)).toEqual([2, 5]);
  });

  it('collates ranges within the string type only', async () => {
    const c = await seeded(WORDS);
    // Binary order puts every lowercase word after 'D'; the English collation does not.
    expect(await ids(c, { name: { $gte: 'C', $lt: 'D' } })).toEqual([2, 3]);
    expect(await ids(c, { name: { $gte: 'C', $lt: 'D' } }, en())).toEqual([1, 2, 3, 4]);
    expect(await ids(c, { name: { $gt: 'CAFE' } }, en({ strength: 1 }))).toEqual([5]);
    expect(await ids(c, { name: { $lte: 'cafe' } }, en({ strength: 1 }))).toEqual([1, 2, 3, 4]);
  });

  it('collates $expr comparisons and leaves $regex binary', async () => {
    const c = await seeded(WORDS);
    expect(await ids(c, { $expr: { $eq: ['$name', 'CAFE'] } }, en({ strength: 2 }))).toEqual([1, 3]);
    expect(await ids(c, { $expr: { $in: ['$name', ['TEA']] } }, en({ strength: 2 }))).toEqual([5]);
    expect(await ids(c, { name: /^cafe$/ }, en({ strength: 1 }))).toEqual([1]);
  });

  it('compares strings inside embedded documents and arrays', async () => {
    const c = await seeded([
      { _id: 1, who: { first: 'Ann', last: 'Lee' } },
      { _id: 2, who: { first: 'ANN', last: 'LEE' } },
      { _id: 3, pair: ['A', 'b'] },
    ]);
    expect(await ids(c, { who: { first: 'ann', last: 'lee' } }, en({ strength: 2 }))).toEqual([1, 2]);
    expect(await ids(c, { pair: ['a', 'B'] }, en({ strength: 2 }))).toEqual([3]);
    expect(await ids(c, { pair: ['a', 'B'] })).toEqual([]);
  });

  it('treats spaces and punctuation as ignorable with alternate: shifted', async () => {
    const c = await seeded([
      { _id: 1, v: 'ab' },
      { _id: 2, v: 'a-b' },
      { _id: 3, v: 'a b' },
    ]);
    expect(await ids(c, { v: 'ab' }, en())).toEqual([1]);
    expect(await ids(c, { v: 'ab' }, en({ alternate: 'shifted' }))).toEqual([1, 2, 3]);
    expect(await ids(c, { v: 'ab' }, en({ alternate: 'shifted', maxVariable: 'space' }))).toEqual([1, 3]);
    // Quaternary strength distinguishes the ignorable characters again.
    expect(await ids(c, { v: 'ab' }, en({ alternate: 'shifted', strength: 4 }))).toEqual([1]);
  });

  it('compares digit runs as numbers with numericOrdering', async () => {
    const c = await seeded([
      { _id: 1, v: '10' },
      { _id: 2, v: '9' },
      { _id: 3, v: '010' },
    ]);
    expect(await ids(c, { v: { $gt: '9' } })).toEqual([]);
    expect(await ids(c, { v: { $gt: '9' } }, en({ numericOrdering: true }))).toEqual([1, 3]);
    expect(await ids(c, { v: '10' }, en({ numericOrdering: true }))).toEqual([1, 3]);
  });
});

describe('sort', () => {
  const sorted = async (c: Collection<Row>, collation?: CollationOptions): Promise<number[]> =>
    (
      await c
        .find({}, collation ? { collation } : {})
        .sort({ name: 1, _id: 1 })
        .toArray()
    ).map((d) => d._id);

  it('orders strings by the collation, types still in BSON order', async () => {
    const c = await seeded(WORDS);
    expect(await sorted(c)).toEqual([6, 3, 2, 1, 4, 5]);
    expect(await sorted(c, en())).toEqual([6, 1, 3, 4, 2, 5]);
    expect(await sorted(c, en({ caseFirst: 'upper' }))).toEqual([6, 3, 1, 2, 4, 5]);
    // Equal at strength 1: the tie-break on _id decides.
    expect(await sorted(c, en({ strength: 1 }))).toEqual([6, 1, 2, 3, 4, 5]);
    const desc = await c.find({}, { collation: en() }).sort({ name: -1 }).toArray();
    expect(desc.map((d) => d._id)).toEqual([5, 2, 4, 3, 1, 6]);
  });

  it('orders digit runs numerically and accents backwards when asked', async () => {
    const nums = await seeded(['10', '9', '2', 'b10', 'b2'].map((v, i) => ({ _id: i + 1, v })));
    const byV = async (collation: CollationOptions): Promise<unknown[]> =>
      (await nums.find({}, { collation }).sort({ v: 1 }).toArray()).map((d) => d.v);
    expect(await byV({ locale: 'simple' })).toEqual(['10', '2', '9', 'b10', 'b2']);
    expect(await byV(en({ numericOrdering: true }))).toEqual(['2', '9', '10', 'b2', 'b10']);

    const words = await seeded(['cote', 'coté', 'côte', 'côté'].map((v, i) => ({ _id: i + 1, v })));
    const byW = async (collation: CollationOptions): Promise<unknown[]> =>
      (await words.find({}, { collation }).sort({ v: 1 }).toArray()).map((d) => d.v);
    expect(await byW({ locale: 'fr' })).toEqual(['cote', 'coté', 'côte', 'côté']);
    expect(await byW({ locale: 'fr', backwards: true })).toEqual(['cote', 'côte', 'coté', 'côté']);
    expect(await byW({ locale: 'fr_CA' })).toEqual(['cote', 'côte', 'coté', 'côté']);
    expect(await byW({ locale: 'fr_CA', backwards: false })).toEqual(['cote', 'coté', 'côte', 'côté']);
  });
});

describe('count and distinct', () => {
  it('counts with the collation', async () => {
    const c = await seeded(WORDS);
    expect(await c.countDocuments({ name: 'CAFE' })).toBe(1);
    expect(await c.countDocuments({ name: 'CAFE' }, { collation: en({ strength: 2 }) })).toBe(2);
    expect(await c.countDocuments({ name: 'CAFE' }, { collation: en({ strength: 1 }) })).toBe(4);
    expect(await c.count({ name: 'cafe' }, { collation: en({ strength: 1 }) })).toBe(4);
    expect(await t.db.collection('missing').countDocuments({ name: 'x' }, { collation: en() })).toBe(0);
  });

  it('returns one value per collation class', async () => {
    const c = await seeded(WORDS);
    expect(await c.distinct('name')).toHaveLength(6);
    expect(await c.distinct('name', {}, { collation: en({ strength: 2 }) })).toHaveLength(4);
    const primary = await c.distinct('name', {}, { collation: en({ strength: 1 }) });
    expect(primary).toHaveLength(3);
    expect(primary).toContain(5);
    expect(primary).toContain('tea');
    expect(['cafe', 'Café', 'CAFE', 'café']).toContain(primary.find((v) => v !== 5 && v !== 'tea'));
    expect(await c.distinct('_id', { name: 'CAFE' }, { collation: en({ strength: 2 }) })).toEqual([1, 3]);
  });
});

describe('aggregate', () => {
  it('collates $match, $sort and $expr', async () => {
    const c = await seeded(WORDS);
    const matched = await c.aggregate([{ $match: { name: 'CAFE' } }, { $sort: { _id: 1 } }], { collation: en({ strength: 2 }) }).toArray();
    expect(matched.map((d) => d._id)).toEqual([1, 3]);
    const later = await c
      .aggregate([{ $match: { _id: { $lte: 5 } } }, { $match: { name: 'Cafe' } }], { collation: en({ strength: 1 }) })
      .toArray();
    expect(later).toHaveLength(4);
    const sorted = await c.aggregate([{ $sort: { name: 1, _id: 1 } }], { collation: en() }).toArray();
    expect(sorted.map((d) => d._id)).toEqual([6, 1, 3, 4, 2, 5]);
    const flagged = await c
      .aggregate([{ $project: { same: { $eq: ['$name', 'CAFÉ'] } } }, { $sort: { _id: 1 } }], { collation: en({ strength: 2 }) })
      .toArray();
    expect(flagged.map((d) => d.same)).toEqual([false, true, false, true, false, false]);
  });

  it('groups collation-equal keys together', async () => {
    const c = await seeded(WORDS);
    const groups = await c.aggregate([{ $group: { _id: '$name', n: { $sum: 1 } } }], { collation: en({ strength: 1 }) }).toArray();
    expect(groups).toHaveLength(3);
    const cafe = groups.find((g) => typeof g._id === 'string' && g._id.toLowerCase().startsWith('caf'));
    expect(cafe?.n).toBe(4);
    const sets = await c
      .aggregate([{ $match: { _id: { $lte: 5 } } }, { $group: { _id: null, names: { $addToSet: '$name' } } }], {
        collation: en({ strength: 1 }),
      })
      .toArray();
    expect(sets[0].names).toHaveLength(2);
    expect((await c.aggregate([{ $group: { _id: '$name' } }]).toArray()).length).toBe(6);
  });
});

describe('writes', () => {
  it('applies each statement its own collation', async () => {
    const c = await seeded(WORDS.slice(0, 5));
    const r = await c.bulkWrite(
      [
        { updateMany: { filter: { name: 'cafe' }, update: { $set: { hit: 'tertiary' } }, collation: en() } },
        { updateMany: { filter: { name: 'CAFE' }, update: { $set: { case: true } }, collation: en({ strength: 2 }) } },
        { updateOne: { filter: { name: 'TEA' }, update: { $set: { hit: 'one' } }, collation: en({ strength: 2 }) } },
        { replaceOne: { filter: { name: 'TEA' }, replacement: { name: 'TEA' }, upsert: true, collation: en() } },
        { deleteOne: { filter: { name: 'CAFÉ' }, collation: en({ strength: 2 }) } },
      ],
      { ordered: true },
    );
    expect(r.matchedCount).toBe(4);
    expect(r.modifiedCount).toBe(4);
    expect(r.upsertedCount).toBe(1);
    expect(r.deletedCount).toBe(1);
    const rows = await c
      .find({}, { projection: { _id: 0 } })
      .sort({ _id: 1 })
      .toArray();
    expect(rows).toEqual([
      { name: 'cafe', hit: 'tertiary', case: true },
      { name: 'CAFE', case: true },
      { name: 'café' },
      { name: 'tea', hit: 'one' },
      { name: 'TEA' },
    ]);
  });

  it('deletes every collation-equal document with deleteMany', async () => {
    const c = await seeded(WORDS);
    expect((await c.deleteMany({ name: 'cafe' }, { collation: en({ strength: 1 }) })).deletedCount).toBe(4);
    expect(await ids(c, {})).toEqual([5, 6]);
  });

  it('findAndModify matches and sorts with the collation', async () => {
    const c = await seeded(WORDS);
    // en: cafe < CAFE < café < Café (binary: CAFE < Café < cafe < café, and 'c'..'d' holds no capital).
    const before = await c.findOneAndUpdate(
      { name: { $gte: 'c', $lt: 'd' } },
      { $set: { picked: true } },
      { collation: en(), sort: { name: -1 }, projection: { _id: 1, picked: 1 } },
    );
    expect(before).toEqual({ _id: 2 });
    expect(await ids(c, { picked: true })).toEqual([2]);
    const gone = await c.findOneAndDelete({ name: 'Cafe' }, { collation: en({ strength: 2 }), sort: { _id: -1 } });
    expect(gone?._id).toBe(3);
    const replaced = await c.findOneAndReplace(
      { name: 'TEA' },
      { name: 'coffee' },
      { collation: en({ strength: 2 }), returnDocument: 'after' },
    );
    expect(replaced).toEqual({ _id: 5, name: 'coffee' });
  });
});

describe('indexes', () => {
  it('does not answer a collated string query from a binary index', async () => {
    const c = await seeded(WORDS);
    await c.createIndex({ name: 1 });
    await c.createIndex({ name: 1, _id: 1 }, { unique: true });
    expect(await ids(c, { name: 'CAFE' }, en({ strength: 2 }))).toEqual([1, 3]);
    expect(await ids(c, { name: { $in: ['cafe', 'TEA'] } }, en({ strength: 1 }))).toEqual([1, 2, 3, 4, 5]);
    expect(await ids(c, { name: { $gt: 'Caff' } }, en({ strength: 1 }))).toEqual([5]);
    expect(await ids(c, { name: 5 }, en({ strength: 1 }))).toEqual([6]);
    if (!t.real) {
      const plan = await c.find({ name: 'CAFE' }, { collation: en({ strength: 2 }) }).explain('executionStats');
      expect(plan.queryPlanner.winningPlan.stage).toBe('COLLSCAN');
      // Predicates without strings still use the index.
      const byNumber = await c.find({ _id: 2, name: 'CAFÉ' }, { collation: en({ strength: 2 }) }).explain('executionStats');
      expect(byNumber.queryPlanner.winningPlan.inputStage.indexName).toBe('_id_');
      expect(byNumber.executionStats.nReturned).toBe(1);
    }
  });
});

describe('invalid collations', () => {
  const find = (collation: unknown): Promise<MongoServerError> =>
    failure(
      t.db
        .collection('any')
        .find({}, { collation: collation as CollationOptions })
        .toArray(),
    );

  it('refuses a collation document MongoDB cannot parse', async () => {
    const missing = await find({ strength: 2 });
    expect(missing.code).toBe(40414);
    expect(missing.message).toContain("'collation.locale' is missing");
    const unknown = await find({ locale: 'en', blah: 1 });
    expect(unknown.code).toBe(40415);
    expect(unknown.message).toContain("'collation.blah' is an unknown field");
    expect((await find({ locale: 'en', caseLevel: 'yes' })).code).toBe(14);
    expect((await find({ locale: 3 })).code).toBe(14);
    const badEnum = await find({ locale: 'en', caseFirst: 'first' });
    expect(badEnum.code).toBe(2);
    expect(badEnum.message).toContain("Enumeration value 'first' for field 'collation.caseFirst'");
    expect((await find({ locale: 'en', alternate: 'ignore' })).code).toBe(2);
    expect((await find({ locale: 'en', strength: 0 })).code).toBe(2);
    const tooStrong = await find({ locale: 'en', strength: 6 });
    if (!t.real) expect(tooStrong.code).toBe(51024);
  });

  it('refuses unknown locales and invalid option combinations', async () => {
    const unknownLocale = await find({ locale: 'xx' });
    expect(unknownLocale.code).toBe(2);
    expect(unknownLocale.message).toContain("Field 'locale' is invalid");
    expect((await find({ locale: 'en-US' })).code).toBe(2);
    expect((await find({ locale: '' })).code).toBe(2);
    const caseFirst = await find({ locale: 'en', strength: 1, caseFirst: 'upper' });
    expect(caseFirst.code).toBe(2);
    expect(caseFirst.message).toContain("'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2");
    expect((await find({ locale: 'en', strength: 1, backwards: true })).code).toBe(2);
    // caseFirst with caseLevel at strength 1 is fine.
    expect(
      await t.db
        .collection('any')
        .find({}, { collation: { locale: 'en', strength: 1, caseLevel: true, caseFirst: 'upper' } })
        .toArray(),
    ).toEqual([]);
  });

  it('validates per-statement collations of writes as write errors', async () => {
    const c = await seeded(WORDS);
    const e = await failure(c.updateOne({ name: 'x' }, { $set: { y: 1 } }, { collation: { strength: 2 } as unknown as CollationOptions }));
    expect(e.code).toBe(40414);
  });

  it('refuses to override the simple collation of a view', async () => {
    const c = await seeded(WORDS);
    await t.db.createCollection(`${c.collectionName}_view`, { viewOn: c.collectionName, pipeline: [] });
    const view = t.db.collection(`${c.collectionName}_view`);
    expect((await failure(view.find({ name: 'CAFE' }, { collation: en({ strength: 2 }) }).toArray())).code).toBe(157);
    expect((await failure(view.aggregate([], { collation: en() }).toArray())).code).toBe(157);
    expect(await view.countDocuments({ name: 'CAFE' }, { collation: { locale: 'simple' } })).toBe(1);
  });
});

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('what the embedded server refuses under a collation', () => {
  it('refuses collection and view default collations and index collations', async () => {
    expect((await failure(t.db.createCollection('ci', { collation: en({ strength: 2 }) }))).code).toBe(115);
    const view = await failure(t.db.createCollection('civ', { viewOn: 'x', pipeline: [], collation: en() }));
    expect(view.code).toBe(115);
    expect(view.message).toContain("'collation' option of create");
    // The simple collation is the default anyway.
    await t.db.createCollection('cs', { collation: { locale: 'simple' } });
    expect((await failure(t.db.collection('cs').createIndex({ a: 1 }, { collation: en() }))).code).toBe(67);
    // An invalid collation is reported as such before the refusal.
    expect((await failure(t.db.createCollection('cx', { collation: { strength: 2 } as unknown as CollationOptions }))).code).toBe(40414);
  });

  it('refuses operators that would compare strings without the collation', async () => {
    const c = await seeded(WORDS);
    const s2 = { collation: en({ strength: 2 }) };
    const refused = async (p: Promise<unknown>, what: string): Promise<void> => {
      const e = await failure(p);
      expect(e.code).toBe(115);
      expect(e.message).toContain(what);
    };
    await refused(c.aggregate([{ $sortByCount: '$name' }], s2).toArray(), "'$sortByCount'");
    await refused(c.aggregate([{ $bucket: { groupBy: '$name', boundaries: ['a', 'z'], default: 'x' } }], s2).toArray(), "'$bucket'");
    await refused(c.aggregate([{ $lookup: { from: 'x', localField: 'name', foreignField: 'n', as: 'j' } }], s2).toArray(), "'$lookup'");
    await refused(c.aggregate([{ $project: { i: { $indexOfArray: [['A'], '$name'] } } }], s2).toArray(), "'$indexOfArray'");
    await refused(c.updateOne({ _id: 7 }, { $pull: { tags: 'A' } as object }, s2), "'$pull'");
    await refused(c.updateOne({ tags: 'a' }, { $set: { 'tags.$': 'b' } }, s2), "'tags.$'");
    await refused(c.updateOne({}, { $set: { 'tags.$[x]': 'b' } }, { ...s2, arrayFilters: [{ x: 'a' }] }), "'arrayFilters'");
    await refused(c.updateOne({}, [{ $set: { same: { $eq: ['$name', 'A'] } } }], s2), "'$eq' in a pipeline update");
    await refused(c.find({ tags: 'a' }, { ...s2, projection: { 'tags.$': 1 } }).toArray(), "'tags.$'");
    await refused(c.find({}, { ...s2, projection: { tags: { $elemMatch: { $eq: 'a' } } } }).toArray(), "'$elemMatch' projection");
    await refused(c.aggregate([{ $match: {} }], { collation: { locale: 'de@collation=search' } }).toArray(), "'de@collation=search'");
    // Without a collation the same commands run.
    expect(await c.aggregate([{ $sortByCount: '$name' }]).toArray()).toHaveLength(6);
  });
});
