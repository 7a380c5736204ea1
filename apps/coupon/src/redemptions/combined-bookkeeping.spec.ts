import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import type { CommandStartedEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import { sampleCouponFields, sampleCouponMeta } from '../../test/coupon-fixtures';
import { CouponRepository } from '../coupons/coupon.repository';
import { CustomerUsageRepository } from './customer-usage.repository';
import { RedemptionRepository } from './redemption.repository';
import type { Redemption } from './redemption.types';

const fields = sampleCouponFields;
const meta = sampleCouponMeta;

/**
 * Concurrent bookkeeping of one process is combined into fewer commands (README "Figures"), with
 * the same outcome as one command each: seen through the driver's own command monitoring.
 */
describe('combined bookkeeping commands against the embedded server', () => {
  let db: TestDatabase;
  let connection: Connection;
  let coupons: CouponRepository;
  let usage: CustomerUsageRepository;
  let records: RedemptionRepository;
  const commands: CommandStartedEvent[] = [];
  /** The commands named `name` on `collection` since the last call. */
  const sent = (name: string, collection: string): CommandStartedEvent[] =>
    commands.splice(0).filter((c) => c.commandName === name && c.command[name] === collection);

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('couponcombined'), commandMetrics: true });
    connection.getClient().on('commandStarted', (e: CommandStartedEvent) => commands.push(e));
    const registry = new TenantModelRegistry(connection);
    coupons = new CouponRepository(registry);
    usage = new CustomerUsageRepository(registry);
    records = new RedemptionRepository(registry);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('takes the uses of concurrent redemptions of one coupon in one guarded update when they all fit', async () => {
    await coupons.insert('alpha', 'HOT', fields(100), meta());
    commands.splice(0);
    const les = [undefined, 'LE.1', 'LE.1', 'LE-2', undefined, undefined, 'LE.1', undefined, undefined, undefined];
    const taken = await Promise.all(les.map((le) => coupons.reserve('alpha', 'HOT', le, new Date())));
    expect(taken.every(Boolean)).toBe(true);
    // The first goes alone; the nine asked for while it ran go together.
    expect(sent('update', 'alpha_coupons')).toHaveLength(2);
    expect(await coupons.findByCode('alpha', 'HOT')).toMatchObject({
      redemptionCount: 10,
      legalEntityCounts: { 'LE.1': 3, 'LE-2': 1 },
    });
    expect(await connection.collection('alpha_coupons').findOne({ _id: 'HOT' as never })).toMatchObject({ remaining: 90 });
  });

  it('gives exactly the uses left when a batch does not fit, as if each had come alone', async () => {
    await coupons.insert('alpha', 'FEW', fields(5), meta());
    for (let round = 0; round < 3; round++) {
      const taken = await Promise.all(Array.from({ length: 12 }, () => coupons.reserve('alpha', 'FEW', undefined, new Date())));
      expect(taken.filter(Boolean)).toHaveLength(round === 0 ? 5 : 0);
    }
    expect(await coupons.findByCode('alpha', 'FEW')).toMatchObject({ redemptionCount: 5 });
    expect(await connection.collection('alpha_coupons').findOne({ _id: 'FEW' as never })).toMatchObject({ remaining: 0 });
    // A live hold counts against a batch too.
    await coupons.insert('alpha', 'HELD', fields(3), meta());
    expect(await coupons.hold('alpha', 'HELD', { id: 'h', until: new Date(Date.now() + 60_000) }, new Date())).toBe(true);
    const taken = await Promise.all(Array.from({ length: 4 }, () => coupons.reserve('alpha', 'HELD', undefined, new Date())));
    expect(taken.filter(Boolean)).toHaveLength(2);
  });

  it('counts concurrent uses of one customer counter in one guarded update, never past the limit', async () => {
    const key = { code: 'HOT', customerNumber: 'C1' };
    expect(await usage.increment('alpha', key, 6, new Date())).toBe(true);
    commands.splice(0);
    const counted = await Promise.all(Array.from({ length: 4 }, () => usage.increment('alpha', key, 6, new Date())));
    expect(counted.every(Boolean)).toBe(true);
    expect(sent('update', 'alpha_coupon_customer_usage')).toHaveLength(2);
    // One left: of eight more, exactly one is counted.
    const more = await Promise.all(Array.from({ length: 8 }, () => usage.increment('alpha', key, 6, new Date())));
    expect(more.filter(Boolean)).toHaveLength(1);
    expect(await usage.count('alpha', key, new Date())).toBe(6);
    // Unlimited counters combine too, and a first use of a new counter still creates it once.
    const first = await Promise.all(
      Array.from({ length: 6 }, () => usage.increment('alpha', { ...key, customerNumber: 'NEW' }, -1, new Date())),
    );
    expect(first.every(Boolean)).toBe(true);
    expect(await usage.count('alpha', { ...key, customerNumber: 'NEW' }, new Date())).toBe(6);
  });

  it('reads concurrent lookups of one tenant in one query, each answer its own copy', async () => {
    await coupons.insert('beta', 'A', fields(1), meta());
    await coupons.insert('beta', 'B', fields(2), meta());
    commands.splice(0);
    const [first, ...rest] = await Promise.all(['A', 'A', 'B', 'A', 'MISSING'].map((c) => coupons.findByCode('beta', c)));
    expect(first).toMatchObject({ code: 'A' });
    expect(rest.map((c) => c?.code ?? null)).toEqual(['A', 'B', 'A', null]);
    // One query for the first, one for the four that waited for it.
    expect(sent('find', 'beta_coupons')).toHaveLength(2);
    // The two answers for A from the one query are not the same object.
    rest[0]!.restrictions.validFor.push('changed');
    expect(rest[2]!.restrictions.validFor).toEqual([]);
  });

  it('inserts concurrent records of one tenant in one unordered insert, refusing only a repeated order', async () => {
    const record = (id: string, orderCode: string): Redemption => ({
      id,
      code: 'HOT',
      orderCode,
      customerNumber: 'C1',
      orderTotal: { amount: 10, currency: 'EUR' },
      discount: { amount: 1, currency: 'EUR' },
      redeemedAt: new Date(),
    });
    expect(await records.insert('alpha', record('r0', 'O-0'))).toBe(true);
    commands.splice(0);
    const stored = await Promise.all([
      records.insert('alpha', record('r1', 'O-1')),
      records.insert('alpha', record('r2', 'O-2')),
      records.insert('alpha', record('r3', 'O-0')),
      records.insert('alpha', record('r4', 'O-4')),
      records.insert('alpha', record('r5', 'O-4')),
    ]);
    expect(stored).toEqual([true, true, false, true, false]);
    expect(sent('insert', 'alpha_coupon_redemptions')).toHaveLength(2);
    expect(await records.existsForOrder('alpha', 'HOT', 'O-4')).toBe(true);
    expect(await records.existsForOrder('alpha', 'HOT', 'O-9')).toBe(false);
    expect(await connection.collection('alpha_coupon_redemptions').countDocuments({ code: 'HOT' })).toBe(4);
  });
});
