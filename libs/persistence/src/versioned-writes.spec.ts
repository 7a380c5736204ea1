import { ApiError } from '@suite/api-kit';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Connection, Schema } from 'mongoose';
import { openConnection } from './persistence.module';
import { defineEntity, TenantModelRegistry } from './tenant-model-registry';
import { insertNew, takeBatch, updateVersioned, upsertVersioned, versionedUpdate } from './versioned-writes';

interface Pair {
  a: string;
  b: string;
  note?: string;
  kind?: string;
  metadata: { version: number; createdAt: Date; modifiedAt: Date };
}
const pairSchema = new Schema<Pair>(
  { a: String, b: String, note: String, kind: String, metadata: { version: Number, createdAt: Date, modifiedAt: Date } },
  { versionKey: false },
);
pairSchema.index({ a: 1, b: 1 }, { unique: true });
const PAIRS = defineEntity<Pair>('pairs', pairSchema);

describe('versioned single-document writes against the embedded server', () => {
  let db: TestDatabase;
  let connection: Connection;
  let registry: TenantModelRegistry;
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-02T00:00:00Z');

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('versioned') });
    registry = new TenantModelRegistry(connection, 3);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('builds the META-2 update: fields set or unset, version +1, createdAt and extras on insert only', () => {
    expect(
      versionedUpdate(
        [
          ['note', 'x'],
          ['kind', undefined],
        ],
        t0,
        { kind0: 'MANUAL' },
      ),
    ).toEqual({
      $set: { 'metadata.modifiedAt': t0, note: 'x' },
      $unset: { kind: 1 },
      $inc: { 'metadata.version': 1 },
      $setOnInsert: { 'metadata.createdAt': t0, kind0: 'MANUAL' },
    });
    expect(versionedUpdate([['note', 'x']], t0)).not.toHaveProperty('$unset');
  });

  it('upserts at version 1, then updates to 2 keeping createdAt; concurrent creations give one document', async () => {
    const model = await registry.forWrite('alpha', PAIRS);
    const first = await upsertVersioned(model, { a: 'x', b: 'y' }, versionedUpdate([['note', 'one']], t0));
    expect(first).toMatchObject({ created: true, doc: { a: 'x', b: 'y', note: 'one', metadata: { version: 1, createdAt: t0 } } });
    const second = await upsertVersioned(model, { a: 'x', b: 'y' }, versionedUpdate([['note', undefined]], t1));
    expect(second.created).toBe(false);
    expect(second.doc).toMatchObject({ metadata: { version: 2, createdAt: t0, modifiedAt: t1 } });
    expect(second.doc).not.toHaveProperty('note');
    const race = await Promise.all(Array.from({ length: 20 }, () => upsertVersioned(model, { a: 'r', b: 'r' }, versionedUpdate([], t0))));
    expect(race.filter((r) => r.created)).toHaveLength(1);
    expect(await model.countDocuments({ a: 'r' })).toBe(1);
    expect((await model.findOne({ a: 'r' }).lean())?.metadata.version).toBe(20);
  });

  it('updates only existing documents, guarded by the expected version, and never inserts', async () => {
    const model = await registry.forWrite('alpha', PAIRS);
    await upsertVersioned(model, { a: 'u', b: 'u' }, versionedUpdate([], t0));
    expect(await updateVersioned(model, { a: 'u', b: 'u' }, versionedUpdate([['note', 'n']], t1), 5)).toBeNull();
    expect(await updateVersioned(model, { a: 'u', b: 'u' }, versionedUpdate([['note', 'n']], t1), 1)).toMatchObject({
      note: 'n',
      metadata: { version: 2 },
    });
    expect(await updateVersioned(model, { a: 'none', b: 'u' }, versionedUpdate([], t1))).toBeNull();
    expect(await model.countDocuments({ a: 'none' })).toBe(0);
  });

  it('inserts new documents and answers a twin with 409 duplicate_resource', async () => {
    const model = await registry.forWrite('alpha', PAIRS);
    const doc: Pair = { a: 'i', b: 'i', metadata: { version: 1, createdAt: t0, modifiedAt: t0 } };
    await insertNew(model, doc, 'exists already');
    expect(doc).not.toHaveProperty('_id');
    const err = await insertNew(model, doc, 'exists already').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ errorCode: 'duplicate_resource', message: 'exists already' });
  });

  it('takes batches that were really there, within one tenant only', async () => {
    const alpha = await registry.forWrite('alpha', PAIRS);
    const beta = await registry.forWrite('beta', PAIRS);
    for (let i = 0; i < 5; i++)
      await insertNew(alpha, { a: 'batch', b: `b${i}`, metadata: { version: 1, createdAt: t0, modifiedAt: t0 } }, 'x');
    await insertNew(beta, { a: 'batch', b: 'b0', metadata: { version: 1, createdAt: t0, modifiedAt: t0 } }, 'x');
    expect(await takeBatch(alpha, { a: 'batch' }, 3)).toHaveLength(3);
    expect((await takeBatch(alpha, { a: 'batch' }, 3)).map((d) => d.b).sort()).toHaveLength(2);
    expect(await takeBatch(alpha, { a: 'batch' }, 3)).toEqual([]);
    expect(await beta.countDocuments({ a: 'batch' })).toBe(1);
  });
});
