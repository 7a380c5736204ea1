import { OutboxRepository } from '@suite/persistence';
import { SETTINGS_ENTITY } from '../src/common/settings.schema';
import { call, couponBody, customer, expectCouponError, Harness, manager, onBehalf, order, startHarness, uniqueCode } from './support';

/** Cross-cutting conventions (conventions.md) as the coupon service applies them. */
const T = 'cpnconv';
const base = `/coupon/${T}/coupons`;

/** A JSON text nesting `n` objects (`{"b":{"b":…1}}`) or `n` arrays. */
const deepObject = (n: number) => '{"b":'.repeat(n) + '1' + '}'.repeat(n);
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('coupon and the suite conventions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const create = async (overrides: Record<string, unknown> = {}) => {
    const code = uniqueCode('CV');
    const r = await call(h, 'POST', base, manager(T), couponBody({ code, ...overrides }));
    expect(r.status).toBe(201);
    return code;
  };

  describe('deeply nested bodies never give 500 (ERR-7 drops unknown properties, META-8 limits mixins)', () => {
    it('validation and redemption ignore an unknown property however deep it nests', async () => {
      const code = await create();
      const valid = '"customerNumber":"C9","orderTotal":{"amount":50,"currency":"EUR"},"discount":{"amount":5,"currency":"EUR"}';
      for (const deep of [deepObject(20000), deepArray(50000)]) {
        const v = await call(h, 'POST', `${base}/${code}/validation`, onBehalf(T), `{${valid},"x":${deep}}`);
        expect(`${v.status} ${v.text}`).toBe('200 ');
        expect(
          (
            await call(
              h,
              'POST',
              `${base}/${code}/validation`,
              onBehalf(T),
              `{"customerNumber":"C9","orderTotal":{"amount":50,"currency":"EUR","x":${deep}},"discount":{"amount":5,"currency":"EUR"}}`,
            )
          ).status,
        ).toBe(200);
      }
      const r = await call(
        h,
        'POST',
        `${base}/${code}/redemptions`,
        customer(T, 'C9'),
        `{${valid},"orderCode":"DEEP-1","x":${deepObject(20000)}}`,
      );
      expect(r.status).toBe(201);
    });

    it('a deep value in a typed redemption field is a 400 on that field', async () => {
      const code = await create();
      const r = await call(
        h,
        'POST',
        `${base}/${code}/validation`,
        onBehalf(T),
        `{"customerNumber":"C9","orderTotal":{"amount":${deepObject(20000)},"currency":"EUR"},"discount":{"amount":5,"currency":"EUR"}}`,
      );
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details.map((d: { field: string }) => d.field)).toEqual(['orderTotal.amount']);
    });

    it('PATCH drops a deep unknown property and changes nothing else', async () => {
      const code = await create();
      const r = await call(h, 'PATCH', `${base}/${code}`, manager(T), `{"description":"deep","x":${deepObject(20000)}}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ code, description: 'deep', metadata: { version: 1 } });
      expect(r.body).not.toHaveProperty('x');
      expect((await call(h, 'PATCH', `${base}/${code}`, manager(T), `{"description":"arr","x":${deepArray(50000)}}`)).status).toBe(200);
    });

    it('mixins nested far beyond 10 levels are a 400 on POST, PUT and PATCH', async () => {
      const code = await create();
      const mixins = `"mixins":{"loyalty":${deepObject(20000)}}`;
      const bodies: Array<[string, string, string]> = [
        ['POST', base, `{"name":"x","discountAbsolute":{"amount":1},${mixins}}`],
        ['PUT', `${base}/${code}`, `{"name":"x","discountType":"ABSOLUTE","discountAbsolute":{"amount":1},${mixins}}`],
        ['PATCH', `${base}/${code}`, `{${mixins}}`],
      ];
      for (const [method, path, body] of bodies) {
        const r = await call(h, method, path, manager(T), body);
        expectCouponError(r, 400, 'validation_violation');
        expect(r.body.details).toEqual([expect.objectContaining({ field: 'mixins.loyalty' })]);
      }
      // Ten levels inside a mixin stay accepted.
      const ok = await call(h, 'PATCH', `${base}/${code}`, manager(T), `{"mixins":{"loyalty":${deepObject(9)}}}`);
      expect(ok.status).toBe(200);
    });
  });

  it('HTTP-4: an unknown query parameter is ignored, whatever its name (?__proto__=x)', async () => {
    const code = await create();
    const list = await call(h, 'GET', `${base}?__proto__=x&constructor=y`, manager(T));
    expect(list.status).toBe(200);
    expect(list.body.map((c: { code: string }) => c.code)).toContain(code);
    expect((await call(h, 'GET', `${base}/${code}?__proto__=x`, manager(T))).status).toBe(200);
    expect((await call(h, 'GET', `${base}/${code}/redemptions?__proto__=x`, manager(T))).status).toBe(200);
  });

  it('ERR-6: a redemption body lists the currency mismatch together with every other problem', async () => {
    const code = await create();
    for (const path of ['validation', 'redemptions']) {
      const r = await call(h, 'POST', `${base}/${code}/${path}`, onBehalf(T), {
        orderCode: '',
        orderTotal: { amount: 50, currency: 'EUR' },
        discount: { amount: 5, currency: 'USD' },
      });
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`)).toEqual([
        'discount.currency/conflicting_values',
        'orderCode/invalid_value',
      ]);
    }
    // Alone it is still reported, and an invalid currency is reported as such, not as a mismatch.
    const alone = await call(
      h,
      'POST',
      `${base}/${code}/validation`,
      onBehalf(T),
      order(50, 5, 'EUR', { discount: { amount: 5, currency: 'USD' } }),
    );
    expect(alone.body.details).toEqual([expect.objectContaining({ field: 'discount.currency', type: 'conflicting_values' })]);
    const invalid = await call(
      h,
      'POST',
      `${base}/${code}/validation`,
      onBehalf(T),
      order(50, 5, 'EUR', { discount: { amount: 5, currency: 'usd' } }),
    );
    expect(invalid.body.details).toEqual([expect.objectContaining({ field: 'discount.currency', type: 'invalid_value' })]);
  });

  it('HTTP-10: a date-time whose UTC instant leaves the years 0000-9999 is a 400, never written as +010000-…', async () => {
    const later = await call(h, 'POST', base, manager(T), couponBody({ restrictions: { validUntil: '9999-12-31T23:59:59.999-14:00' } }));
    expectCouponError(later, 400, 'validation_violation');
    expect(later.body.details).toEqual([expect.objectContaining({ field: 'restrictions.validUntil', type: 'invalid_value' })]);
    const earlier = await call(h, 'POST', base, manager(T), couponBody({ restrictions: { validFrom: '0000-01-01T00:00:00+01:00' } }));
    expect(earlier.body.details).toEqual([expect.objectContaining({ field: 'restrictions.validFrom', type: 'invalid_value' })]);
    const edge = await call(h, 'POST', base, manager(T), couponBody({ restrictions: { validUntil: '9999-12-31T23:59:59.999+14:00' } }));
    expect(edge.status).toBe(201);
    const read = await call(h, 'GET', `${base}/${edge.body.id}`, manager(T));
    expect(read.body.restrictions.validUntil).toBe('9999-12-31T09:59:59.999Z');
  });

  it('EVT-6: a permanent delete announces every removed redemption before the coupon itself', async () => {
    const tenant = 'cpnconvdel';
    const tbase = `/coupon/${tenant}/coupons`;
    await (
      await h.registry.forWrite(tenant, SETTINGS_ENTITY)
    ).collection.insertOne({ _id: 'settings', couponPermanentDelete: true } as never);
    const code = uniqueCode('PD');
    expect((await call(h, 'POST', tbase, manager(tenant), couponBody({ code }))).status).toBe(201);
    const ids: string[] = [];
    for (const [who, orderCode] of [
      ['C1', 'O-1'],
      ['C2', 'O-2'],
    ]) {
      const r = await call(h, 'POST', `${tbase}/${code}/redemptions`, customer(tenant, who), order(50, 5, 'EUR', { orderCode }));
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const del = await call(h, 'DELETE', `${tbase}/${code}`, manager(tenant), undefined, { 'x-request-id': 'perm-delete-1' });
    expect(`${del.status} ${del.text}`).toBe('204 ');
    const events = (await h.app.app.get(OutboxRepository).forTenant(tenant))
      .map((e) => e.event)
      .filter((e) => e.requestid === 'perm-delete-1');
    expect(events.map((e) => e.type)).toEqual(['coupon.redemption-deleted', 'coupon.redemption-deleted', 'coupon.deleted']);
    expect(
      events
        .slice(0, 2)
        .map((e) => e.subject)
        .sort(),
    ).toEqual([...ids].sort());
    expect(events[0].data).toMatchObject({ code, orderTotal: { amount: 50, currency: 'EUR' } });
    expect(events[2]).toMatchObject({ subject: code, data: { code, deleted: true } });
    // Nothing is left to list, and the code is free again.
    expect((await call(h, 'POST', tbase, manager(tenant), couponBody({ code }))).status).toBe(201);
    expect((await call(h, 'GET', `${tbase}/${code}/redemptions`, manager(tenant))).body).toEqual([]);
  });
});
