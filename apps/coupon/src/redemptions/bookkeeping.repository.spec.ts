import { newMetadata } from '@suite/api-kit';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import type { Connection } from 'mongoose';
import { sampleCouponFields } from '../../test/coupon-fixtures';
import { CouponRepository } from '../coupons/coupon.repository';
import { CustomerUsageRepository } from './customer-usage.repository';

const fields = sampleCouponFields;

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
    expect(await coupons.reserve('alpha', 'SAME', 'LE.1', new Date())).toBe(true);
    expect(await coupons.reserve('alpha', 'SAME', undefined, new Date())).toBe(true);
    expect(await coupons.reserve('alpha', 'SAME', undefined, new Date())).toBe(false);
    // beta's coupon with the same code is untouched by alpha's bookkeeping.
    expect((await coupons.findByCode('beta', 'SAME'))?.redemptionCount).toBe(0);
    expect(await coupons.reserve('beta', 'SAME', undefined, new Date())).toBe(true);
    expect(await coupons.reserve('beta', 'SAME', undefined, new Date())).toBe(false);
    await coupons.release('alpha', 'SAME', 'LE.1');
    const a = await coupons.findByCode('alpha', 'SAME');
    expect(a).toMatchObject({ redemptionCount: 1, legalEntityCounts: { 'LE.1': 0 } });
    expect(a).not.toHaveProperty('_id');
    expect(await coupons.reserve('alpha', 'SAME', undefined, new Date())).toBe(true);
    expect(await coupons.findByCode('gamma', 'SAME')).toBeNull();
  });

  it('updates guarded by the version only, keeping the count rules of §4.5 and `remaining` exact', async () => {
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    await coupons.insert('alpha', 'UPD', fields(3), meta);
    expect(await coupons.reserve('alpha', 'UPD', undefined, new Date())).toBe(true);
    expect(await coupons.reserve('alpha', 'UPD', undefined, new Date())).toBe(true);
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
    expect(await coupons.reserve('alpha', 'UPD', undefined, new Date())).toBe(false);
    expect(
      await coupons.updateFields('alpha', 'UPD', { version: 1, maxRedemptions: 2, requireUnredeemed: false }, fields(3), new Date()),
    ).toMatchObject({ metadata: { version: 2 } });
    expect(await coupons.reserve('alpha', 'UPD', undefined, new Date())).toBe(true);
    expect(await coupons.reserve('alpha', 'UPD', undefined, new Date())).toBe(false);
  });

  it('never reserves on a soft-deleted coupon', async () => {
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    await coupons.insert('alpha', 'GONE', fields(-1), meta);
    expect(await coupons.softDelete('alpha', 'GONE', new Date())).toMatchObject({ deleted: true });
    expect(await coupons.reserve('alpha', 'GONE', undefined, new Date())).toBe(false);
    expect(await coupons.softDelete('alpha', 'GONE', new Date())).toBeNull();
  });

  it('counts per (code, customer, legal entity) up to the limit, tenant by tenant', async () => {
    const key = { code: 'K', customerNumber: 'C1' };
    expect(await usage.increment('alpha', key, 2, new Date())).toBe(true);
    expect(await usage.increment('alpha', key, 2, new Date())).toBe(true);
    expect(await usage.increment('alpha', key, 2, new Date())).toBe(false);
    expect(await usage.increment('alpha', { ...key, legalEntityId: 'LE-1' }, 2, new Date())).toBe(true);
    expect(await usage.increment('beta', key, 2, new Date())).toBe(true);
    expect(await usage.count('alpha', key, new Date())).toBe(2);
    expect(await usage.count('beta', key, new Date())).toBe(1);
    expect(await usage.count('alpha', { ...key, legalEntityId: 'LE-1' }, new Date())).toBe(1);
    await usage.decrement('alpha', key);
    expect(await usage.count('alpha', key, new Date())).toBe(1);
    // Unlimited still counts (a limit set later sees earlier uses), and parallel first uses do not collide.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => usage.increment('alpha', { code: 'U', customerNumber: 'C9' }, -1, new Date())),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(await usage.count('alpha', { code: 'U', customerNumber: 'C9' }, new Date())).toBe(10);
  });
  it('counts live holds like uses until their instant, with no sweeper, on the coupon and on the customer counter', async () => {
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    expect(await coupons.insert('alpha', 'HOLD', fields(2), meta)).toBe('inserted');
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    // Two holds fill the limit: one until t0+1s, one until t0+60s.
    expect(await coupons.hold('alpha', 'HOLD', { id: 'h1', until: at(1000) }, t0)).toBe(true);
    expect(await coupons.hold('alpha', 'HOLD', { id: 'h2', until: at(60_000) }, t0)).toBe(true);
    expect(await coupons.hold('alpha', 'HOLD', { id: 'h3', until: at(60_000) }, t0)).toBe(false);
    expect(await coupons.reserve('alpha', 'HOLD', undefined, at(999))).toBe(false);
    // At t0+1s the first hold no longer counts (its instant is exclusive): one use is free again.
    expect(await coupons.reserve('alpha', 'HOLD', undefined, at(1000))).toBe(true);
    expect(await coupons.reserve('alpha', 'HOLD', undefined, at(1000))).toBe(false);
    // The expired hold cannot be consumed; the live one turns into a use without a limit check.
    expect(await coupons.consumeHold('alpha', 'HOLD', 'h1', undefined, at(1000))).toBe(false);
    expect(await coupons.consumeHold('alpha', 'HOLD', 'h2', 'LE-9', at(2000))).toBe(true);
    expect(await coupons.consumeHold('alpha', 'HOLD', 'h2', 'LE-9', at(2000))).toBe(false);
    const after = (await coupons.findByCode('alpha', 'HOLD'))!;
    expect(after).toMatchObject({ redemptionCount: 2, legalEntityCounts: { 'LE-9': 1 } });
    // A new hold drops the expired entries in the same update.
    await coupons.release('alpha', 'HOLD', undefined);
    expect(await coupons.hold('alpha', 'HOLD', { id: 'h4', until: at(90_000) }, at(3000))).toBe(true);
    expect((await coupons.findByCode('alpha', 'HOLD'))!.holds.map((h) => h.id)).toEqual(['h4']);
    await coupons.dropHold('alpha', 'HOLD', 'h4');
    expect((await coupons.findByCode('alpha', 'HOLD'))!.holds).toEqual([]);
    // Another tenant's coupon of the same code is untouched.
    expect(await coupons.findByCode('beta', 'HOLD')).toBeNull();

    const key = { code: 'HOLD', customerNumber: 'C7' };
    expect(await usage.hold('alpha', key, 1, { id: 'u1', until: at(1000) }, t0)).toBe(true);
    expect(await usage.increment('alpha', key, 1, at(500))).toBe(false);
    expect(await usage.hold('alpha', key, 1, { id: 'u2', until: at(9000) }, at(500))).toBe(false);
    expect(await usage.count('alpha', key, at(500))).toBe(1);
    expect(await usage.count('alpha', key, at(1000))).toBe(0);
    expect(await usage.hold('alpha', key, 1, { id: 'u3', until: at(9000) }, at(1000))).toBe(true);
    expect(await usage.consumeHold('alpha', key, 'u3', at(2000))).toBe(true);
    expect(await usage.count('alpha', key, at(2000))).toBe(1);
    expect(await usage.count('beta', key, at(2000))).toBe(0);
  });
});
