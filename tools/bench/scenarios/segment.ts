import mongoose from 'mongoose';
import { fmt, load, LoadResult, report, startBenchApp, timeOnce } from '../bench-kit';
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

  // The bulk load left events behind (one per assignment): the outbox hands them to the webhook
  // service, which stores them for its feed. Wait until that is done, so the reads below are measured
  // on a quiet machine, and report how long the hand-over took.
  const drained = await timeOnce(() => outboxDrained(ctx.suite.mongodbUri, 'customer_segment'));
  report({
    scenario: 'segment',
    figure: "the bulk load's events handed to the webhook service",
    value: `${(drained.ms / 1000).toFixed(1)} s after the load`,
    note: `${drained.value.toLocaleString('en-US')} events were still in the outbox when the load ended`,
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
  const app = ctx.suite.services['customer-segment'];
  const dbPid = ctx.suite.database?.child?.pid;
  const pids = (pid: number | undefined) => (pid !== undefined && dbPid !== undefined ? [pid, dbPid] : undefined);
  const direct = await load({
    url: app.url,
    connections: 50,
    durationSec: ctx.durationSec,
    requests: [{ path: `/customer-segment/${tenant}/segments/bench-gold`, headers: { authorization: `Bearer ${read}` } }],
    cpuOf: pids(app.child?.pid),
  });
  // Anchors (issue #15): a hand-written Nest + mongoose read of the same document from the same
  // database, without auth and with an HS256 bearer check; the app's figure as a share of each.
  const peer = await startBenchApp('naive-peer-app', {
    MONGODB_URI: ctx.suite.mongodbUri,
    AUTH_HS256_SECRET: ctx.signing.secret,
    AUTH_ISSUER: ctx.signing.issuer,
    AUTH_AUDIENCE: ctx.signing.audience,
  });
  let naive: LoadResult;
  let naiveAuth: LoadResult;
  try {
    naive = await load({
      url: peer.url,
      connections: 50,
      durationSec: ctx.durationSec,
      requests: [{ path: `/naive/${tenant}/segments/bench-gold` }],
      cpuOf: pids(peer.pid),
    });
    naiveAuth = await load({
      url: peer.url,
      connections: 50,
      durationSec: ctx.durationSec,
      requests: [{ path: `/naive-auth/${tenant}/segments/bench-gold`, headers: { authorization: `Bearer ${read}` } }],
      cpuOf: pids(peer.pid),
    });
  } finally {
    await peer.stop();
  }
  report({
    scenario: 'segment',
    figure: 'GET /segments/{id}, app directly (no gateway), 50 conn',
    value: fmt.rps(direct.rps),
    ratio: fmt.ratio(direct.rps, ctx.baseline.rps),
    note:
      `p50 ${fmt.ms(direct.p50)}, p99 ${fmt.ms(direct.p99)}, non-2xx ${direct.non2xx}; ` +
      `${Math.round((direct.rps / naive.rps) * 100)} % of the naive peer, ` +
      `${Math.round((direct.rps / naiveAuth.rps) * 100)} % of the peer with a token check (goal >= 100 % of the naive peer); ` +
      `${cpuNote(direct)}, naive peer ${cpuNote(naive)}`,
  });
  report({
    scenario: 'segment',
    figure: 'anchor: naive Nest + mongoose GET by id, no auth, 50 conn',
    value: fmt.rps(naive.rps),
    ratio: fmt.ratio(naive.rps, ctx.baseline.rps),
    note: `p50 ${fmt.ms(naive.p50)}, p99 ${fmt.ms(naive.p99)}, non-2xx ${naive.non2xx} (tools/bench/naive-peer-app.ts)`,
  });
  report({
    scenario: 'segment',
    figure: 'anchor: the same with an HS256 bearer check, 50 conn',
    value: fmt.rps(naiveAuth.rps),
    ratio: fmt.ratio(naiveAuth.rps, ctx.baseline.rps),
    note: `p50 ${fmt.ms(naiveAuth.p50)}, p99 ${fmt.ms(naiveAuth.p99)}, non-2xx ${naiveAuth.non2xx}; ${cpuNote(naiveAuth)}`,
  });
}

/** "CPU per request: app 700 µs + database 130 µs" (the process, then the database), from a load with `cpuOf`. */
function cpuNote(result: LoadResult): string {
  const [process, database] = result.cpuPerRequestUs ?? [];
  if (process === undefined || Number.isNaN(process)) return 'CPU per request not measured';
  return `CPU per request ${Math.round(process)} µs + database ${Math.round(database)} µs`;
}

/** Waits until a service's outbox has no unpublished entry; resolves with how many there were at first. */
async function outboxDrained(uri: string, dbName: string): Promise<number> {
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  try {
    const outbox = connection.collection('outbox');
    const first = await outbox.countDocuments({ publishedAt: null });
    while ((await outbox.countDocuments({ publishedAt: null })) > 0) await new Promise((r) => setTimeout(r, 100));
    return first;
  } finally {
    await connection.close();
  }
}
