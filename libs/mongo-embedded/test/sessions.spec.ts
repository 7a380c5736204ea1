// `$listLocalSessions` as a database-level aggregation (`db.aggregate`, i.e. `{aggregate: 1}`):
// the sessions commands arrived with, in MongoDB's record shape, the `allUsers`/`users` options,
// and the errors for other placements. Embedded only: `endSessions` forgets a session at once
// (MongoDB drops it at its next cache refresh), and other database-level stages are refused.

import { Binary, MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;

beforeAll(async () => {
  t = await startTestDb('sessions');
});
afterAll(async () => {
  await t.close();
});

function sameId(a: unknown, b: unknown): boolean {
  return a instanceof Binary && b instanceof Binary && Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
}

describe('$listLocalSessions', () => {
  it('lists the sessions this server has seen, with their id, user digest and last use', async () => {
    const session = t.client.startSession();
    try {
      await t.db.collection('s').insertOne({ a: 1 }, { session });
      const all = await t.client
        .db('admin')
        .aggregate([{ $listLocalSessions: { allUsers: true } }])
        .toArray();
      const mine = all.find((s) => sameId(s._id.id, session.id!.id));
      expect(mine).toBeDefined();
      expect(mine!._id.uid).toBeInstanceOf(Binary);
      expect(mine!._id.uid.buffer.length).toBe(32);
      expect(mine!.lastUse).toBeInstanceOf(Date);
      // Without authentication, the caller's own sessions ({}) are all of them.
      const own = await t.db.aggregate([{ $listLocalSessions: {} }]).toArray();
      expect(own.some((s) => sameId(s._id.id, session.id!.id))).toBe(true);
    } finally {
      await session.endSession();
    }
  });

  it('includes the session of the aggregation itself, so later stages always see one', async () => {
    const rows = await t.client
      .db('admin')
      .aggregate([{ $listLocalSessions: {} }, { $limit: 1 }, { $addFields: { dummy: 'dummy field' } }, { $project: { _id: 0, dummy: 1 } }])
      .toArray();
    expect(rows).toEqual([{ dummy: 'dummy field' }]);
  });

  it('lists no sessions for users that own none', async () => {
    const rows = await t.db.aggregate([{ $listLocalSessions: { users: [{ user: 'nobody', db: 'admin' }] } }]).toArray();
    expect(rows).toEqual([]);
  });

  it('refuses a bad spec, a collection aggregation and any place but the first stage', async () => {
    const both = await t.db
      .aggregate([{ $listLocalSessions: { allUsers: true, users: [{ user: 'a', db: 'b' }] } }])
      .toArray()
      .catch((e) => e);
    expect(both.code).toBe(51);
    const notObject = await t.db
      .aggregate([{ $listLocalSessions: 1 }])
      .toArray()
      .catch((e) => e);
    expect(notObject.code).toBe(14);
    const onCollection = await t.db
      .collection('s')
      .aggregate([{ $listLocalSessions: {} }])
      .toArray()
      .catch((e) => e);
    expect(onCollection.code).toBe(73);
    const second = await t.db
      .aggregate([{ $documents: [{}] }, { $listLocalSessions: {} }])
      .toArray()
      .catch((e) => e);
    expect(second.code).toBe(40602);
    const noSource = await t.db
      .aggregate([{ $match: {} }])
      .toArray()
      .catch((e) => e);
    expect(noSource.code).toBe(73);
  });
});

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('sessions (embedded server)', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;
  beforeAll(async () => {
    server = await EmbeddedMongo.start({ port: 0, quiet: true });
    client = await MongoClient.connect(server.uri);
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  async function listed(): Promise<Binary[]> {
    const rows = await client.db('admin').command({ aggregate: 1, pipeline: [{ $listLocalSessions: { allUsers: true } }], cursor: {} });
    return rows.cursor.firstBatch.map((r: { _id: { id: Binary } }) => r._id.id);
  }

  it('forgets a session on endSessions and killSessions, and all of them on killAllSessions', async () => {
    const a = client.startSession();
    const b = client.startSession();
    await client.db('x').command({ ping: 1 }, { session: a });
    await client.db('x').command({ ping: 1 }, { session: b });
    expect((await listed()).filter((id) => sameId(id, a.id!.id) || sameId(id, b.id!.id))).toHaveLength(2);
    await client.db('admin').command({ endSessions: [a.id] });
    expect((await listed()).some((id) => sameId(id, a.id!.id))).toBe(false);
    expect((await listed()).some((id) => sameId(id, b.id!.id))).toBe(true);
    await client.db('admin').command({ killSessions: [b.id] });
    expect((await listed()).some((id) => sameId(id, b.id!.id))).toBe(false);
    await client.db('admin').command({ killAllSessions: [] });
    // The listing command's own session was registered again before it ran.
    expect(await listed()).toHaveLength(1);
    await a.endSession();
    await b.endSession();
  });

  it('refuses the other database-level stages it does not implement, naming them', async () => {
    for (const stage of [{ $currentOp: {} }, { $changeStream: {} }, { $listSessions: {} }]) {
      const err = await client
        .db('admin')
        .aggregate([stage])
        .toArray()
        .catch((e) => e);
      expect(err.code).toBe(115);
      expect(err.message).toContain(Object.keys(stage)[0]);
    }
  });
});
