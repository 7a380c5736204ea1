import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { Agent, request } from 'undici';
import { cpuPerRequest, fmt, load, percentile, processes, report } from '../bench-kit';
import type { BenchContext } from '../run';
import { call, expectStatus } from './http';
import { now, startReceiver, subscribeReceiver } from './receiver';

const SCOPES = [
  'customersegment.segment_manage',
  'customersegment.segment_read',
  'customersegment.profile_manage',
  'customersegment.profile_read',
];
/** Profiles of the rule-change and export figures (issue #17: 1,000,000); `BENCH_PROFILES` lowers it for a quick run. */
const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);

/** Resident memory of a process in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** 200 rules of the kinds merchants write: a country, spend and order thresholds, tags, a mixin. */
function rules(): string[] {
  const countries = ['DE', 'AT', 'CH', 'FR', 'IT', 'ES', 'PL', 'NL', 'SE', 'DK'];
  return Array.from({ length: 200 }, (_, i) => {
    const c = countries[i % countries.length];
    switch (i % 5) {
      case 0:
        return `attributes.country:${c} attributes.totalSpent.amount:>${(i % 7) * 100}`;
      case 1:
        return `attributes.orderCount:>=${i % 13} attributes.country:(${c},${countries[(i + 3) % 10]})`;
      case 2:
        return `attributes.tags:t${i % 20}`;
      case 3:
        return `compoundLogicalQuery:((attributes.country:${c}) OR (mixins.loyalty.tier:gold))`;
      default:
        return `attributes.emailDomain:~"^shop${i % 10}" attributes.lastOrderAt:>=2026-01-01`;
    }
  });
}

function profileBody(i: number): string {
  const countries = ['DE', 'AT', 'CH', 'FR', 'IT', 'ES', 'PL', 'NL', 'SE', 'DK'];
  return JSON.stringify({
    attributes: {
      country: countries[i % 10],
      emailDomain: `shop${i % 10}.example`,
      orderCount: i % 17,
      totalSpent: { amount: (i * 37) % 900, currency: 'EUR' },
      lastOrderAt: '2026-06-01T00:00:00Z',
      tags: [`t${i % 20}`, `t${(i * 7) % 20}`],
    },
    mixins: { loyalty: { tier: i % 9 === 0 ? 'gold' : 'silver' } },
  });
}

/**
 * Issue #17: profile upserts evaluated against 200 rules (goal p99 <= 10 ms), the delay from a
 * profile write to the enter event at a webhook receiver (goal p99 <= 1 s), a rule change over
 * 1,000,000 profiles (goal >= 50,000 profiles/s) and the export of 1,000,000 members (goal >= 200,000
 * rows/s, flat memory). Anchors from the same run: the same upserts on a tenant without rules, and
 * the database cursor alone reading the rows the export reads.
 */
export async function profilesScenario(ctx: BenchContext): Promise<void> {
  const tenant = 'benchprof';
  const token = await ctx.token({ tenant, scopes: SCOPES });
  const base = `${ctx.baseUrl}/customer-segment/${tenant}`;
  const all = rules();
  for (let i = 0; i < all.length; i += 100) {
    const body = all
      .slice(i, i + 100)
      .map((rule, k) => ({ id: `r-${i + k}`, name: { en: `Rule ${i + k}` }, siteCode: 'main', status: 'ACTIVE', rule }));
    await expectStatus('rule segments', call('POST', `${base}/segments/bulk`, token, body), 207);
  }
  const cpu = processes(ctx, ['customer-segment']);
  let seq = 0;
  const upserts = (t: string, prefix: string) => () => {
    const i = seq++;
    return {
      method: 'PUT' as const,
      path: `/customer-segment/${t}/profiles/${prefix}-${i}`,
      headers: { authorization: `Bearer ${t === tenant ? token : other}`, 'content-type': 'application/json' },
      body: profileBody(i),
    };
  };
  const otherTenant = 'benchprof0';
  const other = await ctx.token({ tenant: otherTenant, scopes: SCOPES });
  for (const connections of [1, 4]) {
    const anchor = await load({
      url: ctx.baseUrl,
      connections,
      durationSec: Math.min(ctx.durationSec, 5),
      next: upserts(otherTenant, `a${connections}`),
      cpuOf: cpu.pids,
    });
    const ruled = await load({
      url: ctx.baseUrl,
      connections,
      durationSec: Math.min(ctx.durationSec, 5),
      next: upserts(tenant, `u${connections}`),
      cpuOf: cpu.pids,
    });
    report({
      scenario: 'profiles',
      figure: `profile upsert evaluated against 200 rules, ${connections} conn`,
      value: `p50 ${fmt.ms(ruled.p50)}, p99 ${fmt.ms(ruled.p99)}`,
      note: `${fmt.rps(ruled.rps)}, non-2xx ${ruled.non2xx}; goal p99 <= 10 ms; ${cpuPerRequest(ruled, cpu.labels)}`,
    });
    report({
      scenario: 'profiles',
      figure: `anchor: the same upsert, tenant without rules, ${connections} conn`,
      value: `p50 ${fmt.ms(anchor.p50)}, p99 ${fmt.ms(anchor.p99)}`,
      note: `${fmt.rps(anchor.rps)}, non-2xx ${anchor.non2xx}; ${cpuPerRequest(anchor, cpu.labels)}`,
    });
  }

  // The everyday write: an existing shopper's order count moves on; memberships change now and then.
  for (let i = 0; i < 200; i++)
    await expectStatus('pool', call('PUT', `${base}/profiles/pool-${i}`, token, JSON.parse(profileBody(i))), 201);
  let n = 0;
  const updates = () => {
    const i = n++;
    const body = JSON.parse(profileBody(i % 200));
    body.attributes.orderCount = (i % 200) + Math.floor(i / 200);
    return {
      method: 'PUT' as const,
      path: `/customer-segment/${tenant}/profiles/pool-${i % 200}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  };
  const update = await load({
    url: ctx.baseUrl,
    connections: 1,
    durationSec: Math.min(ctx.durationSec, 5),
    next: updates,
    cpuOf: cpu.pids,
  });
  report({
    scenario: 'profiles',
    figure: 'profile update (order count + 1) evaluated against 200 rules, 1 conn',
    value: `p50 ${fmt.ms(update.p50)}, p99 ${fmt.ms(update.p99)}`,
    note: `${fmt.rps(update.rps)}, non-2xx ${update.non2xx}; goal p99 <= 10 ms; ${cpuPerRequest(update, cpu.labels)}`,
  });

  await enterEvents(ctx, tenant, token);
  // The export first, on members written through the driver: no million events are being handed on meanwhile.
  await memberExport(ctx);
  await ruleChanges(ctx);
}

/** Profile write (acknowledged) → its enter event at a webhook receiver, 50 writes/s, each entering segment `enter`. */
async function enterEvents(ctx: BenchContext, tenant: string, token: string): Promise<void> {
  const receiver = await startReceiver();
  const agent = new Agent({ connections: 64 });
  try {
    await expectStatus(
      'enter segment',
      call('PUT', `${ctx.baseUrl}/customer-segment/${tenant}/segments/enter`, token, {
        name: 'enter',
        siteCode: 'main',
        status: 'ACTIVE',
        rule: 'mixins.bench.enter:true',
      }),
      201,
    );
    await subscribeReceiver(ctx, tenant, receiver.url, 'customer-segment.customer-assignment-created');
    const acks = new Map<string, number>();
    const rate = 50;
    const total = rate * ctx.durationSec;
    const started = now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      if (due > now()) await new Promise((r) => setTimeout(r, due - now()));
      const id = `enter-${i}`;
      pending.push(
        request(`${ctx.baseUrl}/customer-segment/${tenant}/profiles/${id}`, {
          method: 'PUT',
          dispatcher: agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          // Only the `enter` rule holds: one event per write.
          body: JSON.stringify({ attributes: { country: 'XX' }, mixins: { bench: { enter: true } } }),
        }).then(async (res) => {
          await res.body.dump();
          if (res.statusCode === 201) acks.set(id, now());
        }),
      );
    }
    await Promise.all(pending);
    const deadline = now() + 30_000;
    while (now() < deadline && [...acks.keys()].some((k) => !receiver.arrivals.has(k))) await new Promise((r) => setTimeout(r, 50));
    const delays = [...acks].filter(([k]) => receiver.arrivals.has(k)).map(([k, at]) => receiver.arrivals.get(k)! - at);
    report({
      scenario: 'profiles',
      figure: `profile write ack → its enter event at a webhook receiver, ${rate} writes/s`,
      value: `p50 ${fmt.ms(percentile(delays, 50))}, p99 ${fmt.ms(percentile(delays, 99))}`,
      note: `${delays.length} delivered of ${acks.size} acknowledged (${total} sent); goal p99 <= 1000 ms`,
    });
  } finally {
    await agent.close();
    await receiver.close();
  }
}

/** Rule changes over PROFILES profiles (inserted through the driver): none, a few and every one entering. */
async function ruleChanges(ctx: BenchContext): Promise<void> {
  const tenant = 'benchprofmany';
  const token = await ctx.token({ tenant, scopes: SCOPES });
  const base = `${ctx.baseUrl}/customer-segment/${tenant}`;
  // The collection exists (and gets its indexes) through the API first.
  await expectStatus('first profile', call('PUT', `${base}/profiles/seed`, token, { attributes: { country: 'DE' } }), 201);
  const client = await MongoClient.connect(ctx.suite.mongodbUri);
  const started = now();
  try {
    const profiles = client.db('customer_segment').collection<{ _id: string }>(`${tenant}_segment_profiles`);
    const at = new Date();
    for (let i = 0; i < PROFILES; i += 10_000) {
      const docs = Array.from({ length: Math.min(10_000, PROFILES - i) }, (_, k) => {
        const n = i + k;
        const customerId = `c${String(n).padStart(7, '0')}`;
        return {
          _id: `customer/${customerId}`,
          kind: 'customer',
          customerId,
          legalEntityId: null,
          attributes: { country: n % 2 ? 'DE' : 'FR', orderCount: n % 17 },
          metadata: { version: 1, createdAt: at, modifiedAt: at },
        };
      });
      await profiles.insertMany(docs, { ordered: false });
    }
  } finally {
    await client.close();
  }
  report({
    scenario: 'profiles',
    figure: `setup: ${PROFILES.toLocaleString('en-US')} profiles through the driver`,
    value: `${((now() - started) / 1000).toFixed(1)} s`,
  });

  // The floor of a job that reads every profile (how jobs worked before the database picked the candidates).
  const reader = await MongoClient.connect(ctx.suite.mongodbUri);
  try {
    const t0 = now();
    let n = 0;
    const all = reader.db('customer_segment').collection(`${tenant}_segment_profiles`);
    for await (const doc of all.find({ kind: 'customer' }, { batchSize: 1000, sort: { _id: 1 } })) if (doc) n++;
    report({
      scenario: 'profiles',
      figure: 'anchor: reading every profile through the driver, in the bench process (no evaluation, no writes)',
      value: fmt.rps((n / (now() - t0)) * 1000) + ' profiles',
      note: `${n.toLocaleString('en-US')} profiles`,
    });
  } finally {
    await reader.close();
  }
  // Before the changes: the events of the last one are still being handed on when its job is done.
  await enteringWritesAnchor(ctx);
  const total = (PROFILES + 1).toLocaleString('en-US');
  // Nobody, about one in 34 (order count 16 in DE), everybody: what a rule change costs is its membership changes.
  await ruleChange(ctx, base, token, 'none', 'attributes.orderCount:>100', `rule change over ${total} profiles, none entering`);
  await ruleChange(
    ctx,
    base,
    token,
    'few',
    'attributes.orderCount:16 attributes.country:DE',
    `rule change over ${total} profiles, 1 in 34 entering`,
  );
  await ruleChange(ctx, base, token, 'many', 'attributes.orderCount:>=0', `rule change over ${total} profiles, every one entering`);
}

/**
 * Anchor of "every one entering": only the writes such a change must make, naively through the
 * driver from the bench process (PROFILES assignments under the collection's indexes and PROFILES
 * events in outbox documents of 100, in batches of 1,000): no reads, no evaluation, no hand-over.
 */
async function enteringWritesAnchor(ctx: BenchContext): Promise<void> {
  const client = await MongoClient.connect(ctx.suite.mongodbUri);
  try {
    const db = client.db('bench_anchor');
    const assignments = db.collection('anchor_segment_customer_assignments');
    await assignments.createIndex({ segmentId: 1, customerId: 1, legalEntityId: 1 }, { unique: true });
    await assignments.createIndex({ customerId: 1, legalEntityId: 1 });
    const outbox = db.collection<{ _id: string }>('outbox');
    await outbox.createIndex({ publishedAt: 1, createdAt: 1, seq: 1, _id: 1 });
    const at = new Date();
    const time = at.toISOString();
    let seq = 0;
    const t0 = now();
    for (let i = 0; i < PROFILES; i += 1000) {
      const ids = Array.from({ length: Math.min(1000, PROFILES - i) }, (_, k) => `c${String(i + k).padStart(7, '0')}`);
      const metadata = { version: 1, createdAt: at, modifiedAt: at };
      await assignments.insertMany(
        ids.map((customerId) => ({
          segmentId: 'many',
          customerId,
          legalEntityId: null,
          assignmentType: 'AUTOMATIC',
          ruleJob: 2,
          metadata,
        })),
        { ordered: false },
      );
      const events = ids.map((customerId) => ({
        specversion: '1.0',
        id: randomUUID(),
        source: '/customer-segment',
        type: 'customer-segment.customer-assignment-created',
        subject: `many/customers/${customerId}`,
        time,
        datacontenttype: 'application/json',
        tenant: 'anchor',
        entityversion: 1,
        actortype: 'employee',
        actorid: 'admin',
        requestid: randomUUID(),
        data: {
          segmentId: 'many',
          customer: { id: customerId },
          assignmentType: 'AUTOMATIC',
          metadata: { version: 1, createdAt: time, modifiedAt: time },
        },
      }));
      const docs = [];
      for (let j = 0; j < events.length; j += 100) {
        const part = events.slice(j, j + 100);
        docs.push({
          _id: part[0].id,
          tenant: 'anchor',
          events: part,
          count: part.length,
          sent: 0,
          createdAt: at,
          seq: seq++,
          publishedAt: null,
        });
      }
      await outbox.insertMany(docs, { ordered: false });
    }
    report({
      scenario: 'profiles',
      figure: 'anchor: the writes alone of every one entering, naive through the driver (assignments + events in outbox documents)',
      value: fmt.rps((PROFILES / (now() - t0)) * 1000) + ' profiles',
      note: `${PROFILES.toLocaleString('en-US')} assignments and events, batches of 1,000`,
    });
    await db.dropDatabase();
  } finally {
    await client.close();
  }
}

/** Sets a new segment's rule and waits for its job: profiles decided per second, memberships created, the service's memory. */
async function ruleChange(ctx: BenchContext, base: string, token: string, segmentId: string, rule: string, figure: string): Promise<void> {
  const svc = ctx.suite.services['customer-segment'].child?.pid;
  const rssBefore = svc ? rssMiB(svc) : NaN;
  const changed = now();
  await expectStatus(
    'rule',
    call('PUT', `${base}/segments/${segmentId}`, token, { name: segmentId, siteCode: 'main', status: 'ACTIVE', rule }),
    201,
  );
  let job: { state: string; processed: number; added: number } | undefined;
  let rssPeak = rssBefore;
  for (;;) {
    const res = await call('GET', `${base}/segments/${segmentId}/rule-evaluation`, token);
    if (svc) rssPeak = Math.max(rssPeak, rssMiB(svc));
    job = res.json;
    if (job?.state === 'DONE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const jobMs = now() - changed;
  report({
    scenario: 'profiles',
    figure,
    value: fmt.rps((job!.processed / jobMs) * 1000) + ' profiles',
    note:
      `${(jobMs / 1000).toFixed(1)} s, ${job!.added.toLocaleString('en-US')} memberships created; ` +
      `customer-segment RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MiB; goal >= 50,000/s`,
  });
}

/** The export of PROFILES members (written through the driver: their events are not what is measured), NDJSON and CSV. */
async function memberExport(ctx: BenchContext): Promise<void> {
  const tenant = 'benchexport';
  const token = await ctx.token({ tenant, scopes: SCOPES });
  const base = `${ctx.baseUrl}/customer-segment/${tenant}`;
  await expectStatus('segment', call('PUT', `${base}/segments/many`, token, { name: 'many', siteCode: 'main', status: 'ACTIVE' }), 201);
  await expectStatus('first member', call('PUT', `${base}/segments/many/customers/seed`, token), 201);
  const client = await MongoClient.connect(ctx.suite.mongodbUri);
  try {
    const members = client.db('customer_segment').collection(`${tenant}_segment_customer_assignments`);
    const at = new Date();
    for (let i = 0; i < PROFILES - 1; i += 10_000) {
      await members.insertMany(
        Array.from({ length: Math.min(10_000, PROFILES - 1 - i) }, (_, k) => ({
          segmentId: 'many',
          customerId: `c${String(i + k).padStart(7, '0')}`,
          legalEntityId: null,
          assignmentType: 'MANUAL',
          metadata: { version: 1, createdAt: at, modifiedAt: at },
        })),
        { ordered: false },
      );
    }
  } finally {
    await client.close();
  }
  const svc = ctx.suite.services['customer-segment'].child?.pid;
  for (const format of ['ndjson', 'csv'] as const) {
    const t0 = now();
    let rows = 0;
    let bytes = 0;
    let peak = svc ? rssMiB(svc) : NaN;
    const before = peak;
    const res = await request(`${base}/segments/many/member-export?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      for (const b of chunk as Buffer) if (b === 10) rows++;
      if (svc && rows % 50_000 < 2_000) peak = Math.max(peak, rssMiB(svc));
    }
    const ms = now() - t0;
    if (format === 'csv') rows--;
    report({
      scenario: 'profiles',
      figure: `export of ${rows.toLocaleString('en-US')} members, ${format}, via the gateway`,
      value: fmt.rps((rows / ms) * 1000) + ' rows',
      note:
        `${(ms / 1000).toFixed(1)} s, ${(bytes / 1048576).toFixed(0)} MiB; ` +
        `customer-segment RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MiB; goal >= 200,000 rows/s, flat memory`,
    });
  }
  // Anchor: the database cursor alone, reading the same rows into this process.
  const anchorClient = await MongoClient.connect(ctx.suite.mongodbUri);
  try {
    const t0 = now();
    let n = 0;
    const cursor = anchorClient
      .db('customer_segment')
      .collection(`${tenant}_segment_customer_assignments`)
      .find(
        { segmentId: 'many' },
        {
          projection: { _id: 0, customerId: 1, legalEntityId: 1, assignmentType: 1, 'metadata.createdAt': 1 },
          sort: { segmentId: 1, customerId: 1, legalEntityId: 1 },
          batchSize: 2000,
        },
      );
    for await (const _ of cursor) n++;
    const ms = now() - t0;
    report({
      scenario: 'profiles',
      figure: 'anchor: the database cursor alone, the same rows, driver in the bench process',
      value: fmt.rps((n / ms) * 1000) + ' rows',
      note: `${n.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(1)} s`,
    });
  } finally {
    // The embedded database holds everything in memory: the million members leave before the next million profiles come.
    await anchorClient.db('customer_segment').collection(`${tenant}_segment_customer_assignments`).drop();
    await anchorClient.close();
  }
}
