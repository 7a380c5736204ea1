import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { segmentService } from './segment-stub';
import { call, couponBody, customer, expectCouponError, expectRefusal, Harness, manager, order, startHarness, uniqueCode } from './support';

// Client input that must be a 400 in the coupon profile (issue #12, "input"): segment ids that
// cannot be segment ids (ID-3) never reach the segment service, numbers JSON cannot carry back,
// and every problem of a body with a forbidden key (ERR-6).

const T = 'cpninp';
const base = `/coupon/${T}/coupons`;
const NOT_FINITE = { type: 'invalid_value', message: 'must be a finite number' };
const ID_FORMAT = { type: 'invalid_value', message: 'must be 1 to 128 URL-safe characters' };

describe('coupon input hardening', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.stub.respond(segmentService(T, { MEMBER: [{ id: 'gold', status: 'ACTIVE' }] }));
  });
  afterAll(() => h.close());

  const create = (body: unknown) => call(h, 'POST', base, manager(T), body);

  describe('segment ids (ID-3)', () => {
    it('refuses restriction segment ids that cannot be segment ids, each named', async () => {
      const r = await create(
        couponBody({
          code: uniqueCode('SEG'),
          segmentRestricted: true,
          restrictions: { segments: ['gold', 'x'.repeat(129), '\u0000'], excludedSegments: ['.hidden', 'y'.repeat(4200)] },
        }),
      );
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details).toEqual([
        { field: 'restrictions.excludedSegments[0]', ...ID_FORMAT },
        { field: 'restrictions.excludedSegments[1]', ...ID_FORMAT },
        { field: 'restrictions.segments[1]', ...ID_FORMAT },
        { field: 'restrictions.segments[2]', ...ID_FORMAT },
      ]);
    });

    it('never sends a stored id that cannot be a segment id to the segment service (it matches nobody)', async () => {
      const code = uniqueCode('OLD');
      expect((await create(couponBody({ code, segmentRestricted: true, restrictions: { segments: ['gold'] } }))).status).toBe(201);
      // Written before ids were checked: one id too long for any q, one with a NUL.
      const coupons = await h.registry.forWrite(T, COUPON_ENTITY);
      await coupons.collection.updateOne({ _id: code } as never, { $set: { 'restrictions.segments': ['z'.repeat(5000), '\u0000'] } });
      h.stub.reset();
      expectRefusal(await call(h, 'POST', `${base}/${code}/validation`, customer(T, 'MEMBER'), order(50, 5)), 'customer_not_in_segment');
      expect(h.stub.requests).toHaveLength(0);
      // Beside a real id, only the real one is asked for.
      await coupons.collection.updateOne({ _id: code } as never, { $set: { 'restrictions.segments': ['z'.repeat(5000), 'gold'] } });
      expect((await call(h, 'POST', `${base}/${code}/validation`, customer(T, 'MEMBER'), order(50, 5))).status).toBe(200);
      expect(h.stub.requests.map((r) => r.query.get('q'))).toEqual(['id:("gold")']);
    });
  });

  describe('numbers JSON cannot carry back', () => {
    it('refuses 1e400 in a create, naming each such field, and stores nothing', async () => {
      const code = uniqueCode('BIG');
      const r = await create(
        `{"code":"${code}","name":"n","discountType":"ABSOLUTE",` +
          '"discountAbsolute":{"amount":1e400},"mixins":{"loyalty":{"points":-1e400}}}',
      );
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details).toEqual([
        { field: 'discountAbsolute.amount', ...NOT_FINITE },
        { field: 'mixins.loyalty.points', ...NOT_FINITE },
      ]);
      expectCouponError(await call(h, 'GET', `${base}/${code}`, manager(T)), 404, 'resource_not_found');
    });

    it('refuses them in a merge patch and in a validation body', async () => {
      const code = uniqueCode('PAT');
      expect((await create(couponBody({ code, mixins: { loyalty: { points: 5 } } }))).status).toBe(201);
      const patch = await call(h, 'PATCH', `${base}/${code}`, manager(T), '{"mixins":{"loyalty":{"points":1e400}}}', {
        'content-type': 'application/merge-patch+json',
      });
      expectCouponError(patch, 400, 'validation_violation');
      expect(patch.body.details).toEqual([{ field: 'mixins.loyalty.points', ...NOT_FINITE }]);
      expect((await call(h, 'GET', `${base}/${code}`, manager(T))).body.mixins).toEqual({ loyalty: { points: 5 } });
      const validation = await call(
        h,
        'POST',
        `${base}/${code}/validation`,
        customer(T, 'C1'),
        '{"orderTotal":{"amount":1e400,"currency":"EUR"},"discount":{"amount":5,"currency":"EUR"}}',
      );
      expectCouponError(validation, 400, 'validation_violation');
      expect(validation.body.details).toEqual([{ field: 'orderTotal.amount', ...NOT_FINITE }]);
    });
  });

  describe('ERR-6: a forbidden key is listed with every other problem', () => {
    it('reports mixins.loyalty.$tier beside the invalid fields', async () => {
      const r = await create({
        name: 5,
        discountType: 'ABSOLUTE',
        discountAbsolute: { amount: 1 },
        mixins: { loyalty: { $tier: 'gold' } },
      });
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`)).toEqual([
        'mixins.loyalty.$tier:invalid_value',
        'name:invalid_value',
      ]);
    });
  });
});
