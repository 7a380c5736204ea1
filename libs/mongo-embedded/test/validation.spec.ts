// Document validation through the official driver: `create`/`collMod` with `validator`,
// `validationLevel` and `validationAction`, 121 DocumentValidationFailure with MongoDB 5.0+'s
// `errInfo` on every kind of write, `bypassDocumentValidation`, `$jsonSchema` keywords and the
// refusal of invalid validators, `collMod` of index options, and (embedded only) the options
// surviving a restart through the journal.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Collection, Document, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import { EmbeddedMongo } from '../src';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb('valid');
});
afterAll(async () => {
  await t.close();
});

let n = 0;
async function withValidator(validator: Document, options: Document = {}): Promise<Collection> {
  const name = `v${++n}`;
  await t.db.createCollection(name, { validator, ...options });
  return t.db.collection(name);
}

async function failure(p: Promise<unknown>): Promise<MongoServerError> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(MongoServerError);
  return err as MongoServerError;
}

async function validationFailure(p: Promise<unknown>): Promise<MongoServerError> {
  const err = await failure(p);
  expect(err.code).toBe(121);
  expect(err.message).toBe('Document failed validation');
  return err;
}

async function optionsOf(name: string): Promise<Document> {
  const [info] = await t.db.listCollections({ name }).toArray();
  return (info as Document).options as Document;
}

describe('validators on create and in listCollections', () => {
  it('stores the validator and lists only the options given explicitly', async () => {
    const c = await withValidator({ x: { $type: 'string' } });
    expect(await optionsOf(c.collectionName)).toEqual({ validator: { x: { $type: 'string' } } });
    const d = await withValidator({ x: { $gt: 0 } }, { validationLevel: 'moderate', validationAction: 'warn' });
    expect(await optionsOf(d.collectionName)).toEqual({
      validator: { x: { $gt: 0 } },
      validationLevel: 'moderate',
      validationAction: 'warn',
    });
  });

  it('rejects a failing insert with 121 and errInfo naming the failing clause', async () => {
    const c = await withValidator({ x: { $type: 'string' } });
    await c.insertOne({ _id: 1, x: 'ok' } as Document);
    const err = await validationFailure(c.insertOne({ _id: 2, x: 1 } as Document));
    expect(err.errInfo).toEqual({
      failingDocumentId: 2,
      details: {
        operatorName: '$type',
        specifiedAs: { x: { $type: 'string' } },
        reason: 'type did not match',
        consideredValue: 1,
        consideredType: 'int',
      },
    });
    const missing = await validationFailure(c.insertOne({ _id: 3 } as Document));
    expect(missing.errInfo!.details).toEqual({
      operatorName: '$type',
      specifiedAs: { x: { $type: 'string' } },
      reason: 'field was missing',
    });
    expect(await c.countDocuments()).toBe(1);
  });

  it('lists the failing clauses of several top-level conditions under $and', async () => {
    const c = await withValidator({ qty: { $gte: 0 }, status: { $in: ['A', 'B'] }, sku: { $exists: true } });
    const err = await validationFailure(c.insertOne({ _id: 1, qty: -1, status: 'A' } as Document));
    expect(err.errInfo!.details).toEqual({
      operatorName: '$and',
      clausesNotSatisfied: [
        {
          index: 0,
          details: { operatorName: '$gte', specifiedAs: { qty: { $gte: 0 } }, reason: 'comparison failed', consideredValue: -1 },
        },
        { index: 2, details: { operatorName: '$exists', specifiedAs: { sku: { $exists: true } }, reason: 'path does not exist' } },
      ],
    });
  });

  it('explains $or, $nor and $not clauses', async () => {
    const or = await withValidator({ $or: [{ phone: { $type: 'string' } }, { status: { $in: ['Unknown', 'Incomplete'] } }] });
    const e1 = await validationFailure(or.insertOne({ _id: 1, status: 'Updated' } as Document));
    expect(e1.errInfo!.details).toEqual({
      operatorName: '$or',
      clausesNotSatisfied: [
        { index: 0, details: { operatorName: '$type', specifiedAs: { phone: { $type: 'string' } }, reason: 'field was missing' } },
        {
          index: 1,
          details: {
            operatorName: '$in',
            specifiedAs: { status: { $in: ['Unknown', 'Incomplete'] } },
            reason: 'no matching value found in array',
            consideredValue: 'Updated',
          },
        },
      ],
    });
    const nor = await withValidator({ $nor: [{ a: 1 }, { b: 2 }] });
    const e2 = await validationFailure(nor.insertOne({ _id: 1, a: 0, b: 2 } as Document));
    expect(e2.errInfo!.details).toEqual({
      operatorName: '$nor',
      clausesSatisfied: [
        { index: 1, details: { operatorName: '$eq', specifiedAs: { b: 2 }, reason: 'comparison succeeded', consideredValue: 2 } },
      ],
    });
    const not = await withValidator({ age: { $not: { $lt: 18 } } });
    const e3 = await validationFailure(not.insertOne({ _id: 1, age: 12 } as Document));
    expect(e3.errInfo!.details).toEqual({
      operatorName: '$not',
      details: { operatorName: '$lt', specifiedAs: { age: { $lt: 18 } }, reason: 'comparison succeeded', consideredValue: 12 },
    });
    const ne = await withValidator({ state: { $ne: 'closed' } });
    const e4 = await validationFailure(ne.insertOne({ _id: 1, state: 'closed' } as Document));
    expect(e4.errInfo!.details).toEqual({
      operatorName: '$ne',
      specifiedAs: { state: { $ne: 'closed' } },
      reason: 'comparison succeeded',
      consideredValue: 'closed',
    });
  });

  it('applies $type with BSON type names, aliases and array elements', async () => {
    const c = await withValidator({ id: { $type: 'objectId' }, n: { $type: 'number' }, tags: { $type: 'string' } });
    const { ObjectId } = await import('mongodb');
    await c.insertOne({ id: new ObjectId(), n: 1.5, tags: ['a', 'b'] });
    await c.insertOne({ id: new ObjectId(), n: 2, tags: 'single' });
    await validationFailure(c.insertOne({ id: 'not-an-id', n: 1, tags: 'x' }));
    await validationFailure(c.insertOne({ id: new ObjectId(), n: '1', tags: 'x' }));
    const err = await validationFailure(c.insertOne({ _id: 7, id: new ObjectId(), n: 1, tags: [1, 2] } as Document));
    expect(err.errInfo!.details).toEqual({
      operatorName: '$and',
      clausesNotSatisfied: [
        {
          index: 2,
          details: {
            operatorName: '$type',
            specifiedAs: { tags: { $type: 'string' } },
            reason: 'type did not match',
            consideredValues: [1, 2],
            consideredType: 'int',
          },
        },
      ],
    });
  });

  it('evaluates $expr and reports its result', async () => {
    const c = await withValidator({ $expr: { $lte: ['$spent', '$budget'] } });
    await c.insertOne({ spent: 5, budget: 10 });
    const err = await validationFailure(c.insertOne({ _id: 1, spent: 11, budget: 10 } as Document));
    expect(err.errInfo!.details).toEqual({
      operatorName: '$expr',
      specifiedAs: { $expr: { $lte: ['$spent', '$budget'] } },
      reason: 'expression did not match',
      expressionResult: false,
    });
  });

  it('reports every failing document of an unordered insertMany and stops an ordered one', async () => {
    const c = await withValidator({ x: { $type: 'string' } });
    const unordered = await c
      .insertMany([{ _id: 1, x: 'a' }, { _id: 2, x: 2 }, { _id: 3, x: 'c' }, { _id: 4 }] as Document[], { ordered: false })
      .catch((e) => e);
    expect(unordered).toBeInstanceOf(MongoBulkWriteError);
    expect(unordered.result.insertedCount).toBe(2);
    expect(unordered.writeErrors.map((w: { index: number; code: number }) => [w.index, w.code])).toEqual([
      [1, 121],
      [3, 121],
    ]);
    expect(unordered.writeErrors.map((w: { errInfo: Document }) => w.errInfo.failingDocumentId)).toEqual([2, 4]);
    const ordered = await c
      .insertMany([
        { _id: 5, x: 'e' },
        { _id: 6, x: 6 },
        { _id: 7, x: 'g' },
      ] as Document[])
      .catch((e) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect(ordered.writeErrors.map((w: { index: number }) => w.index)).toEqual([1]);
    expect(
      (
        await c
          .find({}, { projection: { _id: 1 } })
          .sort({ _id: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual([1, 3, 5]);
  });
});

describe('updates, replacements, upserts and findAndModify are validated', () => {
  let c: Collection;
  beforeEach(async () => {
    c = await withValidator({ x: { $type: 'string' }, n: { $lt: 3 } });
    await c.insertMany([
      { _id: 1, x: 'a', n: 1 },
      { _id: 2, x: 'b', n: 2 },
    ] as Document[]);
  });

  it('refuses an update, a replacement and an upsert that break the rules, and changes nothing', async () => {
    const e1 = await validationFailure(c.updateOne({ _id: 1 } as Document, { $set: { x: 1 } }));
    expect(e1.errInfo!.failingDocumentId).toBe(1);
    expect(e1.errInfo!.details).toEqual({
      operatorName: '$and',
      clausesNotSatisfied: [
        {
          index: 0,
          details: {
            operatorName: '$type',
            specifiedAs: { x: { $type: 'string' } },
            reason: 'type did not match',
            consideredValue: 1,
            consideredType: 'int',
          },
        },
      ],
    });
    await validationFailure(c.replaceOne({ _id: 2 } as Document, { x: 'ok', n: 10 }));
    const e3 = await validationFailure(c.updateOne({ _id: 9 } as Document, { $set: { x: 9 } }, { upsert: true }));
    expect(e3.errInfo!.failingDocumentId).toBe(9);
    await validationFailure(c.updateOne({ _id: 10 } as Document, [{ $set: { x: 10, n: 0 } }], { upsert: true }));
    expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, x: 'a', n: 1 },
      { _id: 2, x: 'b', n: 2 },
    ]);
    await c.updateOne({ _id: 1 } as Document, { $set: { x: 'fine' } });
    await c.updateOne({ _id: 11 } as Document, { $set: { x: 'new', n: 0 } }, { upsert: true });
    expect(await c.countDocuments()).toBe(3);
  });

  it('keeps the documents a multi-update changed before the failing one', async () => {
    const err = await validationFailure(c.updateMany({}, { $inc: { n: 1 } }));
    expect(err.errInfo!.failingDocumentId).toBe(2);
    expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, x: 'a', n: 2 },
      { _id: 2, x: 'b', n: 2 },
    ]);
  });

  it('reports a failing findAndModify as a command error with errInfo', async () => {
    const err = await validationFailure(c.findOneAndUpdate({ _id: 1 } as Document, { $set: { x: 1 } }));
    expect(err.codeName).toBe('DocumentValidationFailure');
    expect(err.errInfo!.failingDocumentId).toBe(1);
    expect(typeof err.errInfo!.details).toBe('object');
    await validationFailure(c.findOneAndReplace({ _id: 2 } as Document, { x: 2 }));
    await validationFailure(c.findOneAndUpdate({ _id: 5 } as Document, { $set: { n: 7 } }, { upsert: true }));
    expect(await c.countDocuments()).toBe(2);
    expect((await c.findOneAndUpdate({ _id: 1 } as Document, { $set: { x: 'z' } }, { returnDocument: 'after' }))!.x).toBe('z');
  });

  it('reports failing statements of a bulk write by index', async () => {
    const err = await c
      .bulkWrite(
        [
          { updateOne: { filter: { _id: 1 }, update: { $set: { x: 'ok' } } } },
          { updateOne: { filter: { _id: 2 }, update: { $set: { n: 50 } } } },
          { insertOne: { document: { _id: 3, x: 3 } } },
          { insertOne: { document: { _id: 4, x: 'd', n: 0 } } },
        ] as never,
        { ordered: false },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    // The driver sends inserts and updates as separate commands; the indexes are the bulk's own.
    expect(err.writeErrors.map((w: { index: number; code: number }) => [w.index, w.code]).sort()).toEqual([
      [1, 121],
      [2, 121],
    ]);
    expect(await c.countDocuments()).toBe(3);
  });

  it('skips validation with bypassDocumentValidation: true', async () => {
    await c.insertOne({ _id: 20, x: 20 } as Document, { bypassDocumentValidation: true });
    await c.insertMany([{ _id: 21 }] as Document[], { bypassDocumentValidation: true });
    await c.updateOne({ _id: 1 } as Document, { $set: { x: 1 } }, { bypassDocumentValidation: true });
    await c.replaceOne({ _id: 2 } as Document, { n: 99 }, { bypassDocumentValidation: true });
    await c.findOneAndUpdate({ _id: 20 } as Document, { $set: { n: 100 } }, { bypassDocumentValidation: true });
    await c.bulkWrite([{ insertOne: { document: { _id: 22, x: 22 } } }] as never, { bypassDocumentValidation: true });
    expect(await c.countDocuments()).toBe(5);
    // `false` validates as usual.
    await validationFailure(c.insertOne({ _id: 23, x: 23 } as Document, { bypassDocumentValidation: false }));
  });
});

describe('validationLevel and validationAction', () => {
  it('moderate skips updates of documents that were already invalid', async () => {
    const name = `v${++n}`;
    const c = t.db.collection(name);
    await c.insertMany([
      { _id: 1, x: 1 },
      { _id: 2, x: 'valid' },
    ] as Document[]);
    await t.db.command({ collMod: name, validator: { x: { $type: 'string' } }, validationLevel: 'moderate' });
    await c.updateOne({ _id: 1 } as Document, { $set: { x: 2 } });
    expect((await c.findOne({ _id: 1 } as Document))!.x).toBe(2);
    await validationFailure(c.updateOne({ _id: 2 } as Document, { $set: { x: 3 } }));
    await validationFailure(c.insertOne({ _id: 3, x: 3 } as Document));
    // strict checks every update.
    await t.db.command({ collMod: name, validationLevel: 'strict' });
    await validationFailure(c.updateOne({ _id: 1 } as Document, { $set: { x: 4 } }));
    const opts = await optionsOf(name);
    expect(opts.validator).toEqual({ x: { $type: 'string' } });
    expect(opts.validationLevel).toBe('strict');
  });

  it('off and warn let invalid documents through', async () => {
    const off = await withValidator({ x: { $type: 'string' } }, { validationLevel: 'off' });
    await off.insertOne({ x: 1 });
    const warn = await withValidator({ x: { $type: 'string' } }, { validationAction: 'warn' });
    await warn.insertOne({ _id: 1, x: 1 } as Document);
    await warn.updateOne({ _id: 1 } as Document, { $set: { x: 2 } });
    expect(await warn.findOne({ _id: 1 } as Document)).toEqual({ _id: 1, x: 2 });
  });

  it('refuses invalid options with BadValue and TypeMismatch', async () => {
    const bad = await failure(t.db.createCollection(`v${++n}`, { validator: { x: 1 }, validationLevel: 'sometimes' as never }));
    expect(bad.code).toBe(2);
    const badAction = await failure(t.db.createCollection(`v${++n}`, { validator: { x: 1 }, validationAction: 'explode' as never }));
    expect(badAction.code).toBe(2);
    const notObject = await failure(t.db.command({ create: `v${++n}`, validator: 'x' }));
    expect(notObject.code).toBe(14);
  });
});

describe('collMod', () => {
  it('sets and replaces the validator of an existing collection', async () => {
    const name = `v${++n}`;
    const c = t.db.collection(name);
    await c.insertOne({ _id: 1, x: 'foo' } as Document);
    const res = await t.db.command({ collMod: name, validator: { x: { $type: 'string' } } });
    expect(res.ok).toBe(1);
    const err = await validationFailure(c.findOneAndUpdate({ _id: 1 } as Document, { $set: { x: 1 } }));
    expect(err.errInfo!.failingDocumentId).toBe(1);
    await t.db.command({ collMod: name, validator: { x: { $type: 'int' } }, validationAction: 'error' });
    await c.updateOne({ _id: 1 } as Document, { $set: { x: 1 } });
    const opts = await optionsOf(name);
    expect(opts.validator).toEqual({ x: { $type: 'int' } });
    expect(opts.validationAction).toBe('error');
    // An empty validator removes the rules.
    await t.db.command({ collMod: name, validator: {} });
    await c.insertOne({ x: 'anything' });
  });

  it('fails on a missing collection and on invalid options', async () => {
    const missing = await failure(t.db.command({ collMod: 'no_such_collection', validator: { x: 1 } }));
    expect(missing.code).toBe(26);
    const name = `v${++n}`;
    await t.db.createCollection(name);
    const level = await failure(t.db.command({ collMod: name, validationLevel: 'sometimes' }));
    expect(level.code).toBe(2);
    const badValidator = await failure(t.db.command({ collMod: name, validator: { x: { $frobnicate: 1 } } }));
    expect(badValidator.code).toBe(2);
    const unknown = await failure(t.db.command({ collMod: name, noSuchOption: 1 }));
    if (!t.real) expect(unknown.code).toBe(40415);
  });

  it('hides an index and changes a TTL', async () => {
    const name = `v${++n}`;
    const c = t.db.collection(name);
    await c.createIndex({ a: 1 });
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    const hide = await t.db.command({ collMod: name, index: { keyPattern: { a: 1 }, hidden: true } });
    expect(hide).toMatchObject({ hidden_old: false, hidden_new: true, ok: 1 });
    const ttl = await t.db.command({ collMod: name, index: { name: 'at_1', expireAfterSeconds: 120 } });
    expect(ttl).toMatchObject({ expireAfterSeconds_old: 60, expireAfterSeconds_new: 120, ok: 1 });
    const specs = await c.listIndexes().toArray();
    expect(specs.find((s) => s.name === 'a_1')!.hidden).toBe(true);
    expect(specs.find((s) => s.name === 'at_1')!.expireAfterSeconds).toBe(120);
    await t.db.command({ collMod: name, index: { name: 'a_1', hidden: false } });
    expect((await c.listIndexes().toArray()).find((s) => s.name === 'a_1')!.hidden).toBeUndefined();
    const notFound = await failure(t.db.command({ collMod: name, index: { name: 'nope', hidden: true } }));
    expect(notFound.code).toBe(27);
  });
});

describe('$jsonSchema', () => {
  const student = {
    $jsonSchema: {
      bsonType: 'object',
      required: ['name', 'year'],
      properties: {
        name: { bsonType: 'string', description: 'must be a string' },
        year: { bsonType: 'int', minimum: 2017, maximum: 3017 },
        major: { enum: ['Math', 'English', null] },
        tags: { bsonType: 'array', items: { bsonType: 'string' }, maxItems: 3, uniqueItems: true },
        email: { bsonType: 'string', pattern: '^[^@]+@[^@]+$', maxLength: 40 },
        address: { bsonType: 'object', required: ['city'], properties: { city: { bsonType: 'string', minLength: 2 } } },
      },
    },
  };

  it('accepts documents that satisfy the schema', async () => {
    const c = await withValidator(student);
    await c.insertOne({ name: 'Ada', year: 2020 });
    await c.insertOne({ name: 'Bo', year: 2021, major: null, tags: ['a', 'b'], email: 'bo@x.io', address: { city: 'Oslo', zip: 1 } });
    expect(await c.countDocuments()).toBe(2);
  });

  it('explains failing properties and missing required fields', async () => {
    const c = await withValidator(student);
    const err = await validationFailure(c.insertOne({ _id: 1, name: 5, major: 'Art' } as Document));
    expect(err.errInfo).toEqual({
      failingDocumentId: 1,
      details: {
        operatorName: '$jsonSchema',
        schemaRulesNotSatisfied: [
          {
            operatorName: 'properties',
            propertiesNotSatisfied: [
              {
                propertyName: 'name',
                description: 'must be a string',
                details: [
                  {
                    operatorName: 'bsonType',
                    specifiedAs: { bsonType: 'string' },
                    reason: 'type did not match',
                    consideredValue: 5,
                    consideredType: 'int',
                  },
                ],
              },
              {
                propertyName: 'major',
                details: [
                  {
                    operatorName: 'enum',
                    specifiedAs: { enum: ['Math', 'English', null] },
                    reason: 'value was not found in enum',
                    consideredValue: 'Art',
                  },
                ],
              },
            ],
          },
          { operatorName: 'required', specifiedAs: { required: ['name', 'year'] }, missingProperties: ['year'] },
        ],
      },
    });
  });

  it('explains numeric, string and array keywords', async () => {
    const c = await withValidator(student);
    const year = await validationFailure(c.insertOne({ _id: 2, name: 'x', year: 2000 } as Document));
    expect(year.errInfo!.details.schemaRulesNotSatisfied).toEqual([
      {
        operatorName: 'properties',
        propertiesNotSatisfied: [
          {
            propertyName: 'year',
            details: [{ operatorName: 'minimum', specifiedAs: { minimum: 2017 }, reason: 'comparison failed', consideredValue: 2000 }],
          },
        ],
      },
    ]);
    const tags = await validationFailure(c.insertOne({ _id: 3, name: 'x', year: 2020, tags: ['a', 2] } as Document));
    expect(tags.errInfo!.details.schemaRulesNotSatisfied[0].propertiesNotSatisfied[0]).toEqual({
      propertyName: 'tags',
      details: [
        {
          operatorName: 'items',
          reason: 'At least one item did not match the sub-schema',
          itemIndex: 1,
          details: [
            {
              operatorName: 'bsonType',
              specifiedAs: { bsonType: 'string' },
              reason: 'type did not match',
              consideredValue: 2,
              consideredType: 'int',
            },
          ],
        },
      ],
    });
    await validationFailure(c.insertOne({ name: 'x', year: 2020, tags: ['a', 'a'] }));
    await validationFailure(c.insertOne({ name: 'x', year: 2020, tags: ['a', 'b', 'c', 'd'] }));
    await validationFailure(c.insertOne({ name: 'x', year: 2020, email: 'no-at-sign' }));
    await validationFailure(c.insertOne({ name: 'x', year: 2020, address: { street: 'Main' } }));
    await validationFailure(c.insertOne({ name: 'x', year: 2020, address: { city: 'A' } }));
    expect(await c.countDocuments()).toBe(0);
  });

  it('supports additionalProperties, patternProperties, min/maxProperties and dependencies', async () => {
    const closed = await withValidator({
      $jsonSchema: { properties: { _id: {}, a: { bsonType: 'int' } }, additionalProperties: false },
    });
    await closed.insertOne({ a: 1 });
    const extra = await validationFailure(closed.insertOne({ _id: 1, a: 1, b: 2 } as Document));
    expect(extra.errInfo!.details.schemaRulesNotSatisfied).toEqual([
      { operatorName: 'additionalProperties', specifiedAs: { additionalProperties: false }, additionalProperties: ['b'] },
    ]);
    const patterned = await withValidator({ $jsonSchema: { patternProperties: { '^n_': { bsonType: 'int' } }, maxProperties: 3 } });
    await patterned.insertOne({ n_a: 1, other: 'x' });
    await validationFailure(patterned.insertOne({ n_a: 'one' }));
    await validationFailure(patterned.insertOne({ a: 1, b: 2, c: 3 }));
    const deps = await withValidator({ $jsonSchema: { dependencies: { card: ['billing'] }, minProperties: 2 } });
    await deps.insertOne({ card: 1, billing: 'x' });
    await deps.insertOne({ other: 1 });
    const dep = await validationFailure(deps.insertOne({ _id: 5, card: 1 } as Document));
    expect(dep.errInfo!.details.schemaRulesNotSatisfied).toEqual([
      { operatorName: 'dependencies', failingDependencies: [{ conditionalProperty: 'card', missingProperties: ['billing'] }] },
    ]);
  });

  it('supports allOf, anyOf, oneOf, not and the JSON type keyword', async () => {
    const c = await withValidator({
      $jsonSchema: {
        properties: {
          a: { anyOf: [{ type: 'string' }, { type: 'number', minimum: 10 }] },
          b: { oneOf: [{ type: 'number' }, { bsonType: 'int' }] },
          c: { not: { type: 'null' } },
          d: { allOf: [{ type: 'string' }, { minLength: 3 }] },
        },
      },
    });
    await c.insertOne({ a: 'x', c: 1, d: 'abc' });
    await c.insertOne({ a: 12, b: 1.5 });
    await validationFailure(c.insertOne({ a: 3 }));
    await validationFailure(c.insertOne({ b: 1 }));
    await validationFailure(c.insertOne({ c: null }));
    await validationFailure(c.insertOne({ d: 'ab' }));
    const err = await validationFailure(c.insertOne({ _id: 9, b: 'x' } as Document));
    expect(err.errInfo!.details.schemaRulesNotSatisfied[0].propertiesNotSatisfied[0].details[0].operatorName).toBe('oneOf');
  });

  it('applies top-level logical keywords to the document', async () => {
    const c = await withValidator({ $jsonSchema: { anyOf: [{ required: ['email'] }, { required: ['phone'] }] } });
    await c.insertOne({ email: 'a@b.c' });
    await c.insertOne({ phone: '123' });
    const err = await validationFailure(c.insertOne({ _id: 1, name: 'x' } as Document));
    expect(err.errInfo!.details.schemaRulesNotSatisfied).toEqual([
      {
        operatorName: 'anyOf',
        schemasNotSatisfied: [
          { index: 0, details: [{ operatorName: 'required', specifiedAs: { required: ['email'] }, missingProperties: ['email'] }] },
          { index: 1, details: [{ operatorName: 'required', specifiedAs: { required: ['phone'] }, missingProperties: ['phone'] }] },
        ],
      },
    ]);
    // A top-level schema whose type excludes objects matches no document.
    const never = await withValidator({ $jsonSchema: { oneOf: [{ bsonType: 'string' }, { bsonType: 'int' }] } });
    await validationFailure(never.insertOne({ a: 1 }));
  });

  it('combines $jsonSchema with query operators', async () => {
    const c = await withValidator({ $jsonSchema: { required: ['sku'] }, qty: { $gt: 0 } });
    await c.insertOne({ sku: 'a', qty: 1 });
    const err = await validationFailure(c.insertOne({ _id: 1, qty: 1 } as Document));
    expect(err.errInfo!.details).toEqual({
      operatorName: '$and',
      clausesNotSatisfied: [
        {
          index: 0,
          details: {
            operatorName: '$jsonSchema',
            schemaRulesNotSatisfied: [{ operatorName: 'required', specifiedAs: { required: ['sku'] }, missingProperties: ['sku'] }],
          },
        },
      ],
    });
  });

  it('refuses unsupported or malformed schemas and query operators when the validator is set', async () => {
    const cases: Array<[Document, number]> = [
      [{ $jsonSchema: { format: 'email' } }, 9],
      [{ $jsonSchema: { $ref: '#/definitions/a' } }, 9],
      [{ $jsonSchema: { type: 'integer' } }, 9],
      [{ $jsonSchema: { bsonType: 'object', frobnicate: true } }, 9],
      [{ $jsonSchema: { required: [] } }, 9],
      [{ $jsonSchema: { type: 'string', bsonType: 'string' } }, 9],
      [{ $jsonSchema: { properties: { a: 1 } } }, 14],
      [{ $jsonSchema: { minimum: 'x' } }, 14],
      [{ $jsonSchema: 1 }, 14],
      [{ $where: 'true' }, 2],
      [{ a: { $frobnicate: 1 } }, 2],
    ];
    for (const [validator, code] of cases) {
      const err = await failure(t.db.createCollection(`v${++n}`, { validator }));
      expect([JSON.stringify(validator), err.code]).toEqual([JSON.stringify(validator), code]);
      expect(err.message).toMatch(/^Parsing of collection validator failed :: caused by :: /);
    }
  });
});

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('validation options in the journal', () => {
  it('keeps the validator, level, action and collMod index changes across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emb-valid-'));
    try {
      const a = await EmbeddedMongo.start({ port: 0, quiet: true, dataDir: dir });
      const c1 = await MongoClient.connect(a.uri);
      const db1 = c1.db('d');
      await db1.createCollection('c', { validator: { x: { $type: 'string' } }, validationAction: 'error' });
      await db1.collection('c').createIndex({ a: 1 });
      await db1.command({
        collMod: 'c',
        validator: { x: { $type: 'int' } },
        validationLevel: 'moderate',
        index: { name: 'a_1', hidden: true },
      });
      await c1.close();
      await a.stop();

      const b = await EmbeddedMongo.start({ port: 0, quiet: true, dataDir: dir });
      const c2 = await MongoClient.connect(b.uri);
      try {
        const [info] = await c2.db('d').listCollections({ name: 'c' }).toArray();
        expect((info as Document).options).toEqual({
          validator: { x: { $type: 'int' } },
          validationAction: 'error',
          validationLevel: 'moderate',
        });
        expect((await c2.db('d').collection('c').listIndexes().toArray()).find((i) => i.name === 'a_1')!.hidden).toBe(true);
        expect(
          (
            await c2
              .db('d')
              .collection('c')
              .insertOne({ x: 'str' })
              .catch((e) => e)
          ).code,
        ).toBe(121);
      } finally {
        await c2.close();
        await b.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
