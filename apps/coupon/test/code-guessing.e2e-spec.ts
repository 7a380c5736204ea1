import { openConnection } from '@suite/persistence';
import { windowEnded, withinOneWindow } from '@suite/testing';
import type { Connection } from 'mongoose';
import { DATABASE_NAME } from '../src/config/coupon.config';
import {
  call,
  couponBody,
  customer,
  expectCouponError,
  Harness,
  manager,
  onBehalf,
  order,
  Reply,
  S,
  startHarness,
  TokenSpec,
} from './support';

const HOUR = 3_600_000;
const CART = { total: { amount: 60, currency: 'EUR' }, items: [{ productId: 'P1', quantity: 1, price: { amount: 60, currency: 'EUR' } }] };

let tenants = 0;
const freshTenant = () => `guess${++tenants}`;
const guest = (tenant: string, sid: string): TokenSpec => ({ tenant, principalType: 'anonymous', sid, scopes: [S.redeem] });
const from = (address: string) => ({ 'x-forwarded-for': address });

/** The 429 of the guessing throttle, in the coupon profile, with Retry-After within the window. */
function expectThrottled(r: Reply, endsAt: number): void {
  expectCouponError(r, 429, 'too_many_requests');
  expect(r.body.message).toMatch(/^Too many lookups of coupon codes that do not exist; retry after \d+ seconds\.$/);
  expect(r.body.details.every((d: { type: string }) => d.type === 'limit_exceeded')).toBe(true);
  const retryAfter = Number(r.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((endsAt - Date.now()) / 1000));
  expect(retryAfter).toBeLessThanOrEqual(Math.ceil((endsAt - Date.now()) / 1000) + 1);
}

describe('coupon code guessing (COUPON_GUESS_LIMIT, COUPON_GUESS_ADDRESS_LIMIT)', () => {
  let h: Harness;
  let db: Connection;
  let endsAt: number;

  beforeAll(async () => {
    // 3 unknown codes per customer, session or caller, 6 per client address, per hour-long window;
    // the harness talks to the app over loopback, which TRUST_PROXY trusts by default, so
    // X-Forwarded-For gives each simulated client its own address.
    h = await startHarness(undefined, { COUPON_GUESS_LIMIT: '3/1h', COUPON_GUESS_ADDRESS_LIMIT: '6/1h' });
    db = await openConnection({ uri: h.db.uri, dbName: DATABASE_NAME });
  });
  afterAll(async () => {
    await db.close();
    await h.close();
  });
  beforeEach(async () => {
    endsAt = await withinOneWindow(HOUR, 20_000);
  });

  const create = async (t: string, code: string) => {
    const r = await call(h, 'POST', `/coupon/${t}/coupons`, manager(t), couponBody({ code, allowAnonymous: true }));
    if (r.status !== 201) throw new Error(r.text);
  };
  const validate = (t: string, code: string, who: TokenSpec, address: string, extra: Record<string, unknown> = {}) =>
    call(h, 'POST', `/coupon/${t}/coupons/${code}/validation`, who, order(60, 10, 'EUR', extra), from(address));

  it('throttles a customer after N unknown codes: any lookup, of an unknown or a known code, is 429 until the window ends', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    const c1 = customer(t, 'C1');
    for (const code of ['NOPE1', 'NOPE2', 'NOPE3']) expectCouponError(await validate(t, code, c1, '10.0.0.1'), 404, 'resource_not_found');
    expectThrottled(await validate(t, 'REAL10', c1, '10.0.0.1'), endsAt);
    expectThrottled(await validate(t, 'NOPE4', c1, '10.0.0.1'), endsAt);
    // Every route that looks a code up, from any address: the customer is the key.
    expectThrottled(await call(h, 'GET', `/coupon/${t}/coupons/REAL10`, c1, undefined, from('10.0.0.9')), endsAt);
    const redemption = { orderCode: 'O-1', ...order(60, 10) };
    expectThrottled(await call(h, 'POST', `/coupon/${t}/coupons/REAL10/redemptions`, c1, redemption, from('10.0.0.9')), endsAt);
    expectThrottled(await call(h, 'POST', `/coupon/${t}/coupons/REAL10/reservations`, c1, redemption, from('10.0.0.9')), endsAt);
    const qualify = await call(h, 'POST', `/coupon/${t}/qualifications`, c1, { cart: CART, codes: ['REAL10'] }, from('10.0.0.9'));
    expectThrottled(qualify, endsAt);
    expect(qualify.body.details).toEqual([{ type: 'limit_exceeded', message: 'at most 3 unknown codes per 3600 s per customer' }]);
    // Qualifications that name no code look nothing up.
    expect((await call(h, 'POST', `/coupon/${t}/qualifications`, c1, { cart: CART }, from('10.0.0.9'))).status).toBe(200);

    // A legitimate customer with another key is not affected.
    const c2 = customer(t, 'C2');
    expect((await validate(t, 'REAL10', c2, '10.0.0.2')).status).toBe(200);
    expectCouponError(await validate(t, 'NOPE1', c2, '10.0.0.2'), 404, 'resource_not_found');
    expect((await validate(t, 'REAL10', c2, '10.0.0.2')).status).toBe(200);
    // Neither is the same customer number in another tenant.
    const other = freshTenant();
    await create(other, 'REAL10');
    expect((await validate(other, 'REAL10', customer(other, 'C1'), '10.0.0.1')).status).toBe(200);
  });

  it('counts only unknown codes, and a known code does not reset the count', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    const c3 = customer(t, 'C3');
    const statuses: number[] = [];
    for (const code of ['NOPE1', 'REAL10', 'NOPE2', 'REAL10', 'REAL10', 'NOPE3', 'REAL10'])
      statuses.push((await validate(t, code, c3, '10.0.1.1')).status);
    expect(statuses).toEqual([404, 200, 404, 200, 200, 404, 429]);
  });

  it('throttles a guest session, and other sessions from other addresses are unaffected', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    for (const code of ['NOPE1', 'NOPE2', 'NOPE3'])
      expectCouponError(await validate(t, code, guest(t, 'visit-a'), '10.0.2.1'), 404, 'resource_not_found');
    const throttled = await validate(t, 'REAL10', guest(t, 'visit-a'), '10.0.2.9');
    expectThrottled(throttled, endsAt);
    expect(throttled.body.details).toEqual([{ type: 'limit_exceeded', message: 'at most 3 unknown codes per 3600 s per session' }]);
    expect((await validate(t, 'REAL10', guest(t, 'visit-b'), '10.0.2.2')).status).toBe(200);
  });

  it('throttles a client address over all its sessions, so new guest sessions buy no new guesses', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    for (const sid of ['s1', 's2'])
      for (const code of ['NOPE1', 'NOPE2', 'NOPE3'])
        expectCouponError(await validate(t, `${code}${sid}`, guest(t, sid), '10.0.3.1'), 404, 'resource_not_found');
    const fresh = await validate(t, 'REAL10', guest(t, 's3'), '10.0.3.1');
    expectThrottled(fresh, endsAt);
    expect(fresh.body.details).toEqual([{ type: 'limit_exceeded', message: 'at most 6 unknown codes per 3600 s per client address' }]);
    // Everyone behind that address is refused (a shared NAT is why this limit is higher), nobody else.
    expectThrottled(await validate(t, 'REAL10', customer(t, 'C9'), '10.0.3.1'), endsAt);
    expect((await validate(t, 'REAL10', guest(t, 's3'), '10.0.3.2')).status).toBe(200);
    // A caller that is neither customer nor guest is counted by its address.
    const clerk: TokenSpec = { tenant: t, principalType: 'employee', scopes: [S.redeem] };
    for (const code of ['NOPE1', 'NOPE2', 'NOPE3'])
      expectCouponError(await validate(t, code, clerk, '10.0.3.3'), 404, 'resource_not_found');
    expectThrottled(await validate(t, 'REAL10', clerk, '10.0.3.3'), endsAt);
    expect((await validate(t, 'REAL10', clerk, '10.0.3.4')).status).toBe(200);
  });

  it('counts each unknown code a qualification names', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    const q1 = customer(t, 'Q1');
    const qualify = (codes: string[]) => call(h, 'POST', `/coupon/${t}/qualifications`, q1, { cart: CART, codes }, from('10.0.4.1'));
    const first = await qualify(['REAL10', 'NOPE1']);
    expect(first.status).toBe(200);
    expect(first.body.map((row: { code: string }) => row.code)).toEqual(['REAL10']);
    // One failure so far, below the limit of 3: answered, although its three unknown codes go past it.
    const second = await qualify(['REAL10', 'NOPE2', 'nope3', 'NOPE4', 'NOPE4']);
    expect(second.status).toBe(200);
    expect(second.body.map((row: { code: string }) => row.code)).toEqual(['REAL10']);
    expectThrottled(await qualify(['REAL10']), endsAt);
    expectThrottled(await validate(t, 'REAL10', q1, '10.0.4.1'), endsAt);
  });

  it('counts on-behalf callers by the customer they name, never by their own address', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    const backend = onBehalf(t);
    for (const code of ['NOPE1', 'NOPE2', 'NOPE3'])
      expectCouponError(await validate(t, code, backend, '10.0.5.1', { customerNumber: 'OB1' }), 404, 'resource_not_found');
    expectThrottled(await validate(t, 'REAL10', backend, '10.0.5.1', { customerNumber: 'OB1' }), endsAt);
    for (const code of ['NOPE1', 'NOPE2', 'NOPE3'])
      expectCouponError(await validate(t, code, backend, '10.0.5.1', { customerNumber: 'OB2' }), 404, 'resource_not_found');
    // Six failures from the backend's address, yet other customers it speaks for are unaffected.
    expect((await validate(t, 'REAL10', backend, '10.0.5.1', { customerNumber: 'OB3' })).status).toBe(200);
    // The same customer through its own token: the same key.
    expectThrottled(await validate(t, 'REAL10', customer(t, 'OB1'), '10.0.5.2'), endsAt);
  });

  it('does not count managers and readers, who may list every code', async () => {
    const t = freshTenant();
    for (let i = 0; i < 8; i++)
      expectCouponError(
        await call(h, 'GET', `/coupon/${t}/coupons/NOPE${i}`, manager(t), undefined, from('10.0.6.1')),
        404,
        'resource_not_found',
      );
  });

  it('holds under concurrency: of many simultaneous guesses exactly the limit gets an answer', async () => {
    const t = freshTenant();
    const c4 = customer(t, 'C4');
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => validate(t, `NOPE${i}`, c4, '10.0.7.1')));
    expect(answers.filter((r) => r.status === 404)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(9);
  });

  it('keeps no customer number or address in clear in its counters', async () => {
    const ids = (await db.collection('codeguesses').find({}).toArray()).map((d) => String(d._id));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => /C1|C2|OB1|visit-a|10\.0\./.test(id))).toEqual([]);
  });
});

describe('coupon code guessing: untrusted peers and the end of a window', () => {
  let h: Harness;

  beforeAll(async () => {
    // TRUST_PROXY=none: X-Forwarded-For is never believed; two-second windows.
    h = await startHarness(undefined, { COUPON_GUESS_LIMIT: '2/2s', COUPON_GUESS_ADDRESS_LIMIT: '4/2s', TRUST_PROXY: 'none' });
  });
  afterAll(() => h.close());

  const create = async (t: string, code: string) => {
    const r = await call(h, 'POST', `/coupon/${t}/coupons`, manager(t), couponBody({ code, allowAnonymous: true }));
    if (r.status !== 201) throw new Error(r.text);
  };

  it('keys on the socket address when the peer is not a trusted proxy: a forged X-Forwarded-For changes nothing', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    const endsAt = await withinOneWindow(2000, 1500);
    const check = (code: string, sid: string, address: string) =>
      call(h, 'POST', `/coupon/${t}/coupons/${code}/validation`, guest(t, sid), order(60, 10), from(address));
    for (const [sid, address] of [
      ['g1', '10.1.0.1'],
      ['g2', '10.1.0.2'],
    ])
      for (const code of ['NOPE1', 'NOPE2']) expectCouponError(await check(code, sid, address), 404, 'resource_not_found');
    expectThrottled(await check('REAL10', 'g3', '10.1.0.3'), endsAt);
  });

  it('admits lookups again in the next window, and a refused Idempotency-Key runs when retried then', async () => {
    const t = freshTenant();
    await create(t, 'REAL10');
    const k1 = customer(t, 'K1');
    const endsAt = await withinOneWindow(2000, 1500);
    for (const code of ['NOPE1', 'NOPE2'])
      expectCouponError(await call(h, 'POST', `/coupon/${t}/coupons/${code}/validation`, k1, order(60, 10)), 404, 'resource_not_found');
    const redeem = () =>
      call(h, 'POST', `/coupon/${t}/coupons/REAL10/redemptions`, k1, { orderCode: 'O-7', ...order(60, 10) }, { 'idempotency-key': 'k-7' });
    expectThrottled(await redeem(), endsAt);
    await windowEnded(endsAt);
    const retried = await redeem();
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });
});
