import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Db, MongoClient } from 'mongodb';
import { Connection, Schema } from 'mongoose';
import { migrateIndexes, PERSISTENCE_ENTITIES, StorageDeclaration } from './index-migration';
import { declaredIndexes, defaultIndexName, ensureDeclaredIndexes } from './indexes';
import { openConnection } from './persistence.module';
import { defineEntity, TenantModelRegistry } from './tenant-model-registry';

interface Widget {
  _id: string;
  code: string;
  shop: string;
  kind: string;
}
const widgetSchema = new Schema<Widget>({ _id: String, code: String, shop: String, kind: String }, { versionKey: false });
widgetSchema.index({ code: 1 }, { unique: true, name: 'code_unique' });
widgetSchema.index({ shop: 1, kind: -1 });
const WIDGETS = defineEntity<Widget>('widgets', widgetSchema);

const names = async (db: Db, collection: string) =>
  (await db.collection(collection).listIndexes().toArray()).map((i) => i.name as string).sort();
const indexNamed = async (db: Db, collection: string, name: string) =>
  (await db.collection(collection).listIndexes().toArray()).find((i) => i.name === name);

describe('declared indexes, their lazy creation and `migrate`', () => {
  let server: TestDatabase;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startTestDatabase();
    client = await MongoClient.connect(server.uri);
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('names every declared index, as the driver would when the schema gives no name', () => {
    expect(defaultIndexName({ segmentId: 1, 'item.id': -1 })).toBe('segmentId_1_item.id_-1');
    expect(declaredIndexes(WIDGETS)).toEqual([
      { key: { code: 1 }, unique: true, name: 'code_unique' },
      { key: { shop: 1, kind: -1 }, name: 'shop_1_kind_-1' },
    ]);
  });

  describe('the lazy path (first write of a tenant)', () => {
    let connection: Connection;
    let db: Db;
    const warnings: Array<{ details: any; message: string }> = [];
    let registry: TenantModelRegistry;

    beforeAll(async () => {
      const dbName = uniqueDbName('lazy_indexes');
      connection = await openConnection({ uri: server.uri, dbName });
      db = client.db(dbName);
      registry = new TenantModelRegistry(connection, 100, { warn: (details, message) => warnings.push({ details, message }) });
    });
    afterAll(async () => {
      await db.dropDatabase();
      await connection.close();
    });

    it('creates the collection and every declared index on the first write', async () => {
      const model = await registry.forWrite('fresh', WIDGETS);
      await model.create({ _id: 'w1', code: 'A', shop: 's', kind: 'k' });
      expect(await names(db, 'fresh_widgets')).toEqual(['_id_', 'code_unique', 'shop_1_kind_-1']);
      expect(warnings).toEqual([]);
    });

    it('keeps writing when an index exists with another definition, creates the others and warns once per collection', async () => {
      // The collection was created while `code_unique` was declared without `unique`.
      await db.collection('acme_widgets').createIndex({ code: 1 }, { name: 'code_unique' });
      const model = await registry.forWrite('acme', WIDGETS);
      await model.create({ _id: 'w1', code: 'A', shop: 's', kind: 'k' });
      // A write of a second process (a fresh registry) meets the same conflict and still succeeds.
      const other = new TenantModelRegistry(connection, 100, { warn: (details, message) => warnings.push({ details, message }) });
      await (await other.forWrite('acme', WIDGETS)).create({ _id: 'w2', code: 'A', shop: 's', kind: 'k' });
      await registry.forWrite('acme', WIDGETS);

      expect(await names(db, 'acme_widgets')).toEqual(['_id_', 'code_unique', 'shop_1_kind_-1']);
      expect((await indexNamed(db, 'acme_widgets', 'code_unique'))?.unique).toBeUndefined();
      // Once per registry (process) and collection.
      expect(warnings).toHaveLength(2);
      expect(warnings[0].details).toMatchObject({
        collection: 'acme_widgets',
        conflicts: [
          { index: 'code_unique', reason: 'same name, different definition', existing: { key: { code: 1 }, name: 'code_unique' } },
        ],
      });
      expect(warnings[0].message).toContain('npm run migrate');
    });

    it('also tolerates the declared keys existing under another name (85), and never touches another tenant', async () => {
      warnings.length = 0;
      await db.collection('globex_widgets').createIndex({ shop: 1, kind: -1 }, { name: 'legacy_shop_kind' });
      await (await registry.forWrite('globex', WIDGETS)).create({ _id: 'g1', code: 'G', shop: 's', kind: 'k' });
      expect(await names(db, 'globex_widgets')).toEqual(['_id_', 'code_unique', 'legacy_shop_kind']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].details.conflicts).toEqual([
        expect.objectContaining({ index: 'shop_1_kind_-1', reason: "same keys, other name 'legacy_shop_kind'" }),
      ]);
      expect(await names(db, 'fresh_widgets')).toEqual(['_id_', 'code_unique', 'shop_1_kind_-1']);
    });

    it('still fails on errors that are not index conflicts', async () => {
      await db.collection('initech_widgets').insertMany([
        { _id: 'a' as any, code: 'X' },
        { _id: 'b' as any, code: 'X' },
      ]);
      // A unique index over duplicates cannot be built: that is not a changed definition.
      await expect(ensureDeclaredIndexes(db, 'initech_widgets', declaredIndexes(WIDGETS))).rejects.toMatchObject({ code: 11000 });
    });
  });

  describe('migrateIndexes', () => {
    let db: Db;
    let storage: StorageDeclaration;

    beforeAll(async () => {
      const database = uniqueDbName('migrate');
      db = client.db(database);
      storage = { service: 'widgets-service', database, entities: [WIDGETS] };
      await db.createCollection('acme_widgets');
      await db.collection('acme_widgets').createIndex({ code: 1 }, { name: 'code_unique' }); // declared unique since
      await db.collection('acme_widgets').createIndex({ legacy: 1 }, { name: 'legacy' });
      await db.createCollection('globex_widgets');
      await db.createCollection('globex_idempotency_keys');
      await db.createCollection('scratch');
    });
    afterAll(async () => {
      await db.dropDatabase();
    });

    it('creates what is missing in every tenant collection and the outbox, and reports differences without changing them', async () => {
      const report = await migrateIndexes((name) => client.db(name), [storage]);
      const outcome = (collection: string, index: string) => report.indexes.find((i) => i.collection === collection && i.index === index);

      expect(outcome('globex_widgets', 'code_unique')?.outcome).toBe('created');
      expect(outcome('globex_widgets', 'shop_1_kind_-1')?.outcome).toBe('created');
      expect(outcome('acme_widgets', 'shop_1_kind_-1')?.outcome).toBe('created');
      expect(outcome('acme_widgets', 'code_unique')).toMatchObject({
        outcome: 'conflict',
        reason: 'same name, different definition',
        declared: { key: { code: 1 }, unique: true, name: 'code_unique' },
        existing: { key: { code: 1 }, name: 'code_unique' },
      });
      // The library's own entities (idempotency keys) and the shared outbox are covered too.
      const [ttl] = declaredIndexes(PERSISTENCE_ENTITIES[0]);
      expect(outcome('globex_idempotency_keys', ttl.name)?.outcome).toBe('created');
      expect(outcome('outbox', 'dispatch')?.outcome).toBe('created');
      expect(report.undeclared).toEqual([expect.objectContaining({ collection: 'acme_widgets', index: 'legacy' })]);
      expect(report.unknownCollections).toEqual([{ database: storage.database, collection: 'scratch' }]);
      // Left in place: still not unique.
      expect((await indexNamed(db, 'acme_widgets', 'code_unique'))?.unique).toBeUndefined();
    });

    it('is idempotent: a second run creates nothing and reports the same difference', async () => {
      const before = await Promise.all(['acme_widgets', 'globex_widgets', 'outbox'].map((c) => names(db, c)));
      const report = await migrateIndexes((name) => client.db(name), [storage]);
      expect(report.indexes.filter((i) => i.outcome === 'created')).toEqual([]);
      expect(report.indexes.filter((i) => i.outcome === 'conflict').map((i) => `${i.collection}.${i.index}`)).toEqual([
        'acme_widgets.code_unique',
      ]);
      expect(await Promise.all(['acme_widgets', 'globex_widgets', 'outbox'].map((c) => names(db, c)))).toEqual(before);
    });

    it('with applyChanges, rebuilds a differing index as declared, and restores it when the rebuild fails', async () => {
      await db.createCollection('initech_widgets');
      await db.collection('initech_widgets').createIndex({ code: 1 }, { name: 'code_unique' });
      await db.collection('initech_widgets').insertMany([
        { _id: 'a' as any, code: 'X' },
        { _id: 'b' as any, code: 'X' },
      ]);

      const report = await migrateIndexes((name) => client.db(name), [storage], { applyChanges: true });
      const outcome = (collection: string) => report.indexes.find((i) => i.collection === collection && i.index === 'code_unique');

      expect(outcome('acme_widgets')?.outcome).toBe('replaced');
      expect((await indexNamed(db, 'acme_widgets', 'code_unique'))?.unique).toBe(true);
      // Duplicates: the unique index cannot be built; the previous one is back.
      expect(outcome('initech_widgets')).toMatchObject({ outcome: 'failed' });
      expect(outcome('initech_widgets')?.error).toContain('the previous index was restored');
      expect(await indexNamed(db, 'initech_widgets', 'code_unique')).toMatchObject({ key: { code: 1 } });
      // Undeclared indexes are never dropped.
      expect(await names(db, 'acme_widgets')).toContain('legacy');

      const again = await migrateIndexes((name) => client.db(name), [storage]);
      expect(again.indexes.filter((i) => i.outcome !== 'existed').map((i) => `${i.collection}.${i.index}:${i.outcome}`)).toEqual([
        'initech_widgets.code_unique:conflict',
      ]);
    });
  });
});
