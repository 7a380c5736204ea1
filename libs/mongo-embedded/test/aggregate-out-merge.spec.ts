// The writing aggregation stages through the driver: `$out` (replace a collection atomically,
// keep its indexes, leave it untouched on failure, other database, self-replacement) and `$merge`
// (every whenMatched/whenNotMatched mode, `on` with its unique index, `let` and `$$new`,
// duplicate keys as 11000 with keyPattern/keyValue), the empty cursor they answer with, explain
// that writes nothing, read concerns, and MongoDB's refusals.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Collection, Db, MongoClient, ObjectId } from 'mongodb';
import { EmbeddedMongo } from '../src';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
let src: Collection;
let other: Db;

beforeAll(async () => {
  t = await startTestDb('outmerge');
  other = t.client.db(`${t.dbName}_other`);
  src = t.db.collection('src');
  await src.insertMany([
    { _id: 1 as never, x: 11, k: 'a' },
    { _id: 2 as never, x: 22, k: 'b' },
    { _id: 3 as never, x: 33, k: 'c' },
  ]);
});
afterAll(async () => {
  await other.dropDatabase().catch(() => undefined);
  await t.close();
});

async function sorted(c: Collection): Promise<unknown[]> {
  return c.find().sort({ _id: 1 }).toArray();
}

async function tempCollections(): Promise<string[]> {
  const all = await t.db.listCollections({}, { nameOnly: true }).toArray();
  return all.map((c) => c.name).filter((n) => n.startsWith('tmp.agg_out'));
}

describe('$out', () => {
  it('writes the output to a new collection and answers with an empty cursor', async () => {
    const reply = await t.db.command({ aggregate: 'src', pipeline: [{ $match: { _id: { $gt: 1 } } }, { $out: 'out1' }], cursor: {} });
    expect(reply.cursor.firstBatch).toEqual([]);
    expect(Number(reply.cursor.id)).toBe(0);
    expect(await sorted(t.db.collection('out1'))).toEqual([
      { _id: 2, x: 22, k: 'b' },
      { _id: 3, x: 33, k: 'c' },
    ]);
    expect(await src.aggregate([{ $project: { x: 1 } }, { $out: 'out1b' }], { batchSize: 0 }).toArray()).toEqual([]);
    expect(await t.db.collection('out1b').countDocuments()).toBe(3);
  });

  it('replaces an existing collection, keeping its indexes', async () => {
    const target = t.db.collection('out2');
    await target.insertMany([{ _id: 100 as never, old: true }]);
    await target.createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
    await src.aggregate([{ $set: { copied: true } }, { $out: 'out2' }]).toArray();
    expect(await sorted(target)).toEqual([
      { _id: 1, x: 11, k: 'a', copied: true },
      { _id: 2, x: 22, k: 'b', copied: true },
      { _id: 3, x: 33, k: 'c', copied: true },
    ]);
    const names = (await target.listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'k_unique']);
    expect(await tempCollections()).toEqual([]);
  });

  it('leaves the target untouched when the output violates one of its unique indexes', async () => {
    const target = t.db.collection('out3');
    await target.insertMany([{ _id: 1 as never, k: 'keep' }]);
    await target.createIndex({ same: 1 }, { unique: true });
    const err = await src
      .aggregate([{ $set: { same: 1 } }, { $out: 'out3' }])
      .toArray()
      .catch((e) => e);
    expect(err.code).toBe(11000);
    expect(await sorted(target)).toEqual([{ _id: 1, k: 'keep' }]);
    expect((await target.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'same_1']);
    expect(await tempCollections()).toEqual([]);
  });

  it('writes to another database, replaces its own source and generates missing _id values', async () => {
    await src.aggregate([{ $match: { k: 'a' } }, { $out: { db: other.databaseName, coll: 'copy' } }]).toArray();
    expect(await other.collection('copy').find().toArray()).toEqual([{ _id: 1, x: 11, k: 'a' }]);

    const self = t.db.collection('self');
    await self.insertMany([
      { _id: 1 as never, v: 1 },
      { _id: 2 as never, v: 2 },
    ]);
    await self.aggregate([{ $set: { v: { $multiply: ['$v', 10] } } }, { $out: 'self' }]).toArray();
    expect(await sorted(self)).toEqual([
      { _id: 1, v: 10 },
      { _id: 2, v: 20 },
    ]);

    await src.aggregate([{ $project: { _id: 0, x: 1 } }, { $out: 'noids' }]).toArray();
    const noids = await t.db.collection('noids').find().toArray();
    expect(noids).toHaveLength(3);
    for (const d of noids) expect(d._id).toBeInstanceOf(ObjectId);
  });

  it('writes nothing under explain and refuses a linearizable read concern', async () => {
    await src.aggregate([{ $out: 'explained' }], { explain: true }).toArray();
    expect(await t.db.listCollections({ name: 'explained' }).toArray()).toEqual([]);
    const lin = await src
      .aggregate([{ $out: 'lin' }], { readConcern: { level: 'linearizable' } })
      .toArray()
      .catch((e) => e);
    expect(lin).toMatchObject({ code: 72, codeName: 'InvalidOptions' });
    await src.aggregate([{ $out: 'majority' }], { readConcern: { level: 'majority' } }).toArray();
    expect(await t.db.collection('majority').countDocuments()).toBe(3);
  });

  it('refuses $out anywhere but last, inside sub-pipelines, and into a view', async () => {
    const notLast = await src
      .aggregate([{ $out: 'x' }, { $match: {} }])
      .toArray()
      .catch((e) => e);
    expect(notLast.code).toBe(40601);
    const inFacet = await src
      .aggregate([{ $facet: { a: [{ $out: 'x' }] } }])
      .toArray()
      .catch((e) => e);
    expect(inFacet.code).toBe(40600);
    const inLookup = await src
      .aggregate([{ $lookup: { from: 'src', pipeline: [{ $out: 'x' }], as: 'l' } }])
      .toArray()
      .catch((e) => e);
    expect(inLookup.code).toBe(51047);
    await t.db.createCollection('a_view', { viewOn: 'src' });
    const toView = await src
      .aggregate([{ $out: 'a_view' }])
      .toArray()
      .catch((e) => e);
    expect(toView.code).toBe(166);
    const special = await src
      .aggregate([{ $out: 'system.x' }])
      .toArray()
      .catch((e) => e);
    expect(special.code).toBe(17385);
    expect(await t.db.listCollections({ name: 'x' }).toArray()).toEqual([]);
  });
});

describe('$out and $merge with a validator on the target', () => {
  it('validate what they write unless the command bypasses validation', async () => {
    await t.db.createCollection('validated', { validator: { x: { $type: 'string' } } });
    const validated = t.db.collection('validated');
    await validated.insertOne({ _id: 'ok' as never, x: 'text' });
    const out = await src
      .aggregate([{ $out: 'validated' }])
      .toArray()
      .catch((e) => e);
    expect(out.code).toBe(121);
    expect(await validated.find().toArray()).toEqual([{ _id: 'ok', x: 'text' }]);
    const merge = await src
      .aggregate([{ $merge: { into: 'validated' } }])
      .toArray()
      .catch((e) => e);
    expect(merge.code).toBe(121);
    await src.aggregate([{ $merge: { into: 'validated' } }], { bypassDocumentValidation: true }).toArray();
    expect(await validated.countDocuments()).toBe(4);
    await src.aggregate([{ $match: { _id: 1 } }, { $out: 'validated' }], { bypassDocumentValidation: true }).toArray();
    expect(await validated.find().toArray()).toEqual([{ _id: 1, x: 11, k: 'a' }]);
    // The replaced collection keeps its validator.
    const [info] = await t.db.listCollections({ name: 'validated' }, { nameOnly: false }).toArray();
    expect(info.options).toMatchObject({ validator: { x: { $type: 'string' } } });
  });
});

describe('$merge', () => {
  let target: Collection;
  beforeEach(async () => {
    target = t.db.collection('target');
    await target.drop().catch(() => undefined);
    await target.insertMany([
      { _id: 1 as never, x: 0, kept: true },
      { _id: 9 as never, x: 99 },
    ]);
  });

  it('merges matching documents and inserts the others by default', async () => {
    expect(await src.aggregate([{ $merge: { into: 'target' } }]).toArray()).toEqual([]);
    expect(await sorted(target)).toEqual([
      { _id: 1, x: 11, kept: true, k: 'a' },
      { _id: 2, x: 22, k: 'b' },
      { _id: 3, x: 33, k: 'c' },
      { _id: 9, x: 99 },
    ]);
  });

  it('replaces or keeps matching documents, or discards the new ones', async () => {
    await src
      .aggregate([{ $match: { _id: { $lte: 2 } } }, { $merge: { into: 'target', whenMatched: 'replace', whenNotMatched: 'discard' } }])
      .toArray();
    expect(await sorted(target)).toEqual([
      { _id: 1, x: 11, k: 'a' },
      { _id: 9, x: 99 },
    ]);
    await src.aggregate([{ $set: { x: -1 } }, { $merge: { into: 'target', whenMatched: 'keepExisting' } }]).toArray();
    expect(await sorted(target)).toEqual([
      { _id: 1, x: 11, k: 'a' },
      { _id: 2, x: -1, k: 'b' },
      { _id: 3, x: -1, k: 'c' },
      { _id: 9, x: 99 },
    ]);
  });

  it('runs a whenMatched pipeline with $$new and let variables', async () => {
    await src
      .aggregate([
        {
          $merge: {
            into: 'target',
            let: { incoming: '$x', factor: 2, new: '$$ROOT' },
            whenMatched: [{ $set: { x: { $add: ['$x', { $multiply: ['$$incoming', '$$factor'] }] }, from: '$$new.k' } }],
            whenNotMatched: 'discard',
          },
        },
      ])
      .toArray();
    expect(await sorted(target)).toEqual([
      { _id: 1, x: 22, kept: true, from: 'a' },
      { _id: 9, x: 99 },
    ]);
    await src.aggregate([{ $match: { _id: 1 } }, { $merge: { into: 'target', whenMatched: [{ $set: { seen: '$$new.x' } }] } }]).toArray();
    expect(await target.findOne({ _id: 1 as never })).toEqual({ _id: 1, x: 22, kept: true, from: 'a', seen: 11 });
    // A `let` without `new` only gets one added for whenNotMatched: insert (MongoDB's rule).
    const noNew = await src
      .aggregate([{ $merge: { into: 'target', let: { f: 1 }, whenMatched: [{ $set: { y: '$$new.x' } }], whenNotMatched: 'discard' } }])
      .toArray()
      .catch((e) => e);
    expect(noNew.code).toBe(17276);
    const badNew = await src
      .aggregate([{ $merge: { into: 'target', let: { new: '$x' }, whenMatched: [{ $set: { y: 1 } }] } }])
      .toArray()
      .catch((e) => e);
    expect(badNew.code).toBe(51273);
  });

  it('fails with 11000 and keyPattern/keyValue on a match under whenMatched: fail, keeping earlier writes', async () => {
    const err = await t.db
      .aggregate([{ $documents: [{ _id: 5, x: 5 }, { _id: 9, x: 1 }, { _id: 6 }] }, { $merge: { into: 'target', whenMatched: 'fail' } }])
      .toArray()
      .catch((e) => e);
    expect(err).toMatchObject({ code: 11000, codeName: 'DuplicateKey', keyPattern: { _id: 1 }, keyValue: { _id: 9 } });
    expect(err.errmsg).toContain('E11000 duplicate key error collection');
    expect(await target.findOne({ _id: 5 as never })).toEqual({ _id: 5, x: 5 });
    expect(await target.findOne({ _id: 9 as never })).toEqual({ _id: 9, x: 99 });
  });

  it('fails with 13113 when whenNotMatched is fail', async () => {
    const err = await src
      .aggregate([{ $merge: { into: 'target', whenNotMatched: 'fail' } }])
      .toArray()
      .catch((e) => e);
    expect(err).toMatchObject({ code: 13113, codeName: 'MergeStageNoMatchingDocument' });
  });

  it('matches on other fields only with a unique index on exactly them', async () => {
    const byK = t.db.collection('by_k');
    await byK.drop().catch(() => undefined);
    await byK.insertMany([{ _id: 'first' as never, k: 'a', v: 0 }]);
    const noIndex = await src
      .aggregate([{ $merge: { into: 'by_k', on: 'k' } }])
      .toArray()
      .catch((e) => e);
    expect(noIndex.code).toBe(51183);
    const missing = await src
      .aggregate([{ $merge: { into: 'nowhere_yet', on: ['k'] } }])
      .toArray()
      .catch((e) => e);
    expect(missing.code).toBe(51183);
    await byK.createIndex({ k: 1 }, { unique: true });
    await src.aggregate([{ $project: { _id: 0, k: 1, v: '$x' } }, { $merge: { into: 'by_k', on: 'k', whenMatched: 'replace' } }]).toArray();
    const docs = await byK.find().sort({ k: 1 }).toArray();
    expect(docs.map(({ k, v }) => ({ k, v }))).toEqual([
      { k: 'a', v: 11 },
      { k: 'b', v: 22 },
      { k: 'c', v: 33 },
    ]);
    // The matched document keeps its _id; the new ones got generated ones.
    expect(docs[0]._id).toBe('first');
    expect(docs[1]._id).toBeInstanceOf(ObjectId);
    const changedId = await src
      .aggregate([{ $match: { k: 'a' } }, { $merge: { into: 'by_k', on: 'k', whenMatched: 'replace' } }])
      .toArray()
      .catch((e) => e);
    expect(changedId.code).toBe(66);
    const nullish = await src
      .aggregate([{ $project: { k: null } }, { $merge: { into: 'by_k', on: 'k' } }])
      .toArray()
      .catch((e) => e);
    expect(nullish.code).toBe(51132);
    const array = await src
      .aggregate([{ $project: { k: ['a'] } }, { $merge: { into: 'by_k', on: 'k' } }])
      .toArray()
      .catch((e) => e);
    expect(array.code).toBe(51185);
  });

  it('writes into another database and creates the target when needed', async () => {
    await src.aggregate([{ $match: { _id: 3 } }, { $merge: { into: { db: other.databaseName, coll: 'merged' } } }]).toArray();
    expect(await other.collection('merged').find().toArray()).toEqual([{ _id: 3, x: 33, k: 'c' }]);
  });

  it('refuses what MongoDB refuses', async () => {
    const combo = await src
      .aggregate([{ $merge: { into: 'target', whenMatched: 'fail', whenNotMatched: 'discard' } }])
      .toArray()
      .catch((e) => e);
    expect(combo.code).toBe(51181);
    const letWithoutPipeline = await src
      .aggregate([{ $merge: { into: 'target', let: { a: 1 } } }])
      .toArray()
      .catch((e) => e);
    expect(letWithoutPipeline.code).toBe(51199);
    const notLast = await src
      .aggregate([{ $merge: { into: 'target' } }, { $match: {} }])
      .toArray()
      .catch((e) => e);
    expect(notLast.code).toBe(40601);
    const unknownField = await src
      .aggregate([{ $merge: { into: 'target', upsert: true } }])
      .toArray()
      .catch((e) => e);
    expect(unknownField.code).toBe(40415);
    const badMode = await src
      .aggregate([{ $merge: { into: 'target', whenMatched: 'overwrite' } }])
      .toArray()
      .catch((e) => e);
    expect(badMode.code).toBe(2);
    const groupInUpdate = await src
      .aggregate([{ $merge: { into: 'target', whenMatched: [{ $group: { _id: null } }] } }])
      .toArray()
      .catch((e) => e);
    expect(groupInUpdate.code).toBe(72);
    await t.db.createCollection('merge_view', { viewOn: 'src' });
    const intoView = await src
      .aggregate([{ $merge: { into: 'merge_view' } }])
      .toArray()
      .catch((e) => e);
    expect(intoView.code).toBe(166);
    const lin = await src
      .aggregate([{ $merge: { into: 'target' } }], { readConcern: { level: 'linearizable' } })
      .toArray()
      .catch((e) => e);
    expect(lin.code).toBe(72);
    expect(await sorted(target)).toEqual([
      { _id: 1, x: 0, kept: true },
      { _id: 9, x: 99 },
    ]);
  });
});

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('$out and $merge with a data directory', () => {
  it('replay from the journal: the replaced collection, its indexes and merged documents', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-out-'));
    const run = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
      const s = await EmbeddedMongo.start({ port: 0, quiet: true, dataDir: dir });
      const c = await MongoClient.connect(s.uri);
      try {
        return await fn(c.db('shop'));
      } finally {
        await c.close();
        await s.stop();
      }
    };
    try {
      await run(async (db) => {
        await db.collection('src').insertMany([
          { _id: 1 as never, n: 1 },
          { _id: 2 as never, n: 2 },
        ]);
        await db.collection('dst').insertOne({ _id: 9 as never, old: true });
        await db.collection('dst').createIndex({ n: 1 }, { unique: true });
        await db
          .collection('src')
          .aggregate([{ $out: 'dst' }])
          .toArray();
        await db
          .collection('src')
          .aggregate([{ $set: { n: 20 } }, { $match: { _id: 2 } }, { $merge: { into: 'dst' } }])
          .toArray();
      });
      await run(async (db) => {
        expect(await db.collection('dst').find().sort({ _id: 1 }).toArray()).toEqual([
          { _id: 1, n: 1 },
          { _id: 2, n: 20 },
        ]);
        expect((await db.collection('dst').listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'n_1']);
        const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
        expect(names).toEqual(['dst', 'src']);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops a $out temporary collection left by a crash between its writes and its rename', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-out-'));
    try {
      // What a kill -9 after the temporary collection reached the journal, before the rename, leaves.
      const s1 = await EmbeddedMongo.start({ port: 0, quiet: true, dataDir: dir });
      const c1 = await MongoClient.connect(s1.uri);
      await c1.db('shop').collection('tmp.agg_out.0123abcd').insertOne({ half: true });
      await c1.db('shop').collection('kept').insertOne({ n: 1 });
      await c1.close();
      await s1.stop();
      const s2 = await EmbeddedMongo.start({ port: 0, quiet: true, dataDir: dir });
      const c2 = await MongoClient.connect(s2.uri);
      try {
        const names = (await c2.db('shop').listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
        expect(names).toEqual(['kept']);
      } finally {
        await c2.close();
        await s2.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
