import { MongoClient } from 'mongodb';
import { cpuPerRequest, fmt, load, LoadResult, processes, report, startBenchApp } from '../bench-kit';
import { SERVICES, type ServiceName } from '../../launcher';
import type { BenchContext } from '../run';
import { call, expectStatus, pool } from './http';

/**
 * The bookkeeping of a coupon after a load (coupon §9.4): `redemptionCount` against the stored
 * records, and the successful requests. Requests still in flight when the load generator stops
 * are stored but not counted as answered, so `answered` may fall short of the records by at most
 * the connections; the books are read once they stopped moving (those requests finished).
 */
async function books(cpn: string, token: string, code: string, answered: number, connections: number): Promise<string> {
  const read = async () => {
    const coupon = await expectStatus('coupon', call('GET', `${cpn}/coupons/${code}`, token), 200);
    const res = await fetch(`${cpn}/coupons/${code}/redemptions?pageSize=1`, {
      headers: { authorization: `Bearer ${token}`, 'x-total-count': 'true' },
    });
    await res.arrayBuffer();
    return { count: coupon.redemptionCount as number, records: Number(res.headers.get('x-total-count')) };
  };
  let last = await read();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await read();
    const settled = now.count === last.count && now.records === last.records;
    last = now;
    if (settled) break;
  }
  const exact = last.count === last.records && last.records >= answered && last.records - answered <= connections;
  return `books ${exact ? 'exact' : 'WRONG'}: redemptionCount ${last.count}, records ${last.records}, 201s ${answered}`;
}

/** The database commands each app sent so far, by command name (`mongodb_command_duration_seconds_count` of its `/metrics`). */
async function dbCommands(ctx: BenchContext, apps: readonly ServiceName[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const app of apps) {
    const text = await (await fetch(`${ctx.suite.services[app].url}/metrics`)).text();
    for (const [, labels, n] of text.matchAll(/^mongodb_command_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
      const command = /command="([^"]+)"/.exec(labels)?.[1] ?? '?';
      const key = `${app} ${command}`;
      out.set(key, (out.get(key) ?? 0) + Number(n));
    }
  }
  return out;
}

/**
 * What bounds the redemption and validation figures (README of apps/coupon, "Figures"): the
 * database commands per answered request of each app, background work (outbox, leases) included.
 */
function commandsPerRequest(before: Map<string, number>, after: Map<string, number>, requests: number): string {
  const perApp = new Map<string, string[]>();
  const totals = new Map<string, number>();
  for (const [key, n] of after) {
    const per = (n - (before.get(key) ?? 0)) / Math.max(1, requests);
    if (per < 0.05) continue;
    const [app, command] = key.split(' ');
    perApp.set(app, [...(perApp.get(app) ?? []), `${command} ${per.toFixed(2)}`]);
    totals.set(app, (totals.get(app) ?? 0) + per);
  }
  return [...perApp].map(([app, parts]) => `${app} ${totals.get(app)!.toFixed(2)} (${parts.join(', ')})`).join('; ');
}

/**
 * Issue 6: validation of a segment-restricted coupon at a fixed 1,000 requests/s for 30 s against
 * the real customer-segment service (p50/p99/p99.9), and the maximum redemptions per second on one
 * coupon and spread over 1,000 coupons, with the books checked after each (issue 15).
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
  const apps = ['coupon', 'customer-segment'] as const;
  const beforeValidate = await dbCommands(ctx, apps);
  const validateCpu = processes(ctx, apps);
  const validate = await load({
    url: ctx.baseUrl,
    connections: 32,
    overallRate: 1000,
    durationSec: validateDuration,
    cpuOf: validateCpu.pids,
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
    note:
      `achieved ${fmt.rps(validate.rps)}, non-2xx ${validate.non2xx}, errors ${validate.errors}; goal p99 <= 10 ms; ` +
      `db commands per request: ${commandsPerRequest(beforeValidate, await dbCommands(ctx, apps), validate.requests)}; ` +
      cpuPerRequest(validate, validateCpu.labels),
  });

  const naive = await naiveValidation(ctx, tenant, customer, body, validateDuration);
  report({
    scenario: 'coupon',
    figure: `anchor: naive Nest + mongoose validation chain at 1,000/s for ${validateDuration} s (same hops)`,
    value: `p50 ${fmt.ms(naive.result.p50)}, p99 ${fmt.ms(naive.result.p99)}, p99.9 ${fmt.ms(naive.result.p999)}`,
    note:
      `achieved ${fmt.rps(naive.result.rps)}, non-2xx ${naive.result.non2xx}, errors ${naive.result.errors}; ` +
      'gateway, naive coupon app, naive segment app, database (tools/bench/naive-peer-app.ts); ' +
      cpuPerRequest(naive.result, naive.labels),
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
  const beforeOne = await dbCommands(ctx, ['coupon']);
  const answered = (r: { requests: number; non2xx: number; errors: number }) => r.requests - r.non2xx;
  const redeemCpu = processes(ctx, ['coupon', 'webhook']);
  const one = await load({
    url: ctx.baseUrl,
    connections: 16,
    durationSec: ctx.durationSec,
    cpuOf: redeemCpu.pids,
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
  const oneCommands = commandsPerRequest(beforeOne, await dbCommands(ctx, ['coupon']), one.requests);
  const hotBooks = await books(cpn, manage, 'HOT', answered(one) + 1, 16);
  report({
    scenario: 'coupon',
    figure: 'redemptions on one coupon, 16 conn',
    value: fmt.rps(one.rps),
    ratio: fmt.ratio(one.rps, ctx.baseline.rps),
    note:
      `p50 ${fmt.ms(one.p50)}, p99 ${fmt.ms(one.p99)}, non-2xx ${one.non2xx}, errors ${one.errors}; ${hotBooks}; ` +
      `db commands per request: ${oneCommands}; ${cpuPerRequest(one, redeemCpu.labels)}`,
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
    cpuOf: redeemCpu.pids,
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
    note: `p50 ${fmt.ms(spread.p50)}, p99 ${fmt.ms(spread.p99)}, non-2xx ${spread.non2xx}; ${cpuPerRequest(spread, redeemCpu.labels)}`,
  });
}

/**
 * The anchor of the validation figure: the same request through the same hops, written naively
 * (tools/bench/naive-peer-app.ts): a gateway of the suite's kind in front of a naive coupon process,
 * which asks a naive segment process over HTTP, both reading the same embedded database.
 */
async function naiveValidation(
  ctx: BenchContext,
  tenant: string,
  customer: string,
  body: string,
  durationSec: number,
): Promise<{ result: LoadResult; labels: string[] }> {
  const client = await MongoClient.connect(ctx.suite.mongodbUri);
  try {
    const db = client.db('naive_peer');
    await db.collection(`${tenant}_members`).createIndex({ customerId: 1, segmentId: 1 }, { unique: true });
    await db.collection(`${tenant}_members`).updateOne({ customerId: 'C1', segmentId: 'vip' }, { $set: {} }, { upsert: true });
    await db
      .collection<{ _id: string }>(`${tenant}_segments`)
      .replaceOne({ _id: 'vip' }, { status: 'ACTIVE', name: { en: 'VIP' } }, { upsert: true });
    await db
      .collection<{ _id: string }>(`${tenant}_coupons`)
      .replaceOne(
        { _id: 'VIPONLY' },
        { segmentRestricted: true, restrictions: { segments: ['vip'] }, discountPercentage: 10 },
        { upsert: true },
      );
  } finally {
    await client.close();
  }
  const env = {
    MONGODB_URI: ctx.suite.mongodbUri,
    AUTH_HS256_SECRET: ctx.signing.secret,
    AUTH_ISSUER: ctx.signing.issuer,
    AUTH_AUDIENCE: ctx.signing.audience,
  };
  const segment = await startBenchApp('naive-peer-app', env);
  const coupon = await startBenchApp('naive-peer-app', { ...env, NAIVE_SEGMENT_URL: segment.url });
  const upstreams = Object.fromEntries(
    SERVICES.map((name) => [`${name.toUpperCase().replace('-', '_')}_URL`, ctx.suite.services[name].instances.map((i) => i.url).join(',')]),
  );
  const gateway = await startBenchApp('../gateway', { PORT: '0', HOST: '127.0.0.1', ...upstreams, COUPON_URL: coupon.url });
  try {
    const headers = { authorization: `Bearer ${customer}`, 'content-type': 'application/json' };
    const probe = await call('POST', `${gateway.url}/coupon/${tenant}/coupons/VIPONLY/validation`, customer, JSON.parse(body));
    if (probe.status !== 204) throw new Error(`naive validation answered ${probe.status}`);
    const labels = ['naive coupon', 'naive segment', 'database', 'gateway', 'load'];
    const result = await load({
      url: gateway.url,
      connections: 32,
      overallRate: 1000,
      durationSec,
      cpuOf: [coupon.pid, segment.pid, ctx.suite.database?.child?.pid ?? process.pid, gateway.pid, process.pid],
      requests: [{ method: 'POST', path: `/coupon/${tenant}/coupons/VIPONLY/validation`, headers, body }],
    });
    return { result, labels };
  } finally {
    await gateway.stop();
    await coupon.stop();
    await segment.stop();
  }
}
