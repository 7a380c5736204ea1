import { ApiError, buildEvent } from '@suite/api-kit';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Connection, Schema } from 'mongoose';
import { isDuplicateKeyError, mapMongoErrors, translateMongoError } from './mongo-errors';
import { findPage } from './paging';
import { OutboxDispatcher, OutboxRepository } from './outbox';
import { openConnection } from './persistence.module';
import { tenantCollectionName } from './tenant';
import { defineEntity, TenantModelRegistry, trustedFilter } from './tenant-model-registry';
import { IdKeyedRepository } from './tenant-repository';

interface Thing {
  _id: string;
  code: string;
  n: number;
}
const thingSchema = new Schema<Thing>({ _id: String, code: String, n: Number }, { versionKey: false });
thingSchema.index({ code: 1 }, { unique: true });
const THINGS = defineEntity<Thing>('things', thingSchema);

describe('@suite/persistence against the embedded server', () => {
  let db: TestDatabase;
  let connection: Connection;
  let registry: TenantModelRegistry;

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('persistence') });
    registry = new TenantModelRegistry(connection, 3);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('names collections <tenant>_<entity> and refuses malformed tenants', () => {
    expect(tenantCollectionName('acme', 'segment_customer_assignments')).toBe('acme_segment_customer_assignments');
    expect(() => tenantCollectionName('Acme', 'x')).toThrow();
    expect(() => tenantCollectionName('ac', 'x')).toThrow();
    expect(() => tenantCollectionName('acme_x', 'y')).toThrow();
    expect(() => registry.model('a_b', THINGS)).toThrow();
  });

  it('keeps two tenants apart even with the same custom id', async () => {
    await (await registry.forWrite('alpha', THINGS)).create({ _id: 'GOLD', code: 'a', n: 1 });
    await (await registry.forWrite('beta', THINGS)).create({ _id: 'GOLD', code: 'a', n: 2 });
    expect(await registry.model('alpha', THINGS).findById('GOLD').lean()).toEqual({ _id: 'GOLD', code: 'a', n: 1 });
    expect(await registry.model('beta', THINGS).findById('GOLD').lean()).toEqual({ _id: 'GOLD', code: 'a', n: 2 });
    expect(await registry.model('beta', THINGS).countDocuments({})).toBe(1);
  });

  it('never creates a collection on a read', async () => {
    const before = await registry.tenantCollections('gamma');
    expect(await registry.model('gamma', THINGS).find({}).lean()).toEqual([]);
    expect(await registry.model('gamma', THINGS).findById('x').lean()).toBeNull();
    expect(
      await findPage(registry.model('gamma', THINGS), { filter: {}, sort: [['_id', 1]], skip: 0, limit: 10, withTotal: true }),
    ).toEqual({ items: [], total: 0 });
    expect(await registry.tenantCollections('gamma')).toEqual(before);
    expect(before).toEqual([]);
  });

  it('creates the collection with its declared indexes on the first write, once', async () => {
    await Promise.all([registry.ensureCollection('delta', THINGS), registry.ensureCollection('delta', THINGS)]);
    expect(await registry.tenantCollections('delta')).toEqual(['delta_things']);
    const indexes = await connection.db!.collection('delta_things').listIndexes().toArray();
    expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'code_1']);
    expect(indexes.find((i) => i.name === 'code_1')?.unique).toBe(true);
  });

  it('turns a duplicate key into 409 duplicate_resource', async () => {
    const model = await registry.forWrite('alpha', THINGS);
    const dupId = await mapMongoErrors(() => model.create({ _id: 'GOLD', code: 'z', n: 0 })).catch((e) => e);
    expect(dupId).toBeInstanceOf(ApiError);
    expect(dupId).toMatchObject({ errorCode: 'duplicate_resource', httpStatus: 409, resourceId: 'GOLD' });
    const dupCode = await model.create({ _id: 'OTHER', code: 'a', n: 0 }).catch((e) => e);
    expect(isDuplicateKeyError(dupCode)).toBe(true);
    expect(translateMongoError(dupCode)).toMatchObject({ errorCode: 'duplicate_resource' });
  });

  it('applies trusted operator filters and neutralises untrusted ones (sanitizeFilter)', async () => {
    const model = await registry.forWrite('eps', THINGS);
    await model.insertMany([
      { _id: '1', code: 'x', n: 1 },
      { _id: '2', code: 'y', n: 5 },
    ]);
    // Untrusted: {$gt: 0} is wrapped in $eq, so it is a value, not an operator: on a number field
    // it cannot even be cast, and the error maps to a 400, never to a match.
    const untrusted = await model
      .find({ n: { $gt: 0 } })
      .lean()
      .catch((e) => e);
    expect(translateMongoError(untrusted)).toMatchObject({ errorCode: 'validation_failed' });
    const injected = await model
      .find({ code: { $ne: 'nothing' } } as never)
      .lean()
      .catch((e) => e);
    expect(translateMongoError(injected)).toMatchObject({ errorCode: 'validation_failed' });
    const trusted = trustedFilter({ $and: [{ n: { $gt: 0 } }, { $or: [{ code: { $in: ['y'] } }] }] });
    expect(await model.find(trusted).lean()).toEqual([{ _id: '2', code: 'y', n: 5 }]);
  });

  it('pages with sort, skip, limit and a total under the same filter', async () => {
    const model = await registry.forWrite('zeta', THINGS);
    await model.insertMany(Array.from({ length: 7 }, (_, i) => ({ _id: `t${i}`, code: `c${i}`, n: i % 3 })));
    const page = await findPage(model, {
      filter: { n: { $gte: 1 } },
      sort: [
        ['n', -1],
        ['_id', 1],
      ],
      skip: 1,
      limit: 2,
      withTotal: true,
    });
    expect(page.total).toBe(4);
    expect(page.items.map((d) => d._id)).toEqual(['t5', 't1']);
  });

  it('evicts the least recently used model beyond its bound and can reopen it', async () => {
    const small = new TenantModelRegistry(connection, 2);
    small.model('aaa', THINGS);
    small.model('bbb', THINGS);
    small.model('ccc', THINGS);
    expect(connection.modelNames()).not.toContain('aaa_things');
    expect(await small.model('aaa', THINGS).countDocuments()).toBe(0);
  });

  it('hands out an IdKeyedRepository document with its _id named id, nothing else mapped', async () => {
    class ThingsRepository extends IdKeyedRepository<Thing> {
      constructor() {
        super(registry, THINGS);
      }
      get(tenant: string, id: string) {
        return this.findOneDoc(tenant, { _id: id });
      }
    }
    await (await registry.forWrite('kappa', THINGS)).create({ _id: 'k1', code: 'k', n: 7 });
    expect(await new ThingsRepository().get('kappa', 'k1')).toEqual({ id: 'k1', code: 'k', n: 7 });
  });
});

describe('outbox (EVT-4, EVT-5)', () => {
  let db: TestDatabase;
  let connection: Connection;
  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('outbox') });
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  const event = (tenant: string, n: number) =>
    buildEvent({
      source: '/coupon',
      type: 'coupon.created',
      subject: `C${n}`,
      tenant,
      entityVersion: 0,
      actor: { type: 'employee', id: 'u1' },
      requestId: `r${n}`,
      time: new Date(),
      data: { code: `C${n}` },
    });

  it('stores events per tenant in order and publishes them at least once, in order', async () => {
    const outbox = new OutboxRepository(connection);
    for (let i = 0; i < 3; i++) await outbox.emit(event('alpha', i));
    await outbox.emit(event('beta', 9));
    expect((await outbox.forTenant('alpha')).map((e) => e.event.subject)).toEqual(['C0', 'C1', 'C2']);
    const published: string[] = [];
    let failOnce = true;
    const dispatcher = new OutboxDispatcher(outbox, async (e) => {
      if (e.subject === 'C1' && failOnce) {
        failOnce = false;
        throw new Error('broker down');
      }
      published.push(e.subject);
    });
    expect(await dispatcher.tick()).toBe(1); // C0, then the broker refuses C1 and the pass stops
    expect(await dispatcher.tick(2)).toBe(3); // batches of 2 until drained
    expect(published).toEqual(['C0', 'C1', 'C2', 'C9']);
    expect(await outbox.unpublished(10)).toEqual([]);
    expect(await dispatcher.tick()).toBe(0);
  });

  it('indexes the dispatcher queries and purges only published entries older than the cutoff', async () => {
    const outbox = new OutboxRepository(connection);
    await outbox.ensureIndexes();
    await outbox.ensureIndexes();
    const indexes = await connection.db!.collection('outbox').listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'dispatch')?.key).toEqual({ publishedAt: 1, createdAt: 1, seq: 1, _id: 1 });
    const old = event('delta', 1);
    const fresh = event('delta', 2);
    const pending = event('delta', 3);
    for (const e of [old, fresh, pending]) await outbox.emit(e);
    await outbox.markPublished([old.id], new Date(Date.now() - 8 * 24 * 3600 * 1000));
    await outbox.markPublished(fresh.id);
    expect(await outbox.purgePublishedBefore(new Date(Date.now() - 7 * 24 * 3600 * 1000))).toBe(1);
    expect((await outbox.forTenant('delta')).map((e) => e.event.subject)).toEqual(['C2', 'C3']);
  });

  it("stores a bulk request's events as one document per run of a tenant (≤ 100), in order; reports a refused one's events", async () => {
    const outbox = new OutboxRepository(connection);
    await outbox.emit(event('eps', 0));
    const batch = [...Array.from({ length: 150 }, (_, i) => event('eps', i + 1)), event('other', 1), event('eps', 151)];
    expect(await outbox.emitMany(batch)).toEqual([]);
    const docs = await connection
      .db!.collection('outbox')
      .find({ tenant: { $in: ['eps', 'other'] } })
      .toArray();
    // C0 alone; 100 + 50 of eps; other's one event; eps' last one.
    expect(docs.map((d) => (d.events ? d.events.length : 1))).toEqual([1, 100, 50, 1, 1]);
    expect((await outbox.forTenant('eps')).map((e) => e.event.subject)).toEqual([
      'C0',
      ...batch.filter((e) => e.tenant === 'eps').map((e) => e.subject),
    ]);
    const published: string[] = [];
    await new OutboxDispatcher(outbox, async (e) => {
      if (e.tenant === 'eps' || e.tenant === 'other') published.push(`${e.tenant}:${e.subject}`);
    }).tick();
    expect(published).toEqual(['eps:C0', ...batch.map((e) => `${e.tenant}:${e.subject}`)]);
    expect((await outbox.backlog()).count).toBe(0);
    // The same events again: their documents' ids are taken, so every one of them is reported.
    expect(await outbox.emitMany(batch.slice(0, 3))).toEqual([0, 1, 2]);
  });

  it('hands a batch document over in parts without repeating an event: a refusal in its middle resumes there', async () => {
    const outbox = new OutboxRepository(connection);
    const batch = Array.from({ length: 10 }, (_, i) => event('theta', i));
    await outbox.emitMany(batch);
    expect((await outbox.backlog()).count).toBeGreaterThanOrEqual(10);
    const handed: string[] = [];
    let refuse = true;
    const dispatcher = new OutboxDispatcher(outbox, {
      maxBatch: 4,
      publishBatch: async (tenant, list) => {
        if (tenant !== 'theta') return;
        if (refuse && list.some((e) => e.subject === 'C6')) {
          refuse = false;
          throw new Error('broker down');
        }
        handed.push(...list.map((e) => e.subject));
      },
    });
    await dispatcher.tick();
    expect(handed).toEqual(['C0', 'C1', 'C2', 'C3']);
    const left = (await outbox.unpublished(100)).filter((e) => e.tenant === 'theta');
    expect(left.map((e) => e.event.subject)).toEqual(['C4', 'C5', 'C6', 'C7', 'C8', 'C9']);
    await new Promise((r) => setTimeout(r, 300)); // the backoff after the refusal
    await dispatcher.tick();
    expect(handed).toEqual(batch.map((e) => e.subject));
    expect((await outbox.unpublished(100)).filter((e) => e.tenant === 'theta')).toEqual([]);
  });

  it("hands a tenant's consecutive entries over in batches bounded by count and by bytes, in order", async () => {
    const outbox = new OutboxRepository(connection);
    const events = Array.from({ length: 7 }, (_, i) => event('zeta', i));
    await outbox.emitMany([...events.slice(0, 3), event('eta', 9), ...events.slice(3)]);
    const oneSize = Buffer.byteLength(JSON.stringify(events[0]));
    const batches: string[][] = [];
    const dispatcher = new OutboxDispatcher(outbox, {
      maxBatch: 3,
      maxBatchBytes: oneSize * 2 + 10,
      publishBatch: async (tenant, list) => {
        if (tenant === 'zeta' || tenant === 'eta') batches.push(list.map((e) => `${tenant}:${e.subject}`));
      },
    });
    await dispatcher.tick();
    // Two per call (the byte budget), never across the other tenant's entry, in outbox order.
    expect(batches).toEqual([['zeta:C0', 'zeta:C1'], ['zeta:C2'], ['eta:C9'], ['zeta:C3', 'zeta:C4'], ['zeta:C5', 'zeta:C6']]);
  });

  it('rejects a second insert of the same event id instead of duplicating it', async () => {
    const outbox = new OutboxRepository(connection);
    const e = event('gamma', 1);
    await outbox.emit(e);
    await expect(outbox.emit(e)).rejects.toMatchObject({ code: 11000 });
  });
});

describe('translateMongoError', () => {
  it('maps timeouts, unreachable servers and server-side regex rejections', () => {
    expect(translateMongoError({ code: 50, name: 'MongoServerError' })).toMatchObject({ errorCode: 'query_timeout', httpStatus: 503 });
    expect(translateMongoError({ name: 'MongoServerSelectionError' })).toMatchObject({ errorCode: 'service_unavailable', httpStatus: 503 });
    expect(translateMongoError({ code: 51091, name: 'MongoServerError' })).toMatchObject({ errorCode: 'invalid_query', httpStatus: 400 });
    expect(translateMongoError(new Error('other'))).toBeUndefined();
  });
});
