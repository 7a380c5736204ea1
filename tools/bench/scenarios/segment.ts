import { fmt, load, report } from '../bench-kit';
import type { BenchContext } from '../run';
import { call, expectStatus } from './http';

/**
 * Issue 4: bulk customer upsert of 200 assignments per request with 8 concurrent clients
 * (assignments per second), and an authenticated GET /segments/{id} against the baseline.
 */
export async function segmentScenario(ctx: BenchContext): Promise<void> {
  const tenant = 'benchseg';
  const base = `${ctx.baseUrl}/customer-segment/${tenant}`;
  const manage = await ctx.token({ tenant, scopes: ['customersegment.segment_manage', 'customersegment.segment_read'] });
  await expectStatus(
    'create segment',
    call('POST', `${base}/segments`, manage, { id: 'bench-gold', name: { en: 'Gold' }, siteCode: 'main', status: 'ACTIVE' }),
    201,
  );

  let batch = 0;
  const bulk = await load({
    url: ctx.baseUrl,
    connections: 8,
    durationSec: ctx.durationSec,
    next: () => {
      // New customers in every request: every element is an insert (the more expensive case).
      const b = batch++;
      const body = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ customerId: `c-${b}-${i}` })));
      return {
        method: 'PUT',
        path: `/customer-segment/${tenant}/segments/bench-gold/customers/bulk`,
        headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
        body,
      };
    },
  });
  report({
    scenario: 'segment',
    figure: 'bulk customer upsert, 200/request, 8 clients',
    value: `${fmt.rps(bulk.rps * 200)} assignments`,
    note:
      `${fmt.rps(bulk.rps)} requests, p50 ${fmt.ms(bulk.p50)}, p99 ${fmt.ms(bulk.p99)}, ` +
      `non-2xx ${bulk.non2xx}, errors ${bulk.errors}; goal >= 50,000/s`,
  });

  const read = await ctx.token({ tenant, scopes: ['customersegment.segment_read'] });
  const get = await load({
    url: `${base}/segments/bench-gold`,
    connections: 50,
    durationSec: ctx.durationSec,
    requests: [{ path: `/customer-segment/${tenant}/segments/bench-gold`, headers: { authorization: `Bearer ${read}` } }],
  });
  report({
    scenario: 'segment',
    figure: 'GET /segments/{id}, authenticated, 50 conn',
    value: fmt.rps(get.rps),
    ratio: fmt.ratio(get.rps, ctx.baseline.rps),
    note: `p50 ${fmt.ms(get.p50)}, p99 ${fmt.ms(get.p99)}, non-2xx ${get.non2xx}`,
  });
  // The same read on the app's internal address, without the gateway hop: separates the proxy's
  // share from the app's.
  const app = ctx.suite.services['customer-segment'].url;
  const direct = await load({
    url: app,
    connections: 50,
    durationSec: ctx.durationSec,
    requests: [{ path: `/customer-segment/${tenant}/segments/bench-gold`, headers: { authorization: `Bearer ${read}` } }],
  });
  report({
    scenario: 'segment',
    figure: 'GET /segments/{id}, app directly (no gateway), 50 conn',
    value: fmt.rps(direct.rps),
    ratio: fmt.ratio(direct.rps, ctx.baseline.rps),
    note: `p50 ${fmt.ms(direct.p50)}, p99 ${fmt.ms(direct.p99)}, non-2xx ${direct.non2xx}`,
  });
}
