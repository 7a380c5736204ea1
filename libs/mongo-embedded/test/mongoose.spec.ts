// The models the services use, through mongoose 9 over TCP: unique indexes, create/insertMany,
// lean finds with sort/skip/limit, upserting findOneAndUpdate, array and nested updates,
// bulkWrite, countDocuments, distinct, and duplicate keys as mongoose reports them.

import mongoose, { Connection, Schema, Types } from 'mongoose';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
let conn: Connection;

interface Coupon {
  tenant: string;
  code: string;
  name?: { en?: string; de?: string };
  redeemed: number;
  maxRedemptions: number;
  segments: string[];
  lines: Array<{ sku: string; qty: number }>;
}

const couponSchema = new Schema<Coupon>(
  {
    tenant: { type: String, required: true },
    code: { type: String, required: true },
    name: { en: String, de: String },
    redeemed: { type: Number, default: 0 },
    maxRedemptions: { type: Number, default: 10 },
    segments: [String],
    lines: [{ _id: false, sku: String, qty: Number }],
  },
  { timestamps: true },
);
couponSchema.index({ tenant: 1, code: 1 }, { unique: true });

const customerSchema = new Schema({ email: { type: String, unique: true }, segmentIds: { type: [String], index: true } });
const referralSchema = new Schema({ owner: String, referralCode: { type: String } });
referralSchema.index({ referralCode: 1 }, { unique: true, partialFilterExpression: { referralCode: { $type: 'string' } } });

beforeAll(async () => {
  t = await startTestDb('mgs');
  conn = await mongoose.createConnection(t.dbUri, { autoIndex: false, autoCreate: false }).asPromise();
});
afterAll(async () => {
  await conn.close();
  await t.close();
});

function models() {
  const Coupon = conn.models.Coupon ?? conn.model('Coupon', couponSchema);
  const Customer = conn.models.Customer ?? conn.model('Customer', customerSchema);
  const Referral = conn.models.Referral ?? conn.model('Referral', referralSchema);
  return { Coupon, Customer, Referral };
}

describe('mongoose models', () => {
  beforeAll(async () => {
    for (const m of Object.values(models())) {
      await m.createCollection();
      await m.syncIndexes();
    }
  });

  it('creates collections and indexes with autoIndex/autoCreate off', async () => {
    const { Coupon, Customer } = models();
    const idx = await Coupon.listIndexes();
    expect(idx.map((i) => i.name)).toEqual(['_id_', 'tenant_1_code_1']);
    expect(idx[1].unique).toBe(true);
    expect((await Customer.listIndexes()).map((i) => i.name).sort()).toEqual(['_id_', 'email_1', 'segmentIds_1']);
    // A second sync finds nothing to change.
    expect(await Coupon.syncIndexes()).toEqual([]);
    expect(await Coupon.diffIndexes()).toEqual({ toDrop: [], toCreate: [] });
  });

  it('creates documents and reports duplicate keys as a MongoServerError 11000', async () => {
    const { Coupon } = models();
    const c = await Coupon.create({ tenant: 't1', code: 'WELCOME', segments: ['a'] });
    expect(c._id).toBeInstanceOf(Types.ObjectId);
    expect(c.get('createdAt')).toBeInstanceOf(Date);
    const err = await Coupon.create({ tenant: 't1', code: 'WELCOME' }).catch((e) => e);
    expect(err.name).toBe('MongoServerError');
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ tenant: 't1', code: 'WELCOME' });
    expect(err.keyPattern).toEqual({ tenant: 1, code: 1 });
    await Coupon.create({ tenant: 't2', code: 'WELCOME' });
  });

  it('inserts many and finds with sort, skip, limit, select and lean', async () => {
    const { Coupon } = models();
    await Coupon.insertMany(
      Array.from({ length: 20 }, (_, i) => ({ tenant: 'list', code: `C${String(i).padStart(2, '0')}`, redeemed: i % 5 })),
    );
    const page = await Coupon.find({ tenant: 'list' }).sort({ redeemed: -1, code: 1 }).skip(2).limit(3).select('code redeemed').lean();
    expect(page.map((p) => [p.code, p.redeemed])).toEqual([
      ['C14', 4],
      ['C19', 4],
      ['C03', 3],
    ]);
    expect(Object.keys(page[0]).sort()).toEqual(['_id', 'code', 'redeemed']);
    expect(await Coupon.countDocuments({ tenant: 'list', redeemed: { $gte: 3 } })).toBe(8);
    expect((await Coupon.distinct('redeemed', { tenant: 'list' })).sort()).toEqual([0, 1, 2, 3, 4]);
    const err = await Coupon.insertMany(
      [
        { tenant: 'list', code: 'NEW' },
        { tenant: 'list', code: 'C00' },
      ],
      { ordered: false },
    ).catch((e) => e);
    expect(err.code).toBe(11000);
    expect(await Coupon.countDocuments({ tenant: 'list', code: 'NEW' })).toBe(1);
  });

  it('upserts with findOneAndUpdate and applies $setOnInsert once', async () => {
    const { Coupon } = models();
    const first = await Coupon.findOneAndUpdate(
      { tenant: 'up', code: 'X' },
      { $set: { 'name.en': 'Ex' }, $setOnInsert: { maxRedemptions: 3 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(first).toMatchObject({ tenant: 'up', code: 'X', name: { en: 'Ex' }, maxRedemptions: 3 });
    const second = await Coupon.findOneAndUpdate(
      { tenant: 'up', code: 'X' },
      { $set: { 'name.de': 'Ix' }, $setOnInsert: { maxRedemptions: 99 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(second).toMatchObject({ _id: first!._id, name: { en: 'Ex', de: 'Ix' }, maxRedemptions: 3 });
  });

  it('updates many with $inc/$push/$pull/$addToSet/$set on nested paths and positional operators', async () => {
    const { Coupon } = models();
    await Coupon.insertMany([
      {
        tenant: 'upd',
        code: 'A',
        segments: ['s1'],
        lines: [
          { sku: 'p1', qty: 1 },
          { sku: 'p2', qty: 2 },
        ],
      },
      { tenant: 'upd', code: 'B', segments: ['s1', 's2'], lines: [{ sku: 'p2', qty: 5 }] },
    ]);
    const r = await Coupon.updateMany(
      { tenant: 'upd' },
      { $inc: { redeemed: 2 }, $addToSet: { segments: 's3' }, $set: { 'name.en': 'N' } },
    );
    expect([r.matchedCount, r.modifiedCount]).toEqual([2, 2]);
    await Coupon.updateMany({ tenant: 'upd' }, { $pull: { segments: 's1' }, $push: { lines: { sku: 'p9', qty: 9 } } });
    await Coupon.updateOne({ tenant: 'upd', code: 'A', 'lines.sku': 'p2' }, { $inc: { 'lines.$.qty': 10 } });
    await Coupon.updateMany({ tenant: 'upd' }, { $mul: { 'lines.$[l].qty': 2 } }, { arrayFilters: [{ 'l.sku': 'p9' }] });
    const docs = await Coupon.find({ tenant: 'upd' }).sort({ code: 1 }).lean();
    expect(docs.map((d) => ({ code: d.code, redeemed: d.redeemed, segments: d.segments, lines: d.lines, name: d.name }))).toEqual([
      {
        code: 'A',
        redeemed: 2,
        segments: ['s3'],
        lines: [
          { sku: 'p1', qty: 1 },
          { sku: 'p2', qty: 12 },
          { sku: 'p9', qty: 18 },
        ],
        name: { en: 'N' },
      },
      {
        code: 'B',
        redeemed: 2,
        segments: ['s2', 's3'],
        lines: [
          { sku: 'p2', qty: 5 },
          { sku: 'p9', qty: 18 },
        ],
        name: { en: 'N' },
      },
    ]);
  });

  it('runs bulkWrite with mixed operations', async () => {
    const { Coupon } = models();
    const r = await Coupon.bulkWrite([
      { insertOne: { document: { tenant: 'bulk', code: 'A' } } },
      { updateOne: { filter: { tenant: 'bulk', code: 'A' }, update: { $set: { redeemed: 1 } } } },
      { updateOne: { filter: { tenant: 'bulk', code: 'B' }, update: { $set: { redeemed: 2 } }, upsert: true } },
      { replaceOne: { filter: { tenant: 'bulk', code: 'B' }, replacement: { tenant: 'bulk', code: 'B', redeemed: 5 } as never } },
      { deleteOne: { filter: { tenant: 'bulk', code: 'A' } } },
    ]);
    expect([r.insertedCount, r.matchedCount, r.modifiedCount, r.upsertedCount, r.deletedCount]).toEqual([1, 2, 2, 1, 1]);
    expect(await Coupon.find({ tenant: 'bulk' }).lean()).toMatchObject([{ code: 'B', redeemed: 5 }]);
  });

  it('aggregates with $match/$group/$sort', async () => {
    const { Coupon } = models();
    const rows = await Coupon.aggregate([
      { $match: { tenant: 'list' } },
      { $group: { _id: '$redeemed', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(rows).toEqual([0, 1, 2, 3, 4].map((k) => ({ _id: k, n: k === 0 ? 5 : 4 })));
  });

  it('honours partial unique indexes and multikey indexes from schemas', async () => {
    const { Referral, Customer } = models();
    await Referral.create([{ owner: 'a' }, { owner: 'b' }, { owner: 'c', referralCode: 'R1' }]);
    const err = await Referral.create({ owner: 'd', referralCode: 'R1' }).catch((e) => e);
    expect(err.code).toBe(11000);
    await Customer.create({ email: 'x@y', segmentIds: ['s1', 's2'] });
    expect(await Customer.countDocuments({ segmentIds: 's2' })).toBe(1);
    const dup = await Customer.create({ email: 'x@y' }).catch((e) => e);
    expect(dup.code).toBe(11000);
    expect(dup.keyValue).toEqual({ email: 'x@y' });
  });

  it('deletes with deleteMany and findOneAndDelete', async () => {
    const { Coupon } = models();
    const removed = await Coupon.findOneAndDelete({ tenant: 'list', code: 'C00' }).lean();
    expect(removed?.code).toBe('C00');
    const r = await Coupon.deleteMany({ tenant: 'list' });
    expect(r.deletedCount).toBe(20);
  });
});
