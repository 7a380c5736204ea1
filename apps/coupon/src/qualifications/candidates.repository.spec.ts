import { newMetadata } from '@suite/api-kit';
import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import type { Connection } from 'mongoose';
import { CouponRepository } from '../coupons/coupon.repository';
import type { CouponFields } from '../coupons/coupon.types';
import { CustomerUsageRepository } from '../redemptions/customer-usage.repository';

function fields(overrides: Partial<CouponFields> = {}, restrictions: Partial<CouponFields['restrictions']> = {}): CouponFields {
  return {
    name: 'n',
    discountType: 'ABSOLUTE',
    discountAbsolute: { amount: 1, currency: 'EUR' },
    discountCalculationType: 'SUBTOTAL',
    allowAnonymous: false,
    maxRedemptions: -1,
    maxRedemptionsPerCustomer: 2,
    categoryRestricted: false,
    segmentRestricted: false,
    automatic: false,
    restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [], excludedSegments: [], ...restrictions },
    ...overrides,
  };
}

describe('qualifications reads against the embedded server (candidates, usage counters)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let coupons: CouponRepository;
  let usage: CustomerUsageRepository;
  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('couponqual') });
    const registry = new TenantModelRegistry(connection);
    coupons = new CouponRepository(registry);
    usage = new CustomerUsageRepository(registry);
    const meta = { referralCoupon: false, metadata: newMetadata(new Date(), undefined, 0) };
    for (const tenant of ['alpha', 'beta']) {
      await coupons.insert(tenant, 'AUTO', fields({ automatic: true }), meta);
      await coupons.insert(tenant, 'ISSUED', fields({ issuedTo: 'C1' }), meta);
      await coupons.insert(tenant, 'LISTED', fields({}, { validFor: ['C0', 'C1'] }), meta);
      await coupons.insert(tenant, 'PLAIN', fields(), meta);
      await coupons.insert(tenant, 'GONE', fields({ automatic: true }), meta);
      await coupons.softDelete(tenant, 'GONE', new Date());
    }
    await coupons.insert('beta', 'BETAONLY', fields({ automatic: true }), meta);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  const codes = async (...args: Parameters<CouponRepository['findCandidates']>) =>
    (await coupons.findCandidates(...args)).map((c) => c.code);

  it('reads the candidates a caller may know, never deleted ones, never another tenant’s', async () => {
    expect(await codes('alpha', 'all', {}, 100, 5000)).toEqual(['AUTO', 'ISSUED', 'LISTED', 'PLAIN']);
    expect(await codes('alpha', { customerNumber: 'C1', codes: [] }, {}, 100, 5000)).toEqual(['AUTO', 'ISSUED', 'LISTED']);
    expect(await codes('alpha', { customerNumber: 'C2', codes: ['PLAIN', 'GONE', 'BETAONLY'] }, {}, 100, 5000)).toEqual(['AUTO', 'PLAIN']);
    expect(await codes('alpha', { codes: [] }, {}, 100, 5000)).toEqual(['AUTO']);
    expect(await codes('beta', { codes: [] }, {}, 100, 5000)).toEqual(['AUTO', 'BETAONLY']);
    expect(await codes('gamma', 'all', {}, 100, 5000)).toEqual([]);
  });

  it('narrows by the compiled q and stops at the limit, in code order', async () => {
    expect(await codes('alpha', 'all', { issuedTo: 'C1' }, 100, 5000)).toEqual(['ISSUED']);
    expect(await codes('alpha', { customerNumber: 'C1', codes: [] }, { automatic: false }, 100, 5000)).toEqual(['ISSUED', 'LISTED']);
    expect(await codes('alpha', 'all', {}, 2, 5000)).toEqual(['AUTO', 'ISSUED']);
  });

  it('reads a customer’s usage of many coupons in one query, per legal-entity bucket and tenant', async () => {
    const now = new Date();
    await usage.increment('alpha', { code: 'AUTO', customerNumber: 'C1' }, 2, now);
    await usage.increment('alpha', { code: 'AUTO', customerNumber: 'C1' }, 2, now);
    await usage.increment('alpha', { code: 'ISSUED', customerNumber: 'C1', legalEntityId: 'LE' }, 2, now);
    await usage.increment('beta', { code: 'PLAIN', customerNumber: 'C1' }, 2, now);
    const counts = await usage.countsFor('alpha', { customerNumber: 'C1' }, ['AUTO', 'ISSUED', 'PLAIN'], now);
    expect(Object.fromEntries(counts)).toEqual({ AUTO: 2 });
    expect(
      Object.fromEntries(await usage.countsFor('alpha', { customerNumber: 'C1', legalEntityId: 'LE' }, ['AUTO', 'ISSUED'], now)),
    ).toEqual({
      ISSUED: 1,
    });
    expect(await usage.countsFor('alpha', { customerNumber: 'C1' }, [], now)).toEqual(new Map());
    expect(await usage.countsFor('gamma', { customerNumber: 'C1' }, ['AUTO'], now)).toEqual(new Map());
  });
});
