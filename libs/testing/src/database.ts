import { randomBytes } from 'node:crypto';
import { EmbeddedMongo } from '@suite/mongo-embedded';

export interface TestDatabase {
  /** Server URI without a database name. */
  uri: string;
  stop(): Promise<void>;
}

/**
 * The database a test file talks to: a fresh embedded server on a free port, or, when
 * MONGODB_URI is set, that real MongoDB (each test then uses its own database names; see
 * `uniqueDbName`). Never a mock.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const external = process.env.MONGODB_URI;
  if (external) return { uri: external.replace(/\/[^/?]*(\?.*)?$/, ''), stop: async () => undefined };
  const db = await EmbeddedMongo.start({ port: 0, quiet: true });
  return { uri: db.uri, stop: () => db.stop() };
}

/** A database name no other test run uses (for runs against a shared real MongoDB). */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
