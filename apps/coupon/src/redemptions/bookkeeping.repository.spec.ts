import { newMetadata } from '@suite/api-kit';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import type { Connection } from 'mongoose';
import { CouponRepository } from '../coupons/coupon.repository';
import type { CouponFields } from '../coupons/coupon.types';
import { CustomerUsageRepository } from './customer-usage.repository';

const fields = (maxRedemptions: number): CouponFields => ({
  name: 'n',
  discountType: 'ABSOLUTE',
  discountAbsolute: { amount: 1, currency: 'EUR' },
  discountCalculationType: 'SUBTOTAL',
  allowAnonymous: false,
  maxRedemptions,
  maxRedemptionsPerCustomer: -1,
  categoryRestricted: false,
  segmentRestricted: false,
  restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [] },
});

describe('coupon bookkeeping repositories against the embedded server', () => {
  let db: TestDatabase;
  let connection: Connection;
  let coupons: CouponRepository;
  let usage: CustomerUsageRepository;
  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('couponrepo') });
    const registry = new TenantModelRegistry(connection);
    coupons = new CouponRepository(registry);
    usage = new CustomerUsageRepository(registry);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('reserves only while uses are left, per tenant, and releases exactly what it took', async () => {
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    expect(await coupons.insert('alpha', 'SAME', fields(2), meta)).toBe('inserted');
    expect(await coupons.insert('beta', 'SAME', fields(1), meta)).toBe('inserted');
    expect(await coupons.insert('alpha', 'SAME', fields(2), meta)).toBe('duplicate_code');
    expect(await coupons.reserve('alpha', 'SAME', 'LE.1')).toBe(true);
    expect(await coupons.reserve('alpha', 'SAME', undefined)).toBe(true);
    expect(await coupons.reserve('alpha', 'SAME', undefined)).toBe(false);
    // beta's coupon with the same code is untouched by alpha's bookkeeping.
    expect((await coupons.findByCode('beta', 'SAME'))?.redemptionCount).toBe(0);
    expect(await coupons.reserve('beta', 'SAME', undefined)).toBe(true);
    expect(await coupons.reserve('beta', 'SAME', undefined)).toBe(false);
    await coupons.release('alpha', 'SAME', 'LE.1');
    const a = await coupons.findByCode('alpha', 'SAME');
    expect(a).toMatchObject({ redemptionCount: 1, legalEntityCounts: { 'LE.1': 0 } });
    expect(a).not.toHaveProperty('_id');
    expect(await coupons.reserve('alpha', 'SAME', undefined)).toBe(true);
    expect(await coupons.findByCode('gamma', 'SAME')).toBeNull();
  });

  it('updates guarded by the version only, keeping the count rules of §4.5 and `remaining` exact', async () => {
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    await coupons.insert('alpha', 'UPD', fields(3), meta);
    expect(await coupons.reserve('alpha', 'UPD', undefined)).toBe(true);
    expect(await coupons.reserve('alpha', 'UPD', undefined)).toBe(true);
    // A redemption after the read (count 2 now, read at 0) does not make a plain update miss...
    expect(
      await coupons.updateFields('alpha', 'UPD', { version: 0, maxRedemptions: 3, requireUnredeemed: false }, fields(2), new Date()),
    ).toMatchObject({ maxRedemptions: 2, metadata: { version: 1 } });
    // ...but a change allowed only while unredeemed does, and so does a limit below the count.
    expect(
      await coupons.updateFields('alpha', 'UPD', { version: 1, maxRedemptions: 2, requireUnredeemed: true }, fields(2), new Date()),
    ).toBeNull();
    expect(
      await coupons.updateFields('alpha', 'UPD', { version: 1, maxRedemptions: 2, requireUnredeemed: false }, fields(1), new Date()),
    ).toBeNull();
    expect(
      await coupons.updateFields('alpha', 'UPD', { version: 0, maxRedemptions: 2, requireUnredeemed: false }, fields(5), new Date()),
    ).toBeNull();
    // The limit was lowered to the count: no use is left, and raising it by one leaves exactly one.
    expect(await coupons.reserve('alpha', 'UPD', undefined)).toBe(false);
    expect(
      await coupons.updateFields('alpha', 'UPD', { version: 1, maxRedemptions: 2, requireUnredeemed: false }, fields(3), new Date()),
    ).toMatchObject({ metadata: { version: 2 } });
    expect(await coupons.reserve('alpha', 'UPD', undefined)).toBe(true);
    expect(await coupons.reserve('alpha', 'UPD', undefined)).toBe(false);
  });

  it('never reserves on a soft-deleted coupon', async () => {
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    await coupons.insert('alpha', 'GONE', fields(-1), meta);
    expect(await coupons.softDelete('alpha', 'GONE', new Date())).toMatchObject({ deleted: true });
    expect(await coupons.reserve('alpha', 'GONE', undefined)).toBe(false);
    expect(await coupons.softDelete('alpha', 'GONE', new Date())).toBeNull();
  });

  it('counts per (code, customer, legal entity) up to the limit, tenant by tenant', async () => {
    const key = { code: 'K', customerNumber: 'C1' };
    expect(await usage.increment('alpha', key, 2)).toBe(true);
    expect(await usage.increment('alpha', key, 2)).toBe(true);
    expect(await usage.increment('alpha', key, 2)).toBe(false);
    expect(await usage.increment('alpha', { ...key, legalEntityId: 'LE-1' }, 2)).toBe(true);
    expect(await usage.increment('beta', key, 2)).toBe(true);
    expect(await usage.count('alpha', key)).toBe(2);
    expect(await usage.count('beta', key)).toBe(1);
    expect(await usage.count('alpha', { ...key, legalEntityId: 'LE-1' })).toBe(1);
    await usage.decrement('alpha', key);
    expect(await usage.count('alpha', key)).toBe(1);
    // Unlimited still counts (a limit set later sees earlier uses), and parallel first uses do not collide.
    const results = await Promise.all(Array.from({ length: 10 }, () => usage.increment('alpha', { code: 'U', customerNumber: 'C9' }, -1)));
    expect(results.every(Boolean)).toBe(true);
    expect(await usage.count('alpha', { code: 'U', customerNumber: 'C9' })).toBe(10);
  });
});
