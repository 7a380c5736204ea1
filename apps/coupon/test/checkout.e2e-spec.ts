import { OutboxRepository } from '@suite/persistence';
import { SETTINGS_ENTITY } from '../src/common/settings.schema';
import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { USAGE_ENTITY } from '../src/redemptions/customer-usage.schema';
import { REDEMPTION_ENTITY } from '../src/redemptions/redemption.schema';
import { RESERVATION_ENTITY } from '../src/reservations/reservation.schema';
import { segmentService } from './segment-stub';
import {
  anonymous,
  call,
  couponBody,
  customer,
  expectCouponError,
  expectRefusal,
  Harness,
  manager,
  onBehalf,
  order,
  reader,
  Reply,
  startHarness,
  uniqueCode,
} from './support';

const T = 'cpncheckout';
const base = `/coupon/${T}/coupons`;
const ROUNDS = Number(process.env.COUPON_RACE_ROUNDS_CHECKOUT ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reservations and rollback (README "Reservations", "Rollback") over real HTTP: holds count like
 * uses until they expire, are consumed by the redemption naming them, or are released; a rollback
 * gives a use back exactly once. The books (coupon counters, usage counters, records) are checked
 * after every race round.
 */
describe('checkout: reservations and rollback', () => {
  jest.setTimeout(240_000);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => h.stub.respond(() => ({ status: 200, json: [] })));

  async function newCoupon(overrides: Record<string, unknown> = {}, tenant = T): Promise<string> {
    const code = uniqueCode('CK');
    const r = await call(h, 'POST', `/coupon/${tenant}/coupons`, manager(tenant), couponBody({ code, ...overrides }));
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id;
  }

  const reserve = (code: string, who = customer(T, 'C1'), extra: Record<string, unknown> = {}) =>
    call(h, 'POST', `${base}/${code}/reservations`, who, order(50, 5, 'EUR', extra));
  const redeem = (code: string, who = customer(T, 'C1'), extra: Record<string, unknown> = {}) =>
    call(h, 'POST', `${base}/${code}/redemptions`, who, order(50, 5, 'EUR', extra));

  /** The three books of a coupon, read from the database. */
  async function books(code: string, now = new Date()) {
    const coupon = (await h.registry.model(T, COUPON_ENTITY).findById(code).lean().exec())!;
    const records = await h.registry.model(T, REDEMPTION_ENTITY).collection.countDocuments({ code, rolledBackAt: { $exists: false } });
    const counters = await h.registry.model(T, USAGE_ENTITY).find({ code }).lean().exec();
    const held = await h.registry.model(T, RESERVATION_ENTITY).collection.countDocuments({ code, state: 'HELD', expiresAt: { $gt: now } });
    const liveHolds = (coupon.holds ?? []).filter((x) => new Date(x.until) > now).length;
    return { coupon, records, held, liveHolds, counterSum: counters.reduce((n, c) => n + c.count, 0) };
  }

  const tally = (rs: Reply[]) => {
    const out: Record<string, number> = {};
    for (const r of rs) {
      const key = r.status < 300 ? String(r.status) : `${r.status}:${r.body?.details?.[0]?.type ?? r.body?.type ?? ''}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };

  describe('reservations', () => {
    it('holds a use: 201 with the reservation and Location, readable by its customer and by managers', async () => {
      const code = await newCoupon({ maxRedemptions: 5 });
      const before = Date.now();
      const r = await reserve(code, customer(T, 'C1'), { orderCode: 'O-1' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        code,
        status: 'HELD',
        orderCode: 'O-1',
        customerNumber: 'C1',
        orderTotal: { amount: 50, currency: 'EUR' },
        discount: { amount: 5, currency: 'EUR' },
      });
      expect(r.body.id).toMatch(/^[0-9a-f]{24}$/);
      expect(r.headers.get('location')).toBe(`/coupon/${T}/coupons/${code}/reservations/${r.body.id}`);
      const ttl = Date.parse(r.body.expiresAt) - before;
      expect(ttl).toBeGreaterThan(899_000);
      expect(ttl).toBeLessThan(905_000);
      const own = await call(h, 'GET', `${base}/${code}/reservations/${r.body.id}`, customer(T, 'C1'));
      expect(own.status).toBe(200);
      expect(own.body).toEqual(r.body);
      expect((await call(h, 'GET', `${base}/${code}/reservations/${r.body.id}`, reader(T))).status).toBe(200);
      expectCouponError(
        await call(h, 'GET', `${base}/${code}/reservations/${r.body.id}`, customer(T, 'C2')),
        403,
        'insufficient_permissions',
      );
      // Lists: managers all, a customer only its own.
      await reserve(code, customer(T, 'C2'));
      const all = await call(h, 'GET', `${base}/${code}/reservations?totalCount=true`, manager(T));
      expect(all.body.map((x: { customerNumber: string }) => x.customerNumber).sort()).toEqual(['C1', 'C2']);
      expect(all.headers.get('x-total-count')).toBe('2');
      const mine = await call(h, 'GET', `${base}/${code}/reservations`, customer(T, 'C2'));
      expect(mine.body.map((x: { customerNumber: string }) => x.customerNumber)).toEqual(['C2']);
      expectCouponError(
        await call(h, 'GET', `${base}/${code}/reservations?customerNumber=C1`, customer(T, 'C2')),
        403,
        'insufficient_permissions',
      );
      const onBehalfList = await call(h, 'GET', `${base}/${code}/reservations?customerNumber=C1`, onBehalf(T));
      expect(onBehalfList.body.map((x: { customerNumber: string }) => x.customerNumber)).toEqual(['C1']);
    });

    it('counts a hold like a use: the limit refuses others, the reservation redeems even then, and the books agree', async () => {
      const code = await newCoupon({ maxRedemptions: 2 });
      const a = await reserve(code, customer(T, 'A'));
      const b = await reserve(code, customer(T, 'B'));
      expect([a.status, b.status]).toEqual([201, 201]);
      expectRefusal(await reserve(code, customer(T, 'C')), 'max_redemptions_reached', 'maxRedemptions');
      expectRefusal(await redeem(code, customer(T, 'C')), 'max_redemptions_reached', 'maxRedemptions');
      expectRefusal(await call(h, 'POST', `${base}/${code}/validation`, customer(T, 'C'), order(50, 5)), 'max_redemptions_reached');
      // status stays derived from the redemptions (§3.3): holds are not uses yet.
      expect((await call(h, 'GET', `${base}/${code}`, manager(T))).body).toMatchObject({ status: 'VALID', redemptionCount: 0 });

      const used = await redeem(code, customer(T, 'A'), { reservationId: a.body.id, orderCode: 'OA' });
      expect(used.status).toBe(201);
      const record = await call(h, 'GET', `${base}/${code}/redemptions/${used.body.id}`, manager(T));
      expect(record.body).toMatchObject({ reservationId: a.body.id, customerNumber: 'A', orderCode: 'OA' });
      const consumed = await call(h, 'GET', `${base}/${code}/reservations/${a.body.id}`, manager(T));
      expect(consumed.body).toMatchObject({ status: 'CONSUMED', redemptionId: used.body.id });
      expect(await books(code)).toMatchObject({ records: 1, liveHolds: 1, held: 1, counterSum: 1 });
      expect((await books(code)).coupon).toMatchObject({ redemptionCount: 1, remaining: 1 });

      // A consumed reservation cannot be used twice; releasing it is a conflict too.
      expectCouponError(await redeem(code, customer(T, 'A'), { reservationId: a.body.id }), 409, 'conflict_resource');
      expectCouponError(await call(h, 'DELETE', `${base}/${code}/reservations/${a.body.id}`, customer(T, 'A')), 409, 'conflict_resource');
    });

    it('a release gives the use back once; releasing again changes nothing', async () => {
      const code = await newCoupon({ maxRedemptions: 1 });
      const held = await reserve(code, customer(T, 'A'));
      expectRefusal(await redeem(code, customer(T, 'B')), 'max_redemptions_reached');
      expectCouponError(
        await call(h, 'DELETE', `${base}/${code}/reservations/${held.body.id}`, customer(T, 'B')),
        403,
        'insufficient_permissions',
      );
      expect((await call(h, 'DELETE', `${base}/${code}/reservations/${held.body.id}`, customer(T, 'A'))).status).toBe(204);
      expect((await call(h, 'DELETE', `${base}/${code}/reservations/${held.body.id}`, customer(T, 'A'))).status).toBe(204);
      expect((await call(h, 'GET', `${base}/${code}/reservations/${held.body.id}`, manager(T))).body.status).toBe('RELEASED');
      expectRefusal(await redeem(code, customer(T, 'A'), { reservationId: held.body.id }), 'reservation_released', 'reservationId');
      expect((await redeem(code, customer(T, 'B'))).status).toBe(201);
      expect(await books(code)).toMatchObject({ records: 1, liveHolds: 0, held: 0 });
    });

    it('an expired hold stops counting at its expiry, with no sweeper, and cannot be redeemed', async () => {
      const code = await newCoupon({ maxRedemptions: 1 });
      const held = await reserve(code, customer(T, 'A'), { ttlSeconds: 1 });
      expect(held.status).toBe(201);
      expectRefusal(await redeem(code, customer(T, 'B')), 'max_redemptions_reached');
      await sleep(Date.parse(held.body.expiresAt) - Date.now() + 50);
      expect((await call(h, 'GET', `${base}/${code}/reservations/${held.body.id}`, customer(T, 'A'))).body.status).toBe('EXPIRED');
      expectRefusal(await redeem(code, customer(T, 'A'), { reservationId: held.body.id }), 'reservation_expired', 'reservationId');
      expect((await redeem(code, customer(T, 'B'))).status).toBe(201);
    });

    it('holds the per-customer limit too, per legal entity, and the holder redeems through it', async () => {
      const code = await newCoupon({ maxRedemptionsPerCustomer: 1 });
      const held = await reserve(code, onBehalf(T), { customerNumber: 'P1' });
      expect(held.status).toBe(201);
      expectRefusal(await redeem(code, onBehalf(T), { customerNumber: 'P1' }), 'max_redemptions_per_customer_reached');
      expectRefusal(await reserve(code, onBehalf(T), { customerNumber: 'P1' }), 'max_redemptions_per_customer_reached');
      // Another legal-entity bucket is not held (§9.2).
      expect((await reserve(code, onBehalf(T), { customerNumber: 'P1', legalEntityId: 'LE-9' })).status).toBe(201);
      // Another customer cannot use P1's reservation: it does not exist for them.
      expectRefusal(
        await redeem(code, onBehalf(T), { customerNumber: 'P2', reservationId: held.body.id }),
        'reservation_not_found',
        'reservationId',
      );
      expect((await redeem(code, onBehalf(T), { customerNumber: 'P1', reservationId: held.body.id })).status).toBe(201);
      expectRefusal(await redeem(code, onBehalf(T), { customerNumber: 'P1' }), 'max_redemptions_per_customer_reached');
      const usage = await h.registry.model(T, USAGE_ENTITY).findOne({ code, customerNumber: 'P1', legalEntityId: null }).lean().exec();
      expect(usage).toMatchObject({ count: 1 });
      expect(usage!.holds ?? []).toEqual([]);
    });

    it('a guest holds and redeems with its own visit; other callers cannot see it', async () => {
      const code = await newCoupon({ allowAnonymous: true, maxRedemptions: 3 });
      const held = await reserve(code, anonymous(T));
      expect(held.status).toBe(201);
      expect(held.body.customerNumber).toBeUndefined();
      expect((await call(h, 'GET', `${base}/${code}/reservations/${held.body.id}`, anonymous(T))).status).toBe(200);
      const otherVisit = { ...anonymous(T), sid: 'visit-2' };
      expectCouponError(await call(h, 'GET', `${base}/${code}/reservations/${held.body.id}`, otherVisit), 403, 'insufficient_permissions');
      expectRefusal(await redeem(code, otherVisit, { reservationId: held.body.id }), 'reservation_not_found');
      expectRefusal(await redeem(code, customer(T, 'C1'), { reservationId: held.body.id }), 'reservation_not_found');
      expect((await redeem(code, anonymous(T), { reservationId: held.body.id })).status).toBe(201);
    });

    it('refuses bad input with the coupon profile, and checks every redemption rule before holding', async () => {
      const code = await newCoupon({ maxRedemptions: 3, restrictions: { minOrderValue: { amount: 40, currency: 'EUR' } } });
      for (const ttlSeconds of [0, 604_801, 1.5, '60', -5]) {
        const r = await reserve(code, customer(T, 'C1'), { ttlSeconds });
        if (r.status !== 400) throw new Error(`ttlSeconds ${JSON.stringify(ttlSeconds)}: ${r.status}`);
        expectCouponError(r, 400, 'validation_violation');
        expect(r.body.details.map((d: { field: string }) => d.field)).toEqual(['ttlSeconds']);
      }
      expect((await reserve(code, customer(T, 'C1'), { ttlSeconds: 604_800 })).status).toBe(201);
      const missing = await call(h, 'POST', `${base}/${code}/reservations`, customer(T, 'C1'), {
        discount: { amount: 1, currency: 'EUR' },
      });
      expectCouponError(missing, 400, 'validation_violation');
      expect(missing.body.details.map((d: { field: string }) => d.field)).toContain('orderTotal');
      const tooLong = await redeem(code, customer(T, 'C1'), { reservationId: 'x'.repeat(65) });
      expectCouponError(tooLong, 400, 'validation_violation');
      expectRefusal(await call(h, 'POST', `${base}/${code}/reservations`, customer(T, 'C1'), order(30, 5)), 'min_order_value_not_reached');
      expectRefusal(await redeem(code, customer(T, 'C1'), { reservationId: '0123456789abcdef01234567' }), 'reservation_not_found');
      expectCouponError(await call(h, 'GET', `${base}/${code}/reservations/nope`, manager(T)), 404, 'resource_not_found');
      expectCouponError(await call(h, 'POST', `${base}/NOPE404/reservations`, customer(T, 'C1'), order(50, 5)), 404, 'resource_not_found');
      // Managers without a redeem scope cannot hold uses (like redemptions, §2.4).
      expectCouponError(await reserve(code, manager(T)), 403, 'insufficient_permissions');
      expect(await books(code)).toMatchObject({ liveHolds: 1, held: 1 });
    });

    it('fails closed when segment membership cannot be decided: 503 and nothing held', async () => {
      const code = await newCoupon({ maxRedemptions: 1, segmentRestricted: true, restrictions: { segments: ['S1'] } });
      h.stub.respond(() => ({ status: 503, json: {} }));
      const r = await reserve(code, customer(T, 'SEG1'));
      expectCouponError(r, 503, 'service_unavailable');
      expect(await books(code)).toMatchObject({ liveHolds: 0, held: 0 });
      h.stub.respond(segmentService(T, { SEG1: [{ id: 'S1', status: 'ACTIVE' }] }));
      const held = await reserve(code, customer(T, 'SEG1'));
      expect(held.status).toBe(201);
      // Redeeming through the reservation still asks the segment service (R12), and fails closed too.
      h.stub.respond(() => ({ status: 500, json: {} }));
      expectCouponError(await redeem(code, customer(T, 'SEG1'), { reservationId: held.body.id }), 503, 'service_unavailable');
      expect((await call(h, 'GET', `${base}/${code}/reservations/${held.body.id}`, manager(T))).body.status).toBe('HELD');
      h.stub.respond(segmentService(T, { SEG1: [{ id: 'S1', status: 'ACTIVE' }] }));
      expect((await redeem(code, customer(T, 'SEG1'), { reservationId: held.body.id })).status).toBe(201);
    });

    it('keeps tenants apart', async () => {
      const other = 'cpncheckout2';
      const code = await newCoupon({ maxRedemptions: 2 });
      await newCoupon({ code, maxRedemptions: 2 }, other).catch(() => undefined);
      const held = await reserve(code, customer(T, 'C1'));
      expectCouponError(
        await call(h, 'GET', `${base}/${code}/reservations/${held.body.id}`, manager(other)),
        403,
        'insufficient_permissions',
      );
      expectCouponError(
        await call(h, 'POST', `${base}/${code}/reservations`, customer(other, 'C1'), order(50, 5)),
        403,
        'insufficient_permissions',
      );
      const otherCode = await newCoupon({}, other);
      const path = `/coupon/${other}/coupons/${otherCode}`;
      expectCouponError(await call(h, 'GET', `${path}/reservations/${held.body.id}`, manager(other)), 404, 'resource_not_found');
      const r = await call(h, 'POST', `${path}/redemptions`, customer(other, 'C1'), order(50, 5, 'EUR', { reservationId: held.body.id }));
      expectRefusal(r, 'reservation_not_found');
    });
    it('takes an Idempotency-Key: a retried reservation holds once and replays the first answer', async () => {
      const code = await newCoupon({ maxRedemptions: 2 });
      const headers = { 'idempotency-key': `hold-${code}` };
      const body = order(50, 5, 'EUR', { orderCode: 'IK-1' });
      const first = await call(h, 'POST', `${base}/${code}/reservations`, customer(T, 'C1'), body, headers);
      const again = await call(h, 'POST', `${base}/${code}/reservations`, customer(T, 'C1'), body, headers);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await books(code)).toMatchObject({ liveHolds: 1, held: 1 });
      const other = await call(h, 'POST', `${base}/${code}/reservations`, customer(T, 'C1'), order(60, 5), headers);
      expectCouponError(other, 422, 'validation_violation');
    });

    it('a permanent coupon delete removes its reservations with it', async () => {
      const tenant = 'cpncheckoutpd';
      await (
        await h.registry.forWrite(tenant, SETTINGS_ENTITY)
      ).collection.insertOne({ _id: 'settings', couponPermanentDelete: true } as never);
      const code = await newCoupon({ maxRedemptions: 3 }, tenant);
      const held = await call(h, 'POST', `/coupon/${tenant}/coupons/${code}/reservations`, customer(tenant, 'C1'), order(50, 5));
      expect(held.status).toBe(201);
      expect((await call(h, 'DELETE', `/coupon/${tenant}/coupons/${code}`, manager(tenant))).status).toBe(204);
      expect(await h.registry.model(tenant, RESERVATION_ENTITY).collection.countDocuments({ code })).toBe(0);
      // The code is free again, with no hold left over.
      await newCoupon({ code, maxRedemptions: 1 }, tenant);
      expect((await call(h, 'POST', `/coupon/${tenant}/coupons/${code}/redemptions`, customer(tenant, 'C2'), order(50, 5))).status).toBe(
        201,
      );
    });
  });

  describe('rollback', () => {
    it('gives the use back, keeps the record for audit, frees the order, and emits an event', async () => {
      const code = await newCoupon({ maxRedemptions: 1, maxRedemptionsPerCustomer: 1 });
      const used = await redeem(code, onBehalf(T), { customerNumber: 'R1', legalEntityId: 'LE-1', orderCode: 'ORD-R' });
      expect(used.status).toBe(201);
      expectRefusal(
        await redeem(code, onBehalf(T), { customerNumber: 'R1', legalEntityId: 'LE-1', orderCode: 'ORD-X' }),
        'max_redemptions_reached',
      );
      const path = `${base}/${code}/redemptions/${used.body.id}/rollback`;
      const r = await call(h, 'POST', path, onBehalf(T), { reason: 'Order cancelled' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        id: used.body.id,
        orderCode: 'ORD-R',
        customerNumber: 'R1',
        rolledBack: { reason: 'Order cancelled' },
      });
      expect(Date.parse(r.body.rolledBack.at)).toBeGreaterThan(Date.now() - 60_000);
      const view = await call(h, 'GET', `${base}/${code}`, manager(T));
      expect(view.body).toMatchObject({ redemptionCount: 0, status: 'VALID' });
      expect(view.body.legalEntityRedemptions ?? []).toEqual([]);
      // The record stays listed; the rolled-back order can redeem again, for the same customer.
      const list = await call(h, 'GET', `${base}/${code}/redemptions?q=rolledBackAt:exists`, manager(T));
      expect(list.body.map((x: { id: string }) => x.id)).toEqual([used.body.id]);
      const again = await redeem(code, onBehalf(T), { customerNumber: 'R1', legalEntityId: 'LE-1', orderCode: 'ORD-R' });
      expect(again.status).toBe(201);
      // Deleting the rolled-back record gives nothing back a second time.
      expect((await call(h, 'DELETE', `${base}/${code}/redemptions/${used.body.id}`, manager(T))).status).toBe(204);
      expect(await books(code)).toMatchObject({ records: 1, counterSum: 1 });
      expect((await books(code)).coupon).toMatchObject({ redemptionCount: 1, remaining: 0 });
      const events = (await h.app.app.get(OutboxRepository).forTenant(T)).map((e) => e.event).filter((e) => e.subject === used.body.id);
      expect(events.map((e) => e.type)).toEqual([
        'coupon.redemption-created',
        'coupon.redemption-rolled-back',
        'coupon.redemption-deleted',
      ]);
      expect(events[1].data).toMatchObject({ id: used.body.id, rolledBack: { reason: 'Order cancelled' } });
    });

    it('needs coupon_manage or coupon_redeem_on_behalf, validates its body and keeps tenants apart', async () => {
      const code = await newCoupon();
      const used = await redeem(code, customer(T, 'C1'));
      const path = `${base}/${code}/redemptions/${used.body.id}/rollback`;
      expectCouponError(await call(h, 'POST', path, customer(T, 'C1'), {}), 403, 'insufficient_permissions');
      expectCouponError(await call(h, 'POST', path, reader(T), {}), 403, 'insufficient_permissions');
      expectCouponError(await call(h, 'POST', path, manager('cpncheckout2'), {}), 403, 'insufficient_permissions');
      for (const reason of ['', 'x'.repeat(501), 42]) {
        const r = await call(h, 'POST', path, manager(T), { reason });
        expectCouponError(r, 400, 'validation_violation');
        expect(r.body.details[0].field).toBe('reason');
      }
      expectCouponError(
        await call(h, 'POST', `${base}/${code}/redemptions/0123456789abcdef01234567/rollback`, manager(T), {}),
        404,
        'resource_not_found',
      );
      expectCouponError(
        await call(h, 'POST', `${base}/NOPE404/redemptions/${used.body.id}/rollback`, manager(T), {}),
        404,
        'resource_not_found',
      );
      // The body is optional: a rollback without one has no reason.
      const done = await call(h, 'POST', path, manager(T));
      expect(done.status).toBe(200);
      expect(done.body.rolledBack.reason).toBeUndefined();
    });
  });

  describe('races (books checked after every round)', () => {
    it(`1,000 concurrent reservations and redemptions, maxRedemptions 100: exactly 100 holds plus uses (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const code = await newCoupon({ maxRedemptions: 100 });
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) => {
            const body = { customerNumber: `K${i % 300}`, orderCode: `R${round}-${i}` };
            return i % 2 ? reserve(code, onBehalf(T), body) : redeem(code, onBehalf(T), body);
          }),
        );
        const t = tally(results);
        expect((t['201'] ?? 0) + (t['400:max_redemptions_reached'] ?? 0)).toBe(1000);
        expect(t['201']).toBe(100);
        const b = await books(code);
        const redeemed = results.filter((r, i) => r.status === 201 && i % 2 === 0).length;
        expect(b.records).toBe(redeemed);
        expect(b.coupon.redemptionCount).toBe(redeemed);
        expect(b.counterSum).toBe(redeemed);
        expect(b.liveHolds).toBe(100 - redeemed);
        expect(b.held).toBe(100 - redeemed);
      }
    });

    it(`holds expiring under load free exactly their uses (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const code = await newCoupon({ maxRedemptions: 50 });
        const short = await Promise.all(
          Array.from({ length: 30 }, (_, i) => reserve(code, onBehalf(T), { customerNumber: `S${i}`, ttlSeconds: 1 })),
        );
        const long = await Promise.all(Array.from({ length: 20 }, (_, i) => reserve(code, onBehalf(T), { customerNumber: `L${i}` })));
        expect([...short, ...long].every((r) => r.status === 201)).toBe(true);
        // Under load while the short holds expire: every request is refused until they do, then exactly 30 succeed.
        const expiry = Math.max(...short.map((r) => Date.parse(r.body.expiresAt)));
        const waves: Reply[] = [];
        while (Date.now() < expiry + 300) {
          waves.push(
            ...(await Promise.all(
              Array.from({ length: 40 }, (_, i) => redeem(code, onBehalf(T), { customerNumber: `W${round}-${waves.length + i}` })),
            )),
          );
        }
        waves.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => redeem(code, onBehalf(T), { customerNumber: `Z${i}` })))));
        const t = tally(waves);
        expect(t['201']).toBe(30);
        const b = await books(code);
        expect(b).toMatchObject({ records: 30, liveHolds: 20, held: 20 });
        expect(b.coupon.redemptionCount).toBe(30);
        // The long holds still redeem through their reservations.
        const consumed = await Promise.all(
          long.map((r, i) => redeem(code, onBehalf(T), { customerNumber: `L${i}`, reservationId: r.body.id })),
        );
        expect(consumed.every((r) => r.status === 201)).toBe(true);
        expect((await books(code)).coupon).toMatchObject({ redemptionCount: 50, remaining: 0 });
      }
    });

    it(`200 concurrent rollbacks of one redemption give the use back once (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const code = await newCoupon({ maxRedemptions: 2, maxRedemptionsPerCustomer: 2 });
        const first = await redeem(code, customer(T, 'RB'), { orderCode: `RB${round}-1` });
        const second = await redeem(code, customer(T, 'RB'), { orderCode: `RB${round}-2` });
        expect([first.status, second.status]).toEqual([201, 201]);
        const path = `${base}/${code}/redemptions/${first.body.id}/rollback`;
        const results = await Promise.all(Array.from({ length: 200 }, () => call(h, 'POST', path, manager(T), { reason: 'race' })));
        expect(tally(results)).toEqual({ '200': 200 });
        const b = await books(code);
        expect(b.coupon).toMatchObject({ redemptionCount: 1, remaining: 1 });
        expect(b).toMatchObject({ records: 1, counterSum: 1 });
        const events = (await h.app.app.get(OutboxRepository).forTenant(T)).filter(
          (e) => e.event.subject === first.body.id && e.event.type === 'coupon.redemption-rolled-back',
        );
        expect(events).toHaveLength(1);
        // Exactly one use came back: one more redemption fits, the next does not.
        expect((await redeem(code, customer(T, 'RB'))).status).toBe(201);
        expectRefusal(await redeem(code, customer(T, 'RB2')), 'max_redemptions_reached');
      }
    });
  });
});
