// Behaviour specific to the embedded server: TTL expiry on a short monitor interval, clear
// refusals where it does not implement a MongoDB feature, start-up speed and the start notice.

import { MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src';

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('embedded server specifics', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;
  beforeAll(async () => {
    server = await EmbeddedMongo.start({ port: 0, quiet: true, ttlIntervalMs: 100 });
    client = await MongoClient.connect(server.uri);
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('starts in well under a second on a free port and stops cleanly', async () => {
    const t0 = Date.now();
    const s = await EmbeddedMongo.start({ port: 0, quiet: true });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.uri).toBe(`mongodb://127.0.0.1:${s.port}`);
    expect(s.port).toBeGreaterThan(0);
    await s.stop();
    const c = new MongoClient(s.uri, { serverSelectionTimeoutMS: 300 });
    await expect(c.connect()).rejects.toThrow();
    await c.close();
  });

  it('logs once at start that it is not a production database', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const s = await EmbeddedMongo.start({ port: 0 });
      await s.stop();
    } finally {
      spy.mockRestore();
    }
    expect(writes.filter((w) => /not a production database/.test(w))).toHaveLength(1);
  });

  it('removes documents past their TTL index deadline', async () => {
    const c = client.db('ttl').collection('sessions');
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    await c.insertMany([
      { k: 'old', at: new Date(Date.now() - 120_000) },
      { k: 'new', at: new Date() },
      { k: 'nodate', at: 'x' },
    ]);
    const deadline = Date.now() + 5000;
    while ((await c.countDocuments({ k: 'old' })) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(
      (
        await c
          .find({}, { projection: { _id: 0, k: 1 } })
          .sort({ k: 1 })
          .toArray()
      ).map((d) => d.k),
    ).toEqual(['new', 'nodate']);
  });

  it('refuses default collations, capped collections and unsupported collMod options instead of ignoring them', async () => {
    const db = client.db('refuse');
    await db.collection('c').insertOne({ a: 'x' });
    const coll = await db.createCollection('ci', { collation: { locale: 'en', strength: 2 } }).catch((e) => e);
    expect(coll.code).toBe(115);
    expect((await db.createCollection('capped', { capped: true, size: 1000 }).catch((e) => e)).code).toBe(115);
    expect((await db.command({ collMod: 'c', changeStreamPreAndPostImages: { enabled: true } }).catch((e) => e)).code).toBe(115);
    expect((await db.command({ collMod: 'c', index: { name: '_id_', unique: true } }).catch((e) => e)).code).toBe(115);
    expect(
      (
        await db
          .collection('c')
          .createIndex({ a: 'text' })
          .catch((e) => e)
      ).code,
    ).toBe(67);
    const timeseriesOut = { $out: { db: 'refuse', coll: 'ts', timeseries: { timeField: 't' } } };
    expect(
      (
        await db
          .collection('c')
          .aggregate([timeseriesOut])
          .toArray()
          .catch((e) => e)
      ).code,
    ).toBe(115);
  });
});
