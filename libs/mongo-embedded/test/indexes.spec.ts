// Indexes: unique (single, compound, sparse, partial, multikey) violations as MongoDB reports
// them, index builds over duplicates, catalog errors, and proof that indexed queries do not scan.

import { Collection, Long, MongoServerError } from 'mongodb';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('idx');
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function fresh(): Collection {
  return t.db.collection(`i${++n}`);
}

async function dupError(p: Promise<unknown>): Promise<MongoServerError> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).not.toBeNull();
  expect(err.code).toBe(11000);
  return err as MongoServerError;
}

describe('unique indexes', () => {
  it('rejects duplicates on a single field with keyPattern, keyValue and the E11000 message', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x.io' });
    const err = await dupError(c.insertOne({ email: 'a@x.io' }));
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@x.io' });
    expect(err.message).toBe(
      `E11000 duplicate key error collection: ${t.dbName}.${c.collectionName} index: email_1 dup key: { email: "a@x.io" }`,
    );
    // Missing fields index as null, so a second document without the field also collides.
    await c.insertOne({ other: 1 });
    const nullErr = await dupError(c.insertOne({ other: 2 }));
    expect(nullErr.keyValue).toEqual({ email: null });
  });

  it('rejects an update that would create a duplicate and leaves the document unchanged', async () => {
    const c = fresh();
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, code: 'A' },
      { _id: 2, code: 'B' },
    ] as never[]);
    await dupError(c.updateOne({ _id: 2 } as never, { $set: { code: 'A' } }));
    expect(await c.findOne({ _id: 2 } as never)).toEqual({ _id: 2, code: 'B' });
    await dupError(c.findOneAndUpdate({ _id: 2 } as never, { $set: { code: 'A' } }));
    await dupError(
      c
        .updateOne({ code: 'A' }, { $set: { x: 1 } }, { upsert: true })
        .then(() => c.updateOne({ code: 'Z' }, { $set: { code: 'A' } }, { upsert: true })),
    );
  });

  it('enforces compound unique keys on the combination only', async () => {
    const c = fresh();
    await c.createIndex({ tenant: 1, code: 1 }, { unique: true, name: 'tenant_code' });
    await c.insertMany([
      { tenant: 't1', code: 'A' },
      { tenant: 't2', code: 'A' },
      { tenant: 't1', code: 'B' },
    ]);
    const err = await dupError(c.insertOne({ tenant: 't1', code: 'A' }));
    expect(err.keyPattern).toEqual({ tenant: 1, code: 1 });
    expect(err.keyValue).toEqual({ tenant: 't1', code: 'A' });
    expect(err.message).toContain('index: tenant_code dup key: { tenant: "t1", code: "A" }');
  });

  it('lets sparse unique indexes skip documents without the field', async () => {
    const c = fresh();
    await c.createIndex({ sku: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ a: 1 }, { a: 2 }, { sku: 'x' }]);
    await dupError(c.insertOne({ sku: 'x' }));
    expect(await c.countDocuments()).toBe(3);
  });

  it('enforces partial unique indexes only on documents matching the filter', async () => {
    const c = fresh();
    await c.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { active: { $eq: true } } });
    await c.insertMany([
      { code: 'A', active: false },
      { code: 'A', active: false },
      { code: 'A', active: true },
    ]);
    await dupError(c.insertOne({ code: 'A', active: true }));
    // Deactivating frees the code; reactivating a second one collides again.
    await c.updateOne({ active: true }, { $set: { active: false } });
    await c.insertOne({ code: 'A', active: true });
    await dupError(c.updateOne({ active: false }, { $set: { active: true } }));
  });

  it('treats every array element as a key of a unique multikey index, across documents only', async () => {
    const c = fresh();
    await c.createIndex({ tags: 1 }, { unique: true });
    await c.insertOne({ tags: ['a', 'b'] });
    await c.insertOne({ tags: ['c', 'c'] });
    const err = await dupError(c.insertOne({ tags: ['z', 'b'] }));
    expect(err.keyValue).toEqual({ tags: 'b' });
    await dupError(c.updateOne({ tags: 'c' }, { $push: { tags: 'a' } } as never));
    expect(await c.countDocuments()).toBe(2);
  });

  it('fails to build a unique index over existing duplicates and keeps no partial index', async () => {
    const c = fresh();
    await c.insertMany([{ v: 1 }, { v: 2 }, { v: 1 }]);
    await dupError(c.createIndex({ v: 1 }, { unique: true }));
    const names = (await c.listIndexes().toArray()).map((i) => i.name);
    expect(names).toEqual(['_id_']);
    await c.insertOne({ v: 1 });
  });
});

describe('index catalog', () => {
  it('creates indexes idempotently and lists their options', async () => {
    const c = fresh();
    await c.createIndex({ a: 1, b: -1 }, { name: 'ab', unique: true });
    await c.createIndex({ a: 1, b: -1 }, { name: 'ab', unique: true });
    const list = await c.listIndexes().toArray();
    expect(list).toHaveLength(2);
    expect(list[1]).toMatchObject({ v: 2, key: { a: 1, b: -1 }, name: 'ab', unique: true });
  });

  it('reports conflicting index definitions', async () => {
    const c = fresh();
    await c.createIndex({ a: 1 }, { name: 'a1' });
    // Same name: a different signature (key, unique, sparse, partial filter) is 86, other
    // differing options are 85; the same signature under another name is 85.
    expect((await c.createIndex({ a: 1 }, { name: 'a1', unique: true }).catch((e) => e)).code).toBe(86);
    expect((await c.createIndex({ b: 1 }, { name: 'a1' }).catch((e) => e)).code).toBe(86);
    expect((await c.createIndex({ a: 1 }, { name: 'a1', expireAfterSeconds: 10 }).catch((e) => e)).code).toBe(85);
    expect((await c.createIndex({ a: 1 }, { name: 'other' }).catch((e) => e)).code).toBe(85);
    // A different signature on the same key is a separate index.
    expect(await c.createIndex({ a: 1 }, { name: 'a1_sparse', sparse: true })).toBe('a1_sparse');
  });

  it('drops indexes by name, by key and all at once', async () => {
    const c = fresh();
    await c.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }, { key: { c: 1 } }]);
    await c.dropIndex('a_1');
    await t.db.command({ dropIndexes: c.collectionName, index: { b: 1 } });
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'c_1']);
    expect((await c.dropIndex('nope').catch((e) => e)).code).toBe(27);
    expect((await c.dropIndex('_id_').catch((e) => e)).code).toBe(72);
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('answers missing and existing namespaces as MongoDB does', async () => {
    const err = await t.db
      .collection('never_created')
      .listIndexes()
      .toArray()
      .catch((e) => e);
    expect(err.code).toBe(26);
    expect(err.codeName).toBe('NamespaceNotFound');
    await t.db.createCollection('made_once');
    const exists = await t.db.command({ create: 'made_once' }).catch((e) => e);
    expect(exists.code).toBe(48);
    expect(
      await t.db
        .collection('never_created')
        .drop()
        .catch(() => true),
    ).toBe(true);
    const names = (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('made_once');
    const filtered = await t.db.listCollections({ name: 'made_once' }).toArray();
    expect(filtered).toHaveLength(1);
    expect(filtered[0].type).toBe('collection');
    expect(await t.db.collection('made_once').drop()).toBe(true);
    expect(await t.db.listCollections({ name: 'made_once' }).toArray()).toHaveLength(0);
  });
});

describe('index use', () => {
  let c: Collection;
  beforeAll(async () => {
    c = fresh();
    await c.insertMany(
      Array.from({ length: 3000 }, (_, i) => ({ _id: i, k: `k${i}`, g: i % 30, n: i, tags: [`t${i % 10}`, 'all'] })) as never[],
    );
    await c.createIndexes([{ key: { k: 1 }, unique: true }, { key: { g: 1, n: 1 } }, { key: { n: 1 } }, { key: { tags: 1 } }]);
  });

  async function stats(filter: object): Promise<{ plan: string; examined: number; returned: number }> {
    const ex = await c.find(filter).explain('executionStats');
    return {
      plan: JSON.stringify(ex.queryPlanner.winningPlan),
      examined: ex.executionStats.totalDocsExamined,
      returned: ex.executionStats.nReturned,
    };
  }

  it('answers equality on an indexed field without a collection scan', async () => {
    const s = await stats({ k: 'k1234' });
    expect(s.plan).toContain('IXSCAN');
    expect(s.returned).toBe(1);
    expect(s.examined).toBe(1);
  });

  it('answers every range exactly, empty and inverted ones included, across many B+tree leaves', async () => {
    const ids = async (filter: object) =>
      (await c.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown as number).sort((a, b) => a - b);
    const expected = (pred: (n: number) => boolean) => Array.from({ length: 3000 }, (_, i) => i).filter(pred);
    for (const [lo, hi] of [
      [0, 2999],
      [17, 1711],
      [1500, 1501],
      [2998, 5000],
      [-10, 3],
    ]) {
      expect(await ids({ n: { $gte: lo, $lte: hi } })).toEqual(expected((n) => n >= lo && n <= hi));
      expect(await ids({ n: { $gt: lo, $lt: hi } })).toEqual(expected((n) => n > lo && n < hi));
      expect(await c.countDocuments({ n: { $gt: lo, $lte: hi } })).toBe(expected((n) => n > lo && n <= hi).length);
    }
    for (const filter of [
      { n: { $gt: 2000, $lt: 1000 } },
      { n: { $gt: 1000, $lt: 1000 } },
      { n: { $gte: 1000, $lt: 1000 } },
      { n: { $gt: 1000, $lte: 1000 } },
    ]) {
      expect({ filter, ids: await ids(filter) }).toEqual({ filter, ids: [] });
      expect({ filter, n: await c.countDocuments(filter) }).toEqual({ filter, n: 0 });
    }
    expect(await ids({ n: { $gte: 1000, $lte: 1000 } })).toEqual([1000]);
    // An inverted range reads no index entry at all.
    const inverted = await c.find({ n: { $gt: 2000, $lt: 1000 } }).explain('executionStats');
    expect(inverted.executionStats.totalKeysExamined).toBe(0);
  });

  it('answers ranges, $in, compound prefixes and $and through indexes', async () => {
    const range = await stats({ n: { $gte: 100, $lt: 200 } });
    expect(range.plan).toContain('IXSCAN');
    expect([range.returned, range.examined]).toEqual([100, 100]);
    const inq = await stats({ k: { $in: ['k1', 'k2', 'k3', 'nope'] } });
    expect([inq.returned, inq.examined]).toEqual([3, 3]);
    const compound = await stats({ g: 7, n: { $gt: 1000 } });
    expect(compound.plan).toContain('IXSCAN');
    expect(compound.examined).toBe(compound.returned);
    const and = await stats({ $and: [{ g: 3 }, { n: { $lt: 100 } }] });
    expect(and.plan).toContain('IXSCAN');
    expect(and.returned).toBe(4);
    expect(and.examined).toBe(4);
  });

  it('answers a top-level $or from one index scan per branch', async () => {
    const s = await stats({ $or: [{ k: 'k5' }, { n: { $gte: 2995 } }, { g: 1, n: 1 }] });
    expect(s.plan).toContain('IXSCAN');
    expect(s.returned).toBe(7);
    expect(s.examined).toBe(7);
    const partly = await stats({ $or: [{ k: 'k5' }, { unindexed: 1 }] });
    expect(partly.plan).toContain('COLLSCAN');
    expect(partly.returned).toBe(1);
  });

  it('answers a large $in on _id from the index alone and still applies every other condition', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i * 3 + 1); // 1 .. 2998, plus misses below
    const big = await c.find({ _id: { $in: [...ids, 5000, 'x', 1] } } as never).toArray();
    expect(big.map((d) => d._id)).toEqual(ids);
    const s = await stats({ _id: { $in: ids } });
    expect([s.returned, s.examined]).toEqual([1000, 1000]);
    // A second condition on another field is verified per candidate.
    const withG = await c.find({ _id: { $in: ids }, g: 4 } as never).toArray();
    expect(withG.map((d) => d._id)).toEqual(ids.filter((i) => i % 30 === 4));
    // A second condition on the same field (inside $and) is verified too, whichever comes first.
    expect((await c.find({ _id: { $in: [1, 2, 3] }, $and: [{ _id: 2 }] } as never).toArray()).map((d) => d._id)).toEqual([2]);
    expect((await c.find({ $and: [{ _id: { $in: [1, 2] } }], _id: { $in: [2, 3] } } as never).toArray()).map((d) => d._id)).toEqual([2]);
    // Numbers match across int/long/double; a string never matches a number.
    expect((await c.find({ _id: { $in: [Long.fromNumber(5), 6.0, '7'] } } as never).toArray()).map((d) => d._id)).toEqual([5, 6]);
    // null in $in also matches a missing field, so it is never answered by the keys alone.
    expect((await c.find({ k: { $in: [null, 'k1'] } }).toArray()).map((d) => d.k)).toEqual(['k1']);
    // Multikey: $in on array elements returns each document once.
    const tagged = await c.find({ tags: { $in: ['t1', 't2', 'all'] } }).toArray();
    expect(tagged).toHaveLength(3000);
    expect(new Set(tagged.map((d) => d._id)).size).toBe(3000);
    expect(await c.countDocuments({ tags: { $in: ['t1', 't2'] }, n: { $lt: 100 } })).toBe(20);
  });

  it('uses the index for an $in of thousands of values', async () => {
    const ids = Array.from({ length: 8000 }, (_, i) => i * 2); // 0 .. 15998: 1,500 hits
    const s = await stats({ _id: { $in: ids } });
    expect(s.plan).toContain('IXSCAN');
    expect([s.returned, s.examined]).toEqual([1500, 1500]);
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    const withOther = await stats({ k: { $in: keys }, g: 4 });
    expect(withOther.plan).toContain('IXSCAN');
    expect([withOther.returned, withOther.examined]).toEqual([100, 3000]);
    expect((await c.find({ k: { $in: keys }, g: 4 }).toArray()).every((d) => d.g === 4)).toBe(true);
  });

  it('uses multikey indexes for array elements', async () => {
    const s = await stats({ tags: 't3' });
    expect(s.plan).toContain('IXSCAN');
    expect(s.returned).toBe(300);
    expect(s.examined).toBe(300);
  });

  it('scans the collection when no index applies', async () => {
    const s = await stats({ missingField: 1 });
    expect(s.plan).toContain('COLLSCAN');
    expect(s.examined).toBe(3000);
  });

  it('returns the same answers with and without an index', async () => {
    const viaIndex = await c
      .find({ n: { $gt: 2990 } })
      .sort({ n: 1 })
      .toArray();
    const viaScan = await c
      .find({ $expr: { $gt: ['$n', 2990] } })
      .sort({ n: 1 })
      .toArray();
    expect(viaIndex).toEqual(viaScan);
    expect(viaIndex).toHaveLength(9);
  });
});

describe('sorted pages in the order of an index (no sort of every match)', () => {
  // Assignments under a category tree: a multikey path, a type, a creation time, the id.
  let c: Collection;
  type Row = { _id: number; path: string[]; type: string; at?: Date | null; flag?: boolean };
  const rows: Row[] = [];
  beforeAll(async () => {
    c = fresh();
    for (let i = 0; i < 2000; i++) {
      const row: Row = { _id: i, path: ['root', `b${i % 4}`, `c${i % 20}`], type: i % 3 === 0 ? 'C' : 'P', flag: i % 7 === 0 };
      // Times repeat (ties broken by _id), some are missing or null (they sort first, as null).
      if (i % 50 === 1) row.at = null;
      else if (i % 50 !== 2) row.at = new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 600) * 1000);
      rows.push(row);
    }
    await c.insertMany(rows as never[]);
    await c.createIndex({ path: 1, type: 1, at: 1, _id: 1 });
  });

  /** The same query answered in the test: filter, sort by (at, _id) as BSON sorts them, page. */
  function expected(pathValue: string, type: string, skip: number, limit: number, extra: (r: Row) => boolean = () => true): number[] {
    const t = (r: Row) => (r.at ? r.at.getTime() : -Infinity);
    return rows
      .filter((r) => r.path.includes(pathValue) && r.type === type && extra(r))
      .sort((a, b) => t(a) - t(b) || a._id - b._id)
      .slice(skip, skip + limit)
      .map((r) => r._id);
  }

  async function page(filter: object, skip: number, limit: number, sort: Record<string, 1 | -1> = { at: 1, _id: 1 }) {
    const ids = (await c.find(filter).sort(sort).skip(skip).limit(limit).toArray()).map((d) => d._id);
    const ex = await c.find(filter).sort(sort).skip(skip).limit(limit).explain('executionStats');
    return { ids, examined: ex.executionStats.totalDocsExamined as number };
  }

  it('reads only skip + limit matches and answers exactly what sorting every match gives', async () => {
    for (const [pathValue, skip, limit] of [
      ['root', 0, 100],
      ['root', 700, 100],
      ['b1', 0, 25],
      ['c7', 10, 5],
      ['c7', 90, 50],
    ] as const) {
      const got = await page({ path: pathValue, type: 'P' }, skip, limit);
      expect({ pathValue, skip, ids: got.ids }).toEqual({ pathValue, skip, ids: expected(pathValue, 'P', skip, limit) });
      expect(got.examined).toBeLessThanOrEqual(skip + limit + 1);
    }
  });

  it('checks conditions outside the index on the documents it reads, still stopping early', async () => {
    const got = await page({ path: 'root', type: 'P', flag: false }, 0, 50);
    expect(got.ids).toEqual(expected('root', 'P', 0, 50, (r) => r.flag === false));
    expect(got.examined).toBeLessThan(100);
  });

  it('pages by a range on the sorted field in index order (keyset paging): only the page is read', async () => {
    // `_id > last` sorted by `_id`, the way a job walks a collection in batches.
    const walked: number[] = [];
    let last = -1;
    for (;;) {
      const got = await page({ _id: { $gt: last }, flag: false }, 0, 300, { _id: 1 });
      if (got.ids.length === 0) break;
      expect(got.examined).toBeLessThanOrEqual(400);
      walked.push(...(got.ids as unknown as number[]));
      last = got.ids[got.ids.length - 1] as unknown as number;
    }
    expect(walked).toEqual(rows.filter((r) => r.flag === false).map((r) => r._id));
    // A range on a field the sort does not start with still sorts every match.
    const other = await page({ at: { $gte: new Date(Date.UTC(2026, 0, 1)) } }, 0, 10, { _id: 1 });
    expect(other.ids).toEqual(
      rows
        .filter((r) => r.at instanceof Date)
        .map((r) => r._id)
        .slice(0, 10),
    );
  });

  it('a sorted field the filter pins to one value orders nothing: a range after it still pages in index order', async () => {
    // The shape of a segment's members: {segmentId, customerId, legalEntityId}, sorted by all three.
    const m = fresh();
    const members = Array.from({ length: 1200 }, (_, i) => ({
      _id: i,
      segmentId: i % 3 === 0 ? 'a' : 'b',
      customerId: `c${String(i % 600).padStart(4, '0')}`,
      legalEntityId: i < 600 ? null : `le${i % 7}`,
      kind: i % 5 === 0 ? 'AUTOMATIC' : 'MANUAL',
    }));
    await m.insertMany(members as never[]);
    await m.createIndex({ segmentId: 1, customerId: 1, legalEntityId: 1 }, { unique: true });
    const sort = { segmentId: 1, customerId: 1, legalEntityId: 1 } as const;
    const key = (d: { customerId: string; legalEntityId: string | null }) => `${d.customerId}/${d.legalEntityId ?? ''}`;
    const walked: string[] = [];
    let last: string | null = null;
    for (;;) {
      const filter: Record<string, unknown> = {
        segmentId: 'b',
        kind: 'AUTOMATIC',
        ...(last === null ? {} : { customerId: { $gt: last } }),
      };
      const docs = (await m.find(filter).sort(sort).limit(40).toArray()) as unknown as Array<{
        customerId: string;
        legalEntityId: string | null;
      }>;
      const ex = await m.find(filter).sort(sort).limit(40).explain('executionStats');
      // The page, and what lies between its matches: not every member after `last`.
      expect(ex.executionStats.totalDocsExamined).toBeLessThanOrEqual(40 * 5 + 10);
      if (docs.length === 0) break;
      walked.push(...docs.map(key));
      last = docs[docs.length - 1].customerId;
    }
    const automaticOfB = members
      .filter((d) => d.segmentId === 'b' && d.kind === 'AUTOMATIC')
      .sort((x, y) =>
        x.customerId < y.customerId ? -1 : x.customerId > y.customerId ? 1 : (x.legalEntityId ?? '') < (y.legalEntityId ?? '') ? -1 : 1,
      );
    // Paging by customerId alone skips a customer's later legal entities on a page boundary: compare per customer.
    expect([...new Set(walked.map((k) => k.split('/')[0]))]).toEqual([...new Set(automaticOfB.map((d) => d.customerId))]);
    // A pinned field that has held an array still sorts (by its smallest element): the answer is what sorting gives.
    const sorted = await c.find({ path: 'b1', type: 'P' }).sort({ path: 1, at: 1, _id: 1 }).limit(20).toArray();
    expect(sorted.map((d) => d._id)).toEqual(expected('b1', 'P', 0, 20));
  });

  it('sorts every match when the index cannot give the order: descending, other fields, no limit', async () => {
    const byTime = (a: Row, b: Row) => (a.at ? a.at.getTime() : -Infinity) - (b.at ? b.at.getTime() : -Infinity);
    const desc = await page({ path: 'b2', type: 'P' }, 0, 30, { at: -1, _id: -1 });
    const all = rows.filter((r) => r.path.includes('b2') && r.type === 'P');
    expect(desc.ids).toEqual(
      [...all]
        .sort((a, b) => byTime(b, a) || b._id - a._id)
        .slice(0, 30)
        .map((r) => r._id),
    );
    const byId = await page({ path: 'b2', type: 'P' }, 5, 10, { _id: 1 });
    expect(byId.ids).toEqual(
      all
        .map((r) => r._id)
        .sort((a, b) => a - b)
        .slice(5, 15),
    );
    const unlimited = (await c.find({ path: 'c3', type: 'P' }).sort({ at: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(unlimited).toEqual(expected('c3', 'P', 0, 1000));
  });

  it('answers as an unindexed collection does once a sort field has held an array (empty, nested, mixed types)', async () => {
    const docs = [
      { _id: 1, g: 'x', at: 5 },
      { _id: 2, g: 'x', at: 3 },
      { _id: 3, g: 'x', at: [9, 1] },
      { _id: 4, g: 'x', at: [] },
      { _id: 5, g: 'x' },
      { _id: 6, g: 'x', at: [[0], 'a'] },
      { _id: 7, g: 'x', at: null },
      { _id: 8, g: 'x', at: 'b' },
    ];
    const indexed = fresh();
    const plain = fresh();
    await indexed.createIndex({ g: 1, at: 1, _id: 1 });
    await indexed.insertMany(docs as never[]);
    await plain.insertMany(docs as never[]);
    for (const limit of [1, 2, 3, 5, 8]) {
      const ask = (coll: Collection) => coll.find({ g: 'x' }).sort({ at: 1, _id: 1 }).limit(limit).toArray();
      expect((await ask(indexed)).map((x) => x._id)).toEqual((await ask(plain)).map((x) => x._id));
    }
  });
});

describe('counts from index keys', () => {
  /** The same count on an indexed and an unindexed copy of the documents, by countDocuments and by count. */
  async function sameCounts(index: Record<string, 1>, docs: object[], queries: object[]): Promise<void> {
    const indexed = fresh();
    const plain = fresh();
    await indexed.createIndex(index);
    await indexed.insertMany(docs.map((d) => ({ ...d })) as never[]);
    await plain.insertMany(docs.map((d) => ({ ...d })) as never[]);
    for (const query of queries) {
      expect({ query, n: await indexed.countDocuments(query) }).toEqual({ query, n: await plain.countDocuments(query) });
      const count = (coll: Collection) => t.db.command({ count: coll.collectionName, query });
      expect({ query, n: (await count(indexed)).n }).toEqual({ query, n: (await count(plain)).n });
    }
  }

  it('counts a document once when an array on the pinned field holds the value (also as 1, 1.0 and Long 1)', async () => {
    await sameCounts(
      { p: 1, t: 1, at: 1 },
      [
        { _id: 1, p: ['r', 'a'], t: 'P', at: 1 },
        { _id: 2, p: ['r', 'b'], t: 'P', at: 2 },
        { _id: 3, p: ['r', 'r'], t: 'P', at: 3 },
        { _id: 4, p: ['r', 'a'], t: 'C', at: 4 },
        { _id: 5, p: 'r', t: 'P' },
        { _id: 6, p: ['q', Long.fromNumber(1), 1, 1.0], t: 'P', at: 6 },
      ],
      [{ p: 'r', t: 'P' }, { p: 'r' }, { p: 'a' }, { p: 1, t: 'P' }, { p: { $in: ['a', 'b'] } }, { p: 'r', t: 'P', at: { $gte: 2 } }],
    );
  });

  it('counts a document once when an array after the pinned fields puts it in the bounds several times', async () => {
    await sameCounts(
      { t: 1, tags: 1 },
      [
        { _id: 1, t: 'P', tags: ['x', 'y', 'z'] },
        { _id: 2, t: 'P', tags: [] },
        { _id: 3, t: 'P', tags: ['x', 'x'] },
        { _id: 4, t: 'C', tags: ['y'] },
        { _id: 5, t: 'P' },
      ],
      [{ t: 'P' }, { t: 'P', tags: 'x' }, { t: 'P', tags: { $gte: 'x' } }, { t: { $in: ['P', 'C'] } }],
    );
  });
});
