import {
  call,
  couponBody,
  customer,
  expectCouponError,
  Harness,
  manager,
  onBehalf,
  order,
  reader,
  S,
  startHarness,
  uniqueCode,
} from './support';

const T = 'cpnmgmt';
const base = `/coupon/${T}/coupons`;

describe('coupon management (operations 1–6)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const create = (body: Record<string, unknown>) => call(h, 'POST', base, manager(T), body);
  const get = (code: string, who = manager(T)) => call(h, 'GET', `${base}/${code}`, who);
  const expectRefusalFree = (r: { status: number; text: string }) => expect(`${r.status} ${r.status === 201 ? '' : r.text}`).toBe('201 ');

  describe('POST /coupons', () => {
    it('creates with a code: 201, {id, yrn}, Location, defaults, version 0, code upper-cased', async () => {
      const code = uniqueCode('win').toLowerCase();
      const r = await create({ code, name: ' Winter ', discountAbsolute: { amount: 10 } });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: code.toUpperCase(), yrn: `urn:yaas:saasag:coupon:coupon:${T};${code.toUpperCase()}` });
      expect(r.headers.get('location')).toBe(`${base}/${code.toUpperCase()}`);
      const g = await get(code);
      expect(g.status).toBe(200);
      expect(g.body).toMatchObject({
        code: code.toUpperCase(),
        name: 'Winter',
        discountType: 'ABSOLUTE',
        discountAbsolute: { amount: 10, currency: 'USD' },
        discountCalculationType: 'SUBTOTAL',
        allowAnonymous: false,
        maxRedemptions: -1,
        maxRedemptionsPerCustomer: -1,
        categoryRestricted: false,
        segmentRestricted: false,
        restrictions: { validFor: [] },
        redemptionCount: 0,
        legalEntityRedemptions: [],
        referralCoupon: false,
        deleted: false,
        status: 'VALID',
        metadata: { version: 0 },
      });
      expect(g.body.metadata.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(g.body.metadata.modifiedAt).toBe(g.body.metadata.createdAt);
      expect(g.body).not.toHaveProperty('_id');
      expect(g.body).not.toHaveProperty('remaining');
      // Lookups ignore case.
      expect((await get(code.toUpperCase())).status).toBe(200);
    });

    it('generates an 8-character [A-Z0-9] code when none (or null or "") is given', async () => {
      for (const code of [undefined, null, '']) {
        const r = await create(couponBody(code === undefined ? {} : { code }));
        expect(r.status).toBe(201);
        expect(r.body.id).toMatch(/^[A-Z0-9]{8}$/);
        expect((await get(r.body.id)).body.name).toBe('Ten off');
      }
    });

    it('gives 409 conflict_resource for a duplicate code, whatever its case', async () => {
      const code = uniqueCode('DUP');
      expect((await create(couponBody({ code }))).status).toBe(201);
      const r = await create(couponBody({ code: code.toLowerCase() }));
      expectCouponError(r, 409, 'conflict_resource');
      expect(r.body.message).toBe(`Duplicate coupon '${code}' on tenant '${T}'`);
    });

    it('stores codes as sent and matches exactly when the tenant enables case sensitivity', async () => {
      const tenant = 'cpncase';
      const settings = await h.registry.forWrite(tenant, {
        name: 'coupon_settings',
        schema: (await import('../src/common/settings.schema')).SETTINGS_ENTITY.schema,
      });
      await settings.collection.insertOne({ _id: 'settings', enableCouponCodeCaseSensitivity: true } as never);
      const r = await call(h, 'POST', `/coupon/${tenant}/coupons`, manager(tenant), couponBody({ code: 'MiXed' }));
      expect(r.body.id).toBe('MiXed');
      expect((await call(h, 'POST', `/coupon/${tenant}/coupons`, manager(tenant), couponBody({ code: 'MIXED' }))).status).toBe(201);
      expect((await call(h, 'GET', `/coupon/${tenant}/coupons/MiXed`, manager(tenant))).body.code).toBe('MiXed');
      expect((await call(h, 'GET', `/coupon/${tenant}/coupons/mixed`, manager(tenant))).status).toBe(404);
      // Switching the setting off: upper-cased lookup first, then the exact value.
      await settings.collection.updateOne({ _id: 'settings' } as never, { $set: { enableCouponCodeCaseSensitivity: false } });
      expect((await call(h, 'GET', `/coupon/${tenant}/coupons/mixed`, manager(tenant))).body.code).toBe('MIXED');
      expect((await call(h, 'GET', `/coupon/${tenant}/coupons/MiXed`, manager(tenant))).body.code).toBe('MIXED');
      expect((await call(h, 'POST', `/coupon/${tenant}/coupons`, manager(tenant), couponBody({ code: 'lower' }))).body.id).toBe('LOWER');
    });

    it('rejects a bad code format and lists every field problem (§4.1)', async () => {
      const r = await create({
        code: 'has space',
        name: 'x'.repeat(151),
        description: 'd'.repeat(2001),
        discountType: 'HALF',
        discountPercentage: 101,
        discountAbsolute: { amount: -1, currency: 'usd' },
        maxRedemptions: 0,
        maxRedemptionsPerCustomer: 1.5,
        allowAnonymous: 'yes',
        restrictions: {
          validFor: ['ok', ''],
          validFrom: '2025-01-01T00:00:00',
          minOrderValue: { amount: 'a' },
          segments: Array.from({ length: 51 }, (_, i) => `s${i}`),
        },
        mixins: { bad: 5 },
        metadata: { mixins: { bad: 'ftp://x' } },
      });
      expectCouponError(r, 400, 'validation_violation');
      const got = r.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`);
      expect(got).toEqual(
        expect.arrayContaining([
          'code/invalid_value',
          'name/invalid_value',
          'description/invalid_value',
          'discountType/invalid_value',
          'discountPercentage/invalid_value',
          'discountAbsolute.amount/invalid_value',
          'discountAbsolute.currency/invalid_value',
          'maxRedemptions/invalid_value',
          'maxRedemptionsPerCustomer/invalid_value',
          'allowAnonymous/invalid_value',
          'restrictions.validFor[1]/invalid_value',
          'restrictions.validFrom/invalid_value',
          'restrictions.minOrderValue.amount/invalid_value',
          'restrictions.segments/invalid_value',
          'mixins.bad/invalid_value',
          'metadata.mixins.bad/invalid_value',
        ]),
      );
      expect(r.body.details.find((d: { field: string }) => d.field === 'discountAbsolute.currency').message).toBe('Must match ^[A-Z]{3}$');
    });

    it('rejects calendar dates that do not exist instead of moving them (§4.1)', async () => {
      for (const bad of [
        '2025-02-30T00:00:00Z',
        '2025-04-31T10:00:00+02:00',
        '2025-01-01T24:00:00Z',
        '2023-02-29T00:00:00.000Z',
        '2025-01-01T12:60:00Z',
        '2025-01-01T12:00:00+24:00',
      ]) {
        const r = await create(couponBody({ restrictions: { validFrom: bad } }));
        expectCouponError(r, 400, 'validation_violation');
        expect(r.body.details).toEqual([{ field: 'restrictions.validFrom', type: 'invalid_value', message: expect.any(String) }]);
      }
      const leap = await create(
        couponBody({ restrictions: { validFrom: '2024-02-29T23:30:00-01:00', validUntil: '2024-12-31T23:59:59.999Z' } }),
      );
      expect(leap.status).toBe(201);
      expect((await get(leap.body.id)).body.restrictions).toMatchObject({
        validFrom: '2024-03-01T00:30:00.000Z',
        validUntil: '2024-12-31T23:59:59.999Z',
      });
    });

    it('requires name; { "name": "X" } alone fails X2 (§6.2)', async () => {
      const noName = await create({ discountAbsolute: { amount: 1 } });
      expectCouponError(noName, 400, 'validation_violation');
      expect(noName.body.details).toEqual([{ field: 'name', type: 'missing_value', message: expect.any(String) }]);
      const blank = await create({ name: '   ', discountAbsolute: { amount: 1 } });
      expect(blank.body.details).toEqual([{ field: 'name', type: 'missing_value', message: expect.any(String) }]);
      const onlyName = await create({ name: 'X' });
      expect(onlyName.body.details).toEqual([{ field: 'discountAbsolute', type: 'missing_value', message: expect.any(String) }]);
    });

    it.each([
      ['X1', { discountType: 'PERCENT', discountAbsolute: undefined }, 'discountPercentage/missing_value'],
      ['X2 amount', { discountAbsolute: { currency: 'EUR' } }, 'discountAbsolute.amount/missing_value'],
      [
        'X3',
        { discountType: 'FREE_SHIPPING', categoryRestricted: true, restrictions: { includedCategories: ['c1'] } },
        'categoryRestricted/conflicting_values',
      ],
      ['X4', { allowAnonymous: true, maxRedemptionsPerCustomer: 1 }, 'maxRedemptionsPerCustomer/conflicting_values'],
      ['X5', { allowAnonymous: true, restrictions: { validFor: ['C1'] } }, 'restrictions.validFor/conflicting_values'],
      ['X6', { segmentRestricted: true }, 'restrictions.segments/missing_value'],
      [
        'X7',
        { segmentRestricted: true, categoryRestricted: true, restrictions: { segments: ['s'], includedCategories: ['c'] } },
        'segmentRestricted/conflicting_values',
      ],
      ['X8', { segmentRestricted: true, restrictions: { segments: ['s'], validFor: ['C1'] } }, 'restrictions.validFor/conflicting_values'],
      ['X9', { segmentRestricted: true, allowAnonymous: true, restrictions: { segments: ['s'] } }, 'allowAnonymous/conflicting_values'],
      ['X10', { restrictions: { segments: ['s'] } }, 'restrictions.segments/conflicting_values'],
      ['X11', { categoryRestricted: true }, 'restrictions.includedCategories/missing_value'],
      ['X12 included', { restrictions: { includedCategories: ['c'] } }, 'restrictions.includedCategories/conflicting_values'],
      ['X12 excluded', { restrictions: { excludedCategories: ['c'] } }, 'restrictions.excludedCategories/conflicting_values'],
      [
        'X13',
        { categoryRestricted: true, restrictions: { includedCategories: ['c'], excludedCategories: ['c'] } },
        'restrictions.excludedCategories/conflicting_values',
      ],
      [
        'X14',
        { restrictions: { validFrom: '2025-02-01T00:00:00Z', validUntil: '2025-02-01T00:00:00Z' } },
        'restrictions.validUntil/conflicting_values',
      ],
    ])('rule %s gives 400 with its detail', async (_rule, overrides, expected) => {
      const r = await create(couponBody(overrides as Record<string, unknown>));
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`)).toContain(expected);
    });

    it('tolerates companion fields of other discount types and accepts valid restricted coupons', async () => {
      const r = await create({
        name: 'Ship',
        discountType: 'FREE_SHIPPING',
        discountAbsolute: { amount: 24.99, currency: 'USD' },
        discountPercentage: 5,
        restrictions: { minOrderValue: { amount: 50, currency: 'EUR' } },
      });
      expect(r.status).toBe(201);
      const g = await get(r.body.id);
      expect(g.body).toMatchObject({
        discountType: 'FREE_SHIPPING',
        discountAbsolute: { amount: 24.99, currency: 'USD' },
        discountPercentage: 5,
      });
      const cat = await create(
        couponBody({ categoryRestricted: true, restrictions: { includedCategories: ['c1', 'c2'], excludedCategories: ['c3'] } }),
      );
      expect(cat.status).toBe(201);
      expect((await get(cat.body.id)).body.restrictions).toEqual({
        validFor: [],
        includedCategories: ['c1', 'c2'],
        excludedCategories: ['c3'],
      });
      const seg = await create(couponBody({ segmentRestricted: true, restrictions: { segments: ['s1', 's1', 's2'] } }));
      expect((await get(seg.body.id)).body.restrictions).toEqual({ validFor: [], segments: ['s1', 's2'] });
    });

    it('ignores read-only and unknown properties, stores dates in UTC and drops an empty issuedTo', async () => {
      const r = await create(
        couponBody({
          status: 'EXPIRED',
          redemptionCount: 7,
          deleted: true,
          referralCoupon: true,
          legalEntityRedemptions: [{ legalEntityId: 'x', count: 3 }],
          foo: 'bar',
          issuedTo: '',
          metadata: { version: 9, createdAt: '2000-01-01T00:00:00Z', other: 1 },
          restrictions: { validFor: ['B', 'A', 'B'], validFrom: '2030-01-01T01:00:00+01:00' },
        }),
      );
      expect(r.status).toBe(201);
      const g = await get(r.body.id);
      expect(g.body).toMatchObject({
        status: 'INACTIVE',
        redemptionCount: 0,
        deleted: false,
        referralCoupon: false,
        legalEntityRedemptions: [],
        metadata: { version: 0 },
      });
      expect(g.body).not.toHaveProperty('foo');
      expect(g.body).not.toHaveProperty('issuedTo');
      expect(g.body.metadata).not.toHaveProperty('other');
      expect(g.body.restrictions).toEqual({ validFor: ['B', 'A'], validFrom: '2030-01-01T00:00:00.000Z' });
    });

    it('stores mixins and schema links as given', async () => {
      const r = await create(
        couponBody({
          mixins: { campaign: { channel: 'newsletter', n: [1, 2] } },
          metadata: { mixins: { campaign: 'https://example.invalid/campaign.json' } },
        }),
      );
      const g = await get(r.body.id);
      expect(g.body.mixins).toEqual({ campaign: { channel: 'newsletter', n: [1, 2] } });
      expect(g.body.metadata.mixins).toEqual({ campaign: 'https://example.invalid/campaign.json' });
    });

    it('answers body problems in the coupon profile: missing, not an object, malformed, wrong media type', async () => {
      const missing = await call(h, 'POST', base, manager(T));
      expectCouponError(missing, 400, 'validation_violation');
      expect(missing.body.details).toEqual([{ type: 'missing_payload', message: expect.any(String) }]);
      const array = await call(h, 'POST', base, manager(T), '[1]');
      expect(array.body.details).toEqual([{ type: 'malformed_payload', message: expect.any(String) }]);
      const bad = await call(h, 'POST', base, manager(T), '{"name":');
      expectCouponError(bad, 400, 'validation_violation');
      expect(bad.body.details).toEqual([{ type: 'malformed_payload', message: expect.any(String) }]);
      const media = await call(h, 'POST', base, manager(T), 'name=x', { 'content-type': 'text/plain' });
      expectCouponError(media, 415, 'validation_violation');
      const key = await call(h, 'POST', base, manager(T), couponBody({ mixins: { m: { $where: 1 } } }));
      expectCouponError(key, 400, 'validation_violation');
      expect(key.body.details).toEqual([{ field: 'mixins.m.$where', type: 'invalid_value', message: expect.any(String) }]);
    });
  });

  describe('GET /coupons/{code}', () => {
    let code: string;
    let listed: string;
    beforeAll(async () => {
      code = (await create(couponBody({ maxRedemptions: 5, issuedTo: 'C9', restrictions: { validUntil: '2099-01-01T00:00:00Z' } }))).body
        .id;
      listed = (await create(couponBody({ restrictions: { validFor: ['C1', 'C2'] } }))).body.id;
    });

    it('gives managers and readers the manager view and customers the customer view', async () => {
      expect((await get(code, reader(T))).body).toMatchObject({
        maxRedemptions: 5,
        issuedTo: 'C9',
        redemptionCount: 0,
        deleted: false,
        restrictions: { validFor: [] },
      });
      const c = await get(code, customer(T, 'C1'));
      expect(c.status).toBe(200);
      for (const hidden of ['maxRedemptions', 'redemptionCount', 'issuedTo', 'deleted', 'legalEntityRedemptions'])
        expect(c.body).not.toHaveProperty(hidden);
      expect(c.body.restrictions).toEqual({ validUntil: '2099-01-01T00:00:00.000Z' });
      expect(c.body).toMatchObject({ code, status: 'VALID', maxRedemptionsPerCustomer: -1, referralCoupon: false });
      // Any valid token of the tenant may read, even without a scope.
      expect((await get(code, { tenant: T, principalType: 'anonymous', sid: 'v', scopes: [] })).status).toBe(200);
    });

    it('checks validFor for customer reads: listed customer 200, others and anonymous 403', async () => {
      expect((await get(listed, customer(T, 'C2'))).status).toBe(200);
      const other = await get(listed, customer(T, 'C3'));
      expectCouponError(other, 403, 'insufficient_permissions');
      expect(other.body.message).toBe(`Insufficient permissions to retrieve the coupon with code ${listed}`);
      expectCouponError(
        await get(listed, { tenant: T, principalType: 'anonymous', sid: 'v', scopes: [S.redeem] }),
        403,
        'insufficient_permissions',
      );
    });

    it('customerNumber needs coupon_redeem_on_behalf unless it is the caller, and gives the customer view', async () => {
      const viaOnBehalf = await call(h, 'GET', `${base}/${listed}?customerNumber=C1`, onBehalf(T));
      expect(viaOnBehalf.status).toBe(200);
      expect(viaOnBehalf.body).not.toHaveProperty('maxRedemptions');
      expectCouponError(await call(h, 'GET', `${base}/${listed}?customerNumber=C3`, onBehalf(T)), 403, 'insufficient_permissions');
      expect((await call(h, 'GET', `${base}/${listed}?customerNumber=C1`, customer(T, 'C1'))).status).toBe(200);
      expectCouponError(await call(h, 'GET', `${base}/${listed}?customerNumber=C2`, customer(T, 'C1')), 403, 'insufficient_permissions');
      // A manager naming a customer is acting on behalf too; 403 comes before the 404 (§1.5).
      expectCouponError(await call(h, 'GET', `${base}/NOPE?customerNumber=C1`, manager(T)), 403, 'insufficient_permissions');
      const managerWithOnBehalf = await call(h, 'GET', `${base}/${code}?customerNumber=C1`, {
        tenant: T,
        scopes: [S.manage, S.redeemOnBehalf],
      });
      expect(managerWithOnBehalf.body).not.toHaveProperty('redemptionCount');
    });

    it('gives 404 resource_not_found for unknown, malformed and soft-deleted codes', async () => {
      expectCouponError(await get('UNKNOWN1'), 404, 'resource_not_found');
      expectCouponError(await get('bad.code'), 404, 'resource_not_found');
      expectCouponError(await get('x'.repeat(151)), 404, 'resource_not_found');
      const gone = (await create(couponBody())).body.id;
      expect((await call(h, 'DELETE', `${base}/${gone}`, manager(T))).status).toBe(204);
      expectCouponError(await get(gone), 404, 'resource_not_found');
    });
  });

  describe('PUT and PATCH /coupons/{code}', () => {
    it('PUT replaces writable fields, resets omitted ones to defaults, bumps the version and answers 200 with the coupon', async () => {
      const code = (
        await create(
          couponBody({ description: 'd', maxRedemptionsPerCustomer: 2, restrictions: { validFor: ['C1'] }, mixins: { a: { b: 1 } } }),
        )
      ).body.id;
      const r = await call(h, 'PUT', `${base}/${code}`, manager(T), {
        name: 'Percent',
        discountType: 'PERCENT',
        discountPercentage: 15,
        code: code.toLowerCase(),
        status: 'USED',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        code,
        name: 'Percent',
        discountType: 'PERCENT',
        discountPercentage: 15,
        maxRedemptionsPerCustomer: -1,
        restrictions: { validFor: [] },
        status: 'VALID',
        metadata: { version: 1 },
      });
      expect(r.body).not.toHaveProperty('description');
      expect(r.body).not.toHaveProperty('mixins');
      expect(r.body).not.toHaveProperty('discountAbsolute');
      expect(new Date(r.body.metadata.modifiedAt).getTime()).toBeGreaterThanOrEqual(new Date(r.body.metadata.createdAt).getTime());
      expect((await get(code)).body).toEqual(r.body);
    });

    it('PUT needs name and discountType, refuses a different code, and has no upsert', async () => {
      const code = (await create(couponBody())).body.id;
      const r = await call(h, 'PUT', `${base}/${code}`, manager(T), { discountAbsolute: { amount: 1 } });
      expect(r.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`)).toEqual([
        'discountType/missing_value',
        'name/missing_value',
      ]);
      const other = await call(h, 'PUT', `${base}/${code}`, manager(T), couponBody({ code: 'OTHER' }));
      expectCouponError(other, 400, 'validation_violation');
      expect(other.body.details).toEqual([{ field: 'code', type: 'immutable_field', message: expect.any(String) }]);
      expectCouponError(await call(h, 'PUT', `${base}/NEWCODE${Date.now()}`, manager(T), couponBody()), 404, 'resource_not_found');
    });

    it('PATCH merges objects, replaces arrays, removes with null and validates the merged result', async () => {
      const code = (
        await create(
          couponBody({
            description: 'd',
            restrictions: { validFor: ['C1'], minOrderValue: { amount: 20, currency: 'EUR' } },
            mixins: { a: { x: 1, y: 2 } },
          }),
        )
      ).body.id;
      const r = await call(
        h,
        'PATCH',
        `${base}/${code}`,
        manager(T),
        {
          description: null,
          discountAbsolute: { amount: 12 },
          restrictions: { validFor: ['C2', 'C3'], minOrderValue: { amount: 30 } },
          mixins: { a: { y: null, z: 3 } },
        },
        { 'content-type': 'application/merge-patch+json' },
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        discountAbsolute: { amount: 12, currency: 'EUR' },
        restrictions: { validFor: ['C2', 'C3'], minOrderValue: { amount: 30, currency: 'EUR' } },
        mixins: { a: { x: 1, z: 3 } },
        metadata: { version: 1 },
      });
      expect(r.body).not.toHaveProperty('description');
      // The merged result must satisfy §4: PERCENT without a percentage fails X1; null on name fails.
      const x1 = await call(h, 'PATCH', `${base}/${code}`, manager(T), { discountType: 'PERCENT' });
      expect(x1.body.details).toEqual([{ field: 'discountPercentage', type: 'missing_value', message: expect.any(String) }]);
      const nul = await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: null, discountType: null });
      expect(nul.body.details.map((d: { field: string; type: string }) => `${d.field}/${d.type}`)).toEqual(
        expect.arrayContaining(['discountType/missing_value', 'name/missing_value']),
      );
      const seg = (await create(couponBody({ segmentRestricted: true, restrictions: { segments: ['s1'] } }))).body.id;
      const x10 = await call(h, 'PATCH', `${base}/${seg}`, manager(T), { segmentRestricted: false });
      expect(x10.body.details).toEqual([{ field: 'restrictions.segments', type: 'conflicting_values', message: expect.any(String) }]);
      expectCouponError(await call(h, 'PATCH', `${base}/${code}`, manager(T), {}), 400, 'validation_violation');
      expect((await call(h, 'PATCH', `${base}/${code}`, manager(T), {})).body.details[0].type).toBe('missing_payload');
      expect((await get(code)).body.metadata.version).toBe(1);
    });

    it('PUT ?partial=true behaves like PATCH; a bad partial value is 400', async () => {
      const code = (await create(couponBody({ description: 'keep' }))).body.id;
      const r = await call(h, 'PUT', `${base}/${code}?partial=TRUE`, manager(T), { name: 'Renamed' });
      expect(r.body).toMatchObject({ name: 'Renamed', description: 'keep', metadata: { version: 1 } });
      expectCouponError(await call(h, 'PUT', `${base}/${code}?partial=maybe`, manager(T), { name: 'x' }), 400, 'validation_violation');
    });

    it('uses metadata.version as an optional optimistic lock (409 conflict_resource, nothing changed)', async () => {
      const code = (await create(couponBody())).body.id;
      expect((await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: 'A', metadata: { version: 0 } })).body.metadata.version).toBe(
        1,
      );
      const stale = await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: 'B', metadata: { version: 0 } });
      expectCouponError(stale, 409, 'conflict_resource');
      expect(stale.body.details).toEqual([{ field: 'metadata.version', type: 'version_mismatch', message: expect.any(String) }]);
      expectCouponError(
        await call(h, 'PUT', `${base}/${code}`, manager(T), couponBody({ metadata: { version: 5 } })),
        409,
        'conflict_resource',
      );
      expect((await get(code)).body).toMatchObject({ name: 'A', metadata: { version: 1 } });
      expect((await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: 'C' })).body.metadata.version).toBe(2);
      expectCouponError(await call(h, 'PATCH', `${base}/${code}`, manager(T), { metadata: { version: 'x' } }), 400, 'validation_violation');
    });

    it('updates a coupon while it is being redeemed: redemptions never make an update fail (§6.5)', async () => {
      const code = (await create(couponBody({ maxRedemptions: 1000 }))).body.id;
      const redemptions = Array.from({ length: 200 }, (_, i) =>
        call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: `BUSY${i}` })),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      const unversioned = await Promise.all(
        Array.from({ length: 5 }, (_, i) => call(h, 'PATCH', `${base}/${code}`, manager(T), { description: `busy ${i}` })),
      );
      expect(unversioned.map((r) => `${r.status} ${r.status === 200 ? '' : r.text}`)).toEqual(Array(5).fill('200 '));
      const current = (await get(code)).body.metadata.version;
      const versioned = await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: 'Busy', metadata: { version: current } });
      expect(`${versioned.status} ${versioned.status === 200 ? '' : versioned.text}`).toBe('200 ');
      expect(versioned.body.metadata.version).toBe(current + 1);
      expect((await Promise.all(redemptions)).map((r) => r.status)).toEqual(Array(200).fill(201));
      // The stored limit bookkeeping stayed exact: closing the coupon at its count makes it USED, also for q.
      const closed = await call(h, 'PATCH', `${base}/${code}`, manager(T), { maxRedemptions: 200 });
      expect(closed.body).toMatchObject({ redemptionCount: 200, maxRedemptions: 200, status: 'USED', metadata: { version: current + 2 } });
      const used = await call(h, 'GET', `${base}?q=${encodeURIComponent(`code:${code} status:USED`)}`, manager(T));
      expect(used.body.map((c: { code: string }) => c.code)).toEqual([code]);
      expect((await call(h, 'PATCH', `${base}/${code}`, manager(T), { maxRedemptions: 201 })).body.status).toBe('VALID');
      expectRefusalFree(await call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'LAST' })));
      const exhausted = await call(
        h,
        'POST',
        `${base}/${code}/redemptions`,
        onBehalf(T),
        order(50, 5, 'EUR', { customerNumber: 'ONE_TOO_MANY' }),
      );
      expect(exhausted.body.details[0].type).toBe('max_redemptions_reached');
    });

    it('PUT ?partial=true with {} is 400 missing_payload like PATCH, and changes nothing', async () => {
      const code = (await create(couponBody())).body.id;
      const r = await call(h, 'PUT', `${base}/${code}?partial=true`, manager(T), {});
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details).toEqual([{ type: 'missing_payload', message: expect.any(String) }]);
      expect((await get(code)).body.metadata.version).toBe(0);
    });

    it('reports each problem once: null on name, an invalid limit on an anonymous coupon', async () => {
      const code = (await create(couponBody())).body.id;
      const nul = await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: null });
      expect(nul.body.details).toEqual([{ field: 'name', type: 'missing_value', message: expect.any(String) }]);
      const anon = await create(couponBody({ allowAnonymous: true, maxRedemptionsPerCustomer: 0 }));
      expect(anon.body.details).toEqual([{ field: 'maxRedemptionsPerCustomer', type: 'invalid_value', message: expect.any(String) }]);
    });

    it('concurrent unversioned PATCHes all apply, each raising the version by one', async () => {
      const code = (await create(couponBody())).body.id;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(h, 'PATCH', `${base}/${code}`, manager(T), { description: `d${i}` })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect((await get(code)).body.metadata.version).toBe(10);
    });

    it('freezes discountType, the ABSOLUTE currency and maxRedemptions below the count once redeemed (§4.5)', async () => {
      const code = (await create(couponBody({ maxRedemptions: 5 }))).body.id;
      for (const n of [1, 2])
        expect(
          (await call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: `C${n}` }))).status,
        ).toBe(201);
      const type = await call(h, 'PATCH', `${base}/${code}`, manager(T), { discountType: 'PERCENT', discountPercentage: 5 });
      expect(type.body.details).toEqual([{ field: 'discountType', type: 'immutable_field', message: expect.any(String) }]);
      const cur = await call(h, 'PATCH', `${base}/${code}`, manager(T), { discountAbsolute: { currency: 'USD' } });
      expect(cur.body.details).toEqual([{ field: 'discountAbsolute.currency', type: 'immutable_field', message: expect.any(String) }]);
      const low = await call(h, 'PATCH', `${base}/${code}`, manager(T), { maxRedemptions: 1 });
      expect(low.body.details).toEqual([{ field: 'maxRedemptions', type: 'invalid_value', message: expect.stringContaining('2') }]);
      // Equal to the count closes the coupon; amounts and -1 may change.
      const closed = await call(h, 'PATCH', `${base}/${code}`, manager(T), { maxRedemptions: 2, discountAbsolute: { amount: 7 } });
      expect(closed.body).toMatchObject({ status: 'USED', maxRedemptions: 2, discountAbsolute: { amount: 7, currency: 'EUR' } });
      expect((await call(h, 'PATCH', `${base}/${code}`, manager(T), { maxRedemptions: -1 })).body.status).toBe('VALID');
    });
  });

  describe('DELETE /coupons/{code}', () => {
    it('soft-deletes: 204, then 404 everywhere, code stays reserved, listed only with showDeleted, history readable', async () => {
      const code = (await create(couponBody())).body.id;
      const red = await call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'C1' }));
      expect((await call(h, 'DELETE', `${base}/${code}`, manager(T))).status).toBe(204);
      expectCouponError(await call(h, 'DELETE', `${base}/${code}`, manager(T)), 404, 'resource_not_found');
      expectCouponError(await call(h, 'PATCH', `${base}/${code}`, manager(T), { name: 'x' }), 404, 'resource_not_found');
      expectCouponError(await call(h, 'PUT', `${base}/${code}`, manager(T), couponBody()), 404, 'resource_not_found');
      expectCouponError(
        await call(h, 'POST', `${base}/${code}/validation`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'C1' })),
        404,
        'resource_not_found',
      );
      expectCouponError(
        await call(h, 'POST', `${base}/${code}/redemptions`, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'C1' })),
        404,
        'resource_not_found',
      );
      expectCouponError(await call(h, 'DELETE', `${base}/${code}/redemptions/${red.body.id}`, manager(T)), 404, 'resource_not_found');
      expectCouponError(await create(couponBody({ code })), 409, 'conflict_resource');
      const history = await call(h, 'GET', `${base}/${code}/redemptions`, manager(T));
      expect(history.body.map((r: { id: string }) => r.id)).toEqual([red.body.id]);
      expect((await call(h, 'GET', `${base}/${code}/redemptions/${red.body.id}`, manager(T))).status).toBe(200);
      const hidden = await call(h, 'GET', `${base}?q=code:${code}`, manager(T));
      expect(hidden.body).toEqual([]);
      const shown = await call(h, 'GET', `${base}?q=code:${code}&showDeleted=true`, manager(T));
      expect(shown.body).toMatchObject([{ code, deleted: true }]);
    });

    it('deletes permanently when the tenant says so: records and counters go, the code is free again', async () => {
      const tenant = 'cpnperm';
      const { SETTINGS_ENTITY } = await import('../src/common/settings.schema');
      await (
        await h.registry.forWrite(tenant, SETTINGS_ENTITY)
      ).collection.insertOne({ _id: 'settings', couponPermanentDelete: true } as never);
      const b = `/coupon/${tenant}/coupons`;
      await call(h, 'POST', b, manager(tenant), couponBody({ code: 'PERM', maxRedemptionsPerCustomer: 1 }));
      expect((await call(h, 'POST', `${b}/PERM/redemptions`, onBehalf(tenant), order(50, 5, 'EUR', { customerNumber: 'C1' }))).status).toBe(
        201,
      );
      expect((await call(h, 'DELETE', `${b}/PERM`, manager(tenant))).status).toBe(204);
      expectCouponError(await call(h, 'GET', `${b}/PERM/redemptions`, manager(tenant)), 404, 'resource_not_found');
      expect((await call(h, 'POST', b, manager(tenant), couponBody({ code: 'PERM', maxRedemptionsPerCustomer: 1 }))).status).toBe(201);
      expect((await call(h, 'GET', `${b}/PERM`, manager(tenant))).body.redemptionCount).toBe(0);
      expect((await call(h, 'GET', `${b}/PERM/redemptions`, manager(tenant))).body).toEqual([]);
      // The old per-customer counter is gone too.
      expect((await call(h, 'POST', `${b}/PERM/redemptions`, onBehalf(tenant), order(50, 5, 'EUR', { customerNumber: 'C1' }))).status).toBe(
        201,
      );
    });
  });

  describe('GET /coupons (list, q, paging, counts)', () => {
    const tenant = 'cpnlist';
    const b = `/coupon/${tenant}/coupons`;
    beforeAll(async () => {
      const bodies = [
        couponBody({ code: 'L01', discountType: 'PERCENT', discountPercentage: 10, maxRedemptions: 1 }),
        couponBody({ code: 'L02', restrictions: { validUntil: '2000-01-01T00:00:00Z' } }),
        couponBody({ code: 'L03', restrictions: { validFrom: '2099-01-01T00:00:00Z' } }),
        couponBody({ code: 'L04', allowAnonymous: true, mixins: { campaign: { channel: 'mail', n: 3 } } }),
        couponBody({ code: 'L05', segmentRestricted: true, restrictions: { segments: ['gold'] } }),
      ];
      for (let i = 6; i <= 20; i++) bodies.push(couponBody({ code: `L${String(i).padStart(2, '0')}`, name: `Name ${i}` }));
      for (const body of bodies) expect((await call(h, 'POST', b, manager(tenant), body)).status).toBe(201);
      expect((await call(h, 'POST', `${b}/L01/redemptions`, onBehalf(tenant), order(50, 5, 'EUR', { customerNumber: 'C1' }))).status).toBe(
        201,
      );
    });
    const codes = (r: { body: Array<{ code: string }> }) => r.body.map((c) => c.code);

    it('defaults to 16 items sorted by code, manager view, no count headers unless asked', async () => {
      const r = await call(h, 'GET', b, reader(tenant));
      expect(r.status).toBe(200);
      expect(codes(r)).toEqual(Array.from({ length: 16 }, (_, i) => `L${String(i + 1).padStart(2, '0')}`));
      expect(r.body[0]).toHaveProperty('redemptionCount', 1);
      expect(r.headers.get('x-total-count')).toBeNull();
      expect(r.headers.get('items-count')).toBeNull();
      const p2 = await call(h, 'GET', `${b}?pageNumber=2&totalCount=true`, manager(tenant));
      expect(codes(p2)).toEqual(['L17', 'L18', 'L19', 'L20']);
      expect(p2.headers.get('x-total-count')).toBe('20');
      expect(p2.headers.get('items-count')).toBe('20');
      const hdr = await call(h, 'GET', `${b}?pageSize=3&sort=code:desc`, manager(tenant), undefined, { 'x-total-count': 'TRUE' });
      expect(codes(hdr)).toEqual(['L20', 'L19', 'L18']);
      expect(hdr.headers.get('items-count')).toBe('20');
      const garbage = await call(h, 'GET', `${b}?pageSize=1`, manager(tenant), undefined, { 'x-total-count': 'yes' });
      expect(garbage.status).toBe(200);
      expect(garbage.headers.get('x-total-count')).toBeNull();
      expect((await call(h, 'GET', `${b}?pageNumber=99`, manager(tenant))).body).toEqual([]);
      expect((await call(h, 'GET', `${b}?fields=code&pageSize=1`, manager(tenant))).body[0]).toHaveProperty('name');
    });

    it('filters with q: fields, lists, comparisons, booleans, regex, mixins and the derived status', async () => {
      const q = async (expr: string) => codes(await call(h, 'GET', `${b}?pageSize=100&q=${encodeURIComponent(expr)}`, manager(tenant)));
      expect(await q('discountType:PERCENT')).toEqual(['L01']);
      expect(await q('code:(L03,L04)')).toEqual(['L03', 'L04']);
      expect(await q('allowAnonymous:true')).toEqual(['L04']);
      expect(await q('redemptionCount:>=1')).toEqual(['L01']);
      expect(await q('restrictions.segments:gold segmentRestricted:true')).toEqual(['L05']);
      expect(await q('name:~"^Name 1"')).toEqual(['L10', 'L11', 'L12', 'L13', 'L14', 'L15', 'L16', 'L17', 'L18', 'L19']);
      expect(await q('name:~"(?i)^name 2"')).toEqual(['L20']);
      expect(await q('mixins.campaign.n:3')).toEqual(['L04']);
      expect(await q('restrictions.validUntil:<"2001-01-01T00:00:00Z"')).toEqual(['L02']);
      expect(await q('status:USED')).toEqual(['L01']);
      expect(await q('status:EXPIRED')).toEqual(['L02']);
      expect(await q('status:INACTIVE')).toEqual(['L03']);
      expect(await q('status:(EXPIRED,INACTIVE)')).toEqual(['L02', 'L03']);
      expect((await q('status:VALID')).length).toBe(17);
    });

    it.each([
      ['q', 'q=unknownField:1'],
      ['q', 'q=status:>VALID'],
      ['q', 'q=status:GONE'],
      ['q', 'q=compoundLogicalQuery:((code:a) OR (code:b))'],
      ['q', `q=name:~${'a'.repeat(101)}`],
      ['q', 'q=maxRedemptions:abc'],
      ['sort', 'sort=status'],
      ['sort', 'sort=code:up'],
      ['pageSize', 'pageSize=0'],
      ['pageSize', 'pageSize=1001'],
      ['pageNumber', 'pageNumber=0'],
      ['pageSize', 'pageSize=1&pageSize=2'],
    ])('rejects a bad %s with invalid_query_parameter (%s)', async (field, qs) => {
      const r = await call(h, 'GET', `${b}?${qs.replace(/ /g, '%20')}`, manager(tenant));
      expectCouponError(r, 400, 'validation_violation');
      expect(r.body.details[0]).toMatchObject({ field, type: 'invalid_query_parameter' });
    });

    it('rejects a bad boolean parameter', async () => {
      expectCouponError(await call(h, 'GET', `${b}?showDeleted=1`, manager(tenant)), 400, 'validation_violation');
    });
  });
});
