import { fmt, load, report } from '../bench-kit';
import type { BenchContext } from '../run';
import { call, expectStatus, pool } from './http';

/**
 * Issue 6: validation of a segment-restricted coupon at a fixed 1,000 requests/s for 30 s against
 * the real customer-segment service (p50/p99/p99.9), and the maximum redemptions per second on one
 * coupon and spread over 1,000 coupons.
 */
export async function couponScenario(ctx: BenchContext): Promise<void> {
  const tenant = 'benchcpn';
  const seg = `${ctx.baseUrl}/customer-segment/${tenant}`;
  const cpn = `${ctx.baseUrl}/coupon/${tenant}`;
  const segManage = await ctx.token({ tenant, scopes: ['customersegment.segment_manage'] });
  const manage = await ctx.token({ tenant, scopes: ['coupon.coupon_manage', 'coupon.coupon_read'] });
  const customer = await ctx.token({ tenant, principalType: 'customer', customerId: 'C1', scopes: ['coupon.coupon_redeem'] });

  await expectStatus(
    'segment',
    call('POST', `${seg}/segments`, segManage, { id: 'vip', name: { en: 'VIP' }, siteCode: 'main', status: 'ACTIVE' }),
    201,
  );
  await expectStatus('member', call('PUT', `${seg}/segments/vip/customers/C1`, segManage, {}), 201, 204);
  await expectStatus(
    'coupon',
    call('POST', `${cpn}/coupons`, manage, {
      code: 'VIPONLY',
      name: 'VIP only',
      discountType: 'PERCENT',
      discountPercentage: 10,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      segmentRestricted: true,
      restrictions: { segments: ['vip'] },
    }),
    201,
  );
  const body = JSON.stringify({ orderTotal: { amount: 100, currency: 'EUR' }, discount: { amount: 10, currency: 'EUR' } });
  await expectStatus('validate once', call('POST', `${cpn}/coupons/VIPONLY/validation`, customer, JSON.parse(body)), 200, 204);
  const validateDuration = Math.max(ctx.durationSec, 30);
  const validate = await load({
    url: ctx.baseUrl,
    connections: 32,
    overallRate: 1000,
    durationSec: validateDuration,
    requests: [
      {
        method: 'POST',
        path: `/coupon/${tenant}/coupons/VIPONLY/validation`,
        headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
        body,
      },
    ],
  });
  report({
    scenario: 'coupon',
    figure: `segment-restricted validation at 1,000/s for ${validateDuration} s (real segment service)`,
    value: `p50 ${fmt.ms(validate.p50)}, p99 ${fmt.ms(validate.p99)}, p99.9 ${fmt.ms(validate.p999)}`,
    note: `achieved ${fmt.rps(validate.rps)}, non-2xx ${validate.non2xx}, errors ${validate.errors}; goal p99 <= 10 ms`,
  });

  const redeemBody = { orderCode: 'o-probe', orderTotal: { amount: 100, currency: 'EUR' }, discount: { amount: 10, currency: 'EUR' } };
  await expectStatus(
    'unlimited coupon',
    call('POST', `${cpn}/coupons`, manage, {
      code: 'HOT',
      name: 'Hot',
      discountType: 'PERCENT',
      discountPercentage: 10,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
    }),
    201,
  );
  await expectStatus('redeem once', call('POST', `${cpn}/coupons/HOT/redemptions`, customer, redeemBody), 201);
  let order = 0;
  const one = await load({
    url: ctx.baseUrl,
    connections: 16,
    durationSec: ctx.durationSec,
    next: () => ({
      method: 'POST',
      path: `/coupon/${tenant}/coupons/HOT/redemptions`,
      headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        orderCode: `o-hot-${order++}`,
        orderTotal: { amount: 100, currency: 'EUR' },
        discount: { amount: 10, currency: 'EUR' },
      }),
    }),
  });
  report({
    scenario: 'coupon',
    figure: 'redemptions on one coupon, 16 conn',
    value: fmt.rps(one.rps),
    ratio: fmt.ratio(one.rps, ctx.baseline.rps),
    note: `p50 ${fmt.ms(one.p50)}, p99 ${fmt.ms(one.p99)}, non-2xx ${one.non2xx}`,
  });

  const codes = Array.from({ length: 1000 }, (_, i) => `SPREAD${i}`);
  await pool(codes, 16, async (code) => {
    await expectStatus(
      'spread coupon',
      call('POST', `${cpn}/coupons`, manage, {
        code,
        name: code,
        discountType: 'PERCENT',
        discountPercentage: 10,
        maxRedemptions: -1,
        maxRedemptionsPerCustomer: -1,
      }),
      201,
    );
  });
  const spread = await load({
    url: ctx.baseUrl,
    connections: 16,
    durationSec: ctx.durationSec,
    next: () => ({
      method: 'POST',
      path: `/coupon/${tenant}/coupons/${codes[order % codes.length]}/redemptions`,
      headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        orderCode: `o-spread-${order++}`,
        orderTotal: { amount: 100, currency: 'EUR' },
        discount: { amount: 10, currency: 'EUR' },
      }),
    }),
  });
  report({
    scenario: 'coupon',
    figure: 'redemptions over 1,000 coupons, 16 conn',
    value: fmt.rps(spread.rps),
    ratio: fmt.ratio(spread.rps, ctx.baseline.rps),
    note: `p50 ${fmt.ms(spread.p50)}, p99 ${fmt.ms(spread.p99)}, non-2xx ${spread.non2xx}`,
  });
}
