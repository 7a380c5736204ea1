// Test helper: the same spec files run against the embedded server (default) or a real MongoDB
// when MONGODB_URI is set (`MONGODB_URI=mongodb://localhost:27017 npm run test:mongo`). Each
// file gets its own database, dropped again when the file is done.

import { randomBytes } from 'node:crypto';
import { Db, MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src';

export interface TestDb {
  /** Server URI without a database (`mongodb://host:port`). */
  uri: string;
  /** URI including this file's database, for mongoose. */
  dbUri: string;
  dbName: string;
  client: MongoClient;
  db: Db;
  /** The embedded server, when not running against a real MongoDB. */
  embedded: EmbeddedMongo | null;
  /** True when the tests talk to a real MongoDB. */
  real: boolean;
  close(): Promise<void>;
}

function withDb(uri: string, db: string): string {
  const u = new URL(uri);
  u.pathname = '/' + db;
  return u.toString();
}

export async function startTestDb(label: string): Promise<TestDb> {
  const external = process.env.MONGODB_URI;
  const embedded = external ? null : await EmbeddedMongo.start({ port: 0, quiet: true });
  const uri = external ?? embedded!.uri;
  const dbName = `emb_${label}_${randomBytes(4).toString('hex')}`;
  const client = await MongoClient.connect(uri);
  const db = client.db(dbName);
  return {
    uri,
    dbUri: withDb(uri, dbName),
    dbName,
    client,
    db,
    embedded,
    real: !!external,
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
      await embedded?.stop();
    },
  };
}
