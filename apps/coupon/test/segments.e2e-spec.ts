import { SETTINGS_ENTITY } from '../src/common/settings.schema';
import { FakeSegment, idsOfQ, jwtPayload, segmentService } from './segment-stub';
import {
  call,
  couponBody,
  customer,
  expectCouponError,
  expectRefusal,
  Harness,
  manager,
  onBehalf,
  order,
  startHarness,
  uniqueCode,
} from './support';

const T = 'cpnseg';
const base = `/coupon/${T}/coupons`;
const hour = 3600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

const UNAVAILABLE = {
  status: 503,
  type: 'service_unavailable',
  message: 'Customer segment membership could not be verified; please retry later.',
  details: [
    { field: 'restrictions.segments', type: 'segment_service_unavailable', message: 'The customer segment service did not answer.' },
  ],
};

const MEMBERSHIP: Record<string, FakeSegment[]> = {
  MEMBER: [{ id: 'gold', status: 'ACTIVE' }],
  INACTIVE: [{ id: 'gold', status: 'INACTIVE' }],
  EXPIRED: [{ id: 'gold', status: 'ACTIVE', validity: { to: iso(-hour) } }],
  FUTURE: [{ id: 'silver', status: 'ACTIVE', validity: { from: iso(hour) } }],
  WINDOW: [{ id: 'silver', status: 'ACTIVE', validity: { from: iso(-hour), to: iso(hour) } }],
  MIXED: [
    { id: 'gold', status: 'INACTIVE' },
    { id: 'silver', status: 'ACTIVE' },
  ],
  OTHER: [{ id: 'bronze', status: 'ACTIVE' }],
  'B2B/LE-1': [{ id: 'gold', status: 'ACTIVE' }],
  B2B: [],
};

describe('segment-restricted coupons (R12, coupon §10) against a customer-segment stub', () => {
  let h: Harness;
  beforeAll(async () => {
    // Breaker thresholds raised so the failure matrix does not open it (S2S-13); its own test below uses the defaults.
    h = await startHarness((c) => ({
      ...c,
      segmentClient: { timeouts: { attemptMs: 300 }, breaker: { consecutiveFailures: 10_000, minCallsInWindow: 10_000 } },
    }));
    h.stub.respond(segmentService(T, MEMBERSHIP));
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.stub.respond(segmentService(T, MEMBERSHIP));
    h.stub.reset();
  });

  const create = async (overrides: Record<string, unknown> = {}) => {
    const r = await call(
      h,
      'POST',
      base,
      manager(T),
      couponBody({ code: uniqueCode('S'), segmentRestricted: true, restrictions: { segments: ['gold', 'silver'] }, ...overrides }),
    );
    if (r.status !== 201) throw new Error(r.text);
    return r.body.id as string;
  };
  const validate = (code: string, who: Parameters<typeof call>[3], body: unknown = order(50, 5)) =>
    call(h, 'POST', `${base}/${code}/validation`, who, body);
  const redeem = (code: string, who: Parameters<typeof call>[3], body: unknown = order(50, 5)) =>
    call(h, 'POST', `${base}/${code}/redemptions`, who, body);

  it('a member of an effectively active listed segment may validate and redeem', async () => {
    const code = await create();
    expect((await validate(code, customer(T, 'MEMBER'))).status).toBe(200);
    expect((await redeem(code, customer(T, 'MEMBER'))).status).toBe(201);
    for (const who of ['WINDOW', 'MIXED']) expect((await validate(code, customer(T, who))).status).toBe(200);
  });

  it.each(['NOBODY', 'INACTIVE', 'EXPIRED', 'FUTURE', 'OTHER'])('customer %s is refused with customer_not_in_segment', async (who) => {
    const code = await create();
    expectRefusal(await validate(code, customer(T, who)), 'customer_not_in_segment', 'restrictions.segments');
    expectRefusal(await redeem(code, customer(T, who)), 'customer_not_in_segment', 'restrictions.segments');
    expect((await call(h, 'GET', `${base}/${code}`, manager(T))).body.redemptionCount).toBe(0);
  });

  it(
    'asks exactly as the contract says: own service token with ' + 'segment_read, quoted ids, pageSize n, legalEntityId only when set',
    async () => {
      const code = await create();
      await validate(code, customer(T, 'MEMBER'), order(50, 5));
      expect(h.stub.requests).toHaveLength(1);
      const [req] = h.stub.requests;
      expect(req.path).toBe(`/customer-segment/${T}/segments`);
      expect(Object.fromEntries(req.query)).toEqual({ customerId: 'MEMBER', q: 'id:("gold","silver")', pageSize: '2', pageNumber: '1' });
      const claims = jwtPayload(req.headers.authorization);
      expect(claims).toMatchObject({ tenant: T, principalType: 'service', scope: 'customersegment.segment_read' });
      expect(claims.customerId).toBeUndefined();
      expect(req.headers['x-request-id']).toEqual(expect.any(String));
      h.stub.reset();
      // B2B: the effective legal entity is passed; on behalf of a named customer too.
      expect((await validate(code, customer(T, 'B2B', { legalEntityId: 'LE-1' }))).status).toBe(200);
      expect(h.stub.requests[0].query.get('legalEntityId')).toBe('LE-1');
      expectRefusal(await validate(code, onBehalf(T), order(50, 5, 'EUR', { customerNumber: 'B2B' })), 'customer_not_in_segment');
      expect(h.stub.requests[1].query.get('legalEntityId')).toBeNull();
      expect(h.stub.requests[1].query.get('customerId')).toBe('B2B');
    },
  );

  it(
    // Every id is sent quoted; ids that need escaping cannot be segment ids (ID-3) and are refused
    // at write time (input-hardening.e2e-spec.ts), the escaping itself is quoteQValue's (paging.spec.ts).
    'quotes the ids, asks for the next page when a full page ' + 'decided nothing, and never calls when a local check already failed',
    async () => {
      const code = await create({ restrictions: { segments: ['a.b', 'c~d'] } });
      h.stub.respond((req) => {
        const ids = idsOfQ(req.query.get('q'));
        expect(ids).toEqual(['a.b', 'c~d']);
        return req.query.get('pageNumber') === '1'
          ? {
              json: [
                { id: 'a.b', status: 'INACTIVE' },
                { id: 'zzz', status: 'ACTIVE' },
              ],
            }
          : { json: [{ id: 'c~d', status: 'ACTIVE' }] };
      });
      expect((await validate(code, customer(T, 'ANY'))).status).toBe(200);
      expect(h.stub.requests.map((r) => r.query.get('pageNumber'))).toEqual(['1', '2']);
      h.stub.reset();
      // A full page that already shows an active membership decides: no second call.
      h.stub.respond(() => ({
        json: [
          { id: 'c~d', status: 'ACTIVE' },
          { id: 'a.b', status: 'ACTIVE' },
        ],
      }));
      expect((await validate(code, customer(T, 'ANY'))).status).toBe(200);
      expect(h.stub.requests).toHaveLength(1);
      h.stub.reset();
      const expired = await create({ restrictions: { segments: ['gold'], validUntil: '2000-01-01T00:00:00Z' } });
      expectRefusal(await validate(expired, customer(T, 'MEMBER')), 'coupon_expired');
      expectRefusal(await validate(expired, customer(T, 'MEMBER'), order(50, 500)), 'coupon_expired');
      expect(h.stub.requests).toHaveLength(0);
    },
  );

  it('asks again on every request (membership is never cached)', async () => {
    const code = await create();
    expect((await validate(code, customer(T, 'MEMBER'))).status).toBe(200);
    h.stub.respond(() => ({ json: [] }));
    expectRefusal(await validate(code, customer(T, 'MEMBER')), 'customer_not_in_segment');
    expect(h.stub.requests).toHaveLength(2);
  });

  const failures: Array<[string, Parameters<Harness['stub']['respond']>[0], number]> = [
    ['500', () => ({ status: 500, json: { error: 'boom' } }), 1],
    ['503 (retried once)', () => ({ status: 503, json: {} }), 2],
    ['502 (retried once)', () => ({ status: 502, raw: 'bad gateway' }), 2],
    ['429 (retried once)', () => ({ status: 429, json: {} }), 2],
    ['401', () => ({ status: 401, json: {} }), 1],
    ['403', () => ({ status: 403, json: {} }), 1],
    ['404', () => ({ status: 404, json: {} }), 1],
    ['400', () => ({ status: 400, json: {} }), 1],
    ['a body that is not JSON', () => ({ status: 200, raw: '<html>oops</html>', headers: { 'content-type': 'text/html' } }), 1],
    ['an empty 200', () => ({ status: 200, raw: '' }), 1],
    ['a JSON object instead of a list', () => ({ status: 200, json: { id: 'gold', status: 'ACTIVE' } }), 1],
    ['rows without id or status', () => ({ status: 200, json: [{ name: 'gold' }] }), 1],
    ['a row with an unreadable validity', () => ({ status: 200, json: [{ id: 'gold', status: 'ACTIVE', validity: { from: 'soon' } }] }), 1],
    ['more rows than asked for', () => ({ status: 200, json: [1, 2, 3].map((i) => ({ id: `x${i}`, status: 'ACTIVE' })) }), 1],
    ['a slow answer (beyond the attempt timeout)', () => ({ status: 200, json: [{ id: 'gold', status: 'ACTIVE' }], delayMs: 500 }), 2],
    ['a hanging answer', () => ({ hang: true }), 2],
    ['a reset connection', () => ({ reset: true }), 2],
  ];
  it.each(failures)('fails closed on %s: 503 with the §10.3 body, nothing written', async (_what, reply, attempts) => {
    const code = await create({ maxRedemptionsPerCustomer: 1 });
    h.stub.respond(reply);
    const v = await validate(code, customer(T, 'MEMBER'));
    expect(v.status).toBe(503);
    expect(v.body).toEqual(UNAVAILABLE);
    expect(h.stub.requests.length).toBe(attempts);
    const r = await redeem(code, customer(T, 'MEMBER'), order(50, 5, 'EUR', { orderCode: 'O-FAIL' }));
    expectCouponError(r, 503, 'service_unavailable');
    expect(r.body).toEqual(UNAVAILABLE);
    const c = (await call(h, 'GET', `${base}/${code}`, manager(T))).body;
    expect(c.redemptionCount).toBe(0);
    expect((await call(h, 'GET', `${base}/${code}/redemptions`, manager(T))).body).toEqual([]);
    // Nothing reserved: once the peer answers again the customer still has their one use.
    h.stub.respond(segmentService(T, MEMBERSHIP));
    expect((await redeem(code, customer(T, 'MEMBER'), order(50, 5, 'EUR', { orderCode: 'O-FAIL' }))).status).toBe(201);
  });

  it('the seed tutorial coupon ENG2OC0: created as shown, validated, redeemed, then segment-restricted', async () => {
    const t = 'cpntutorial';
    const b = `/coupon/${t}/coupons`;
    h.stub.respond(segmentService(t, { 'C-MEMBER': [{ id: 'vip', status: 'ACTIVE' }] }));
    const created = await call(h, 'POST', b, manager(t), {
      code: 'ENG2OC0',
      name: 'Winter Sale 2022',
      description: 'Absolute coupon',
      discountType: 'ABSOLUTE',
      discountAbsolute: { amount: 24.99, currency: 'USD' },
      allowAnonymous: false,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: 1,
      categoryRestricted: false,
      segmentRestricted: false,
      restrictions: { validFor: [], minOrderValue: { amount: 49.99, currency: 'USD' } },
      issuedTo: '',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'ENG2OC0', yrn: `urn:yaas:saasag:coupon:coupon:${t};ENG2OC0` });
    const tutorialOrder = {
      orderCode: 'TUT-1',
      orderTotal: { amount: 49.99, currency: 'USD' },
      discount: { amount: 24.99, currency: 'USD' },
    };
    expect((await call(h, 'POST', `${b}/ENG2OC0/validation`, customer(t, 'C-1'), tutorialOrder)).status).toBe(200);
    expectRefusal(
      await call(h, 'POST', `${b}/ENG2OC0/validation`, customer(t, 'C-1'), {
        ...tutorialOrder,
        orderTotal: { amount: 49.98, currency: 'USD' },
      }),
      'min_order_value_not_reached',
    );
    expect((await call(h, 'POST', `${b}/ENG2OC0/redemptions`, customer(t, 'C-1'), tutorialOrder)).status).toBe(201);
    expectRefusal(
      await call(h, 'POST', `${b}/ENG2OC0/redemptions`, customer(t, 'C-1'), { ...tutorialOrder, orderCode: 'TUT-2' }),
      'max_redemptions_per_customer_reached',
    );
    expect(h.stub.requests).toHaveLength(0);
    const patched = await call(h, 'PATCH', `${b}/ENG2OC0`, manager(t), { segmentRestricted: true, restrictions: { segments: ['vip'] } });
    expect(patched.body).toMatchObject({
      segmentRestricted: true,
      restrictions: { segments: ['vip'] },
      metadata: { version: 1 },
      redemptionCount: 1,
    });
    expect((await call(h, 'POST', `${b}/ENG2OC0/validation`, customer(t, 'C-MEMBER'), tutorialOrder)).status).toBe(200);
    expect(
      (await call(h, 'POST', `${b}/eng2oc0/redemptions`, customer(t, 'C-MEMBER'), { ...tutorialOrder, orderCode: 'TUT-3' })).status,
    ).toBe(201);
    expectRefusal(await call(h, 'POST', `${b}/ENG2OC0/validation`, customer(t, 'C-STRANGER'), tutorialOrder), 'customer_not_in_segment');
    expect(h.stub.requests.map((r) => r.query.get('customerId'))).toEqual(['C-MEMBER', 'C-MEMBER', 'C-STRANGER']);
  });

  it('ignores settings it does not need: a settings document does not change the segment call', async () => {
    await (
      await h.registry.forWrite('cpnsegset', SETTINGS_ENTITY)
    ).collection.insertOne({ _id: 'settings', enableCouponCodeCaseSensitivity: true } as never);
    h.stub.respond(segmentService('cpnsegset', { M: [{ id: 'g', status: 'ACTIVE' }] }));
    const b = '/coupon/cpnsegset/coupons';
    await call(
      h,
      'POST',
      b,
      manager('cpnsegset'),
      couponBody({ code: 'Seg1', segmentRestricted: true, restrictions: { segments: ['g'] } }),
    );
    expect((await call(h, 'POST', `${b}/Seg1/validation`, customer('cpnsegset', 'M'), order(50, 5))).status).toBe(200);
    expectCouponError(await call(h, 'POST', `${b}/SEG1/validation`, customer('cpnsegset', 'M'), order(50, 5)), 404, 'resource_not_found');
  });
});

describe('segment call resilience with the production limits (§10.3)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('gives up within the 3 s budget (2 s per attempt, one retry) on a hanging peer', async () => {
    const code = (await call(h, 'POST', base, manager(T), couponBody({ segmentRestricted: true, restrictions: { segments: ['gold'] } })))
      .body.id;
    h.stub.respond(() => ({ hang: true }));
    const started = Date.now();
    const v = await call(h, 'POST', `${base}/${code}/validation`, customer(T, 'MEMBER'), order(50, 5));
    const took = Date.now() - started;
    expect(v.body).toEqual(UNAVAILABLE);
    expect(h.stub.requests).toHaveLength(2);
    expect(took).toBeGreaterThanOrEqual(2000); // the first attempt ran its full 2 s
    expect(took).toBeLessThan(4000); // 3 s budget plus slack for a loaded CI machine
  });

  it('opens the circuit after repeated failures: later checks fail at once without reaching the peer, with Retry-After', async () => {
    const code = (await call(h, 'POST', base, manager(T), couponBody({ segmentRestricted: true, restrictions: { segments: ['gold'] } })))
      .body.id;
    h.stub.respond(() => ({ status: 500, json: {} }));
    for (let i = 0; i < 5; i++) await call(h, 'POST', `${base}/${code}/validation`, customer(T, 'MEMBER'), order(50, 5));
    h.stub.reset();
    h.stub.respond(segmentService(T, MEMBERSHIP));
    const started = Date.now();
    const v = await call(h, 'POST', `${base}/${code}/redemptions`, customer(T, 'MEMBER'), order(50, 5));
    expect(Date.now() - started).toBeLessThan(1000); // far below one 2 s attempt: the peer is not tried
    expect(v.body).toEqual(UNAVAILABLE);
    expect(Number(v.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(h.stub.requests).toHaveLength(0);
    expect((await call(h, 'GET', `${base}/${code}`, manager(T))).body.redemptionCount).toBe(0);
  });
});
