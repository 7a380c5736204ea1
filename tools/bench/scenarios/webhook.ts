import { Agent, request } from 'undici';
import { fmt, percentile, report } from '../bench-kit';
import type { BenchContext } from '../run';
import { call, expectStatus } from './http';
import { now, startReceiver, subscribeReceiver } from './receiver';

/** Entity writes per second offered: bulk customer assignments of {@link PER_REQUEST}, one event each. */
const RATE = 500;
const PER_REQUEST = 10;
const GOAL_P99_MS = 1000;

/**
 * Fires `make(i)` at `rate` per second for `durationSec` (open model: on schedule, whatever the
 * answers), at most `maxInFlight` at once; resolves with each request's send and answer times.
 */
async function openLoop(rate: number, durationSec: number, maxInFlight: number, make: (i: number) => Promise<void>) {
  const total = Math.round(rate * durationSec);
  const started = now();
  let sent = 0;
  let inFlight = 0;
  let skipped = 0;
  const pending: Promise<void>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * rate) + 1);
    while (sent < due) {
      const i = sent++;
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      inFlight++;
      pending.push(make(i).finally(() => inFlight--));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  return { total, skipped, ms: now() - started };
}

/**
 * End-to-end webhook delivery (issue #13): 500 entity writes/s through the base URL (customer
 * assignments, upserted 10 per request 50 times a second: single-entity writes top out near 200/s on
 * this machine, whatever their events cost), and the delay from each write's acknowledgement (its
 * bulk request's 207) to the receiver's 2xx of its event, p50 and p99 (goal p99 <= 1 s), and events/s.
 * The path: customer-segment app → its outbox → the dispatcher → the webhook service's ingestion →
 * routing → the destination's worker → the receiver, every hop over HTTP and MongoDB on the same two
 * cores as the load. Anchors from the same run: the bulk write's own latency, and one direct POST from
 * this process to the same receiver (the floor of a single hop).
 */
export async function webhookScenario(ctx: BenchContext): Promise<void> {
  const tenant = 'benchhook';
  const receiver = await startReceiver();
  const agent = new Agent({ connections: 128 });
  try {
    const writer = await ctx.token({ tenant, scopes: ['customersegment.segment_manage'] });
    await expectStatus(
      'segment',
      call('POST', `${ctx.baseUrl}/customer-segment/${tenant}/segments`, writer, {
        id: 'hooked',
        name: { en: 'Hooked' },
        siteCode: 'main',
        status: 'ACTIVE',
      }),
      201,
    );
    await subscribeReceiver(ctx, tenant, receiver.url, 'customer-segment.customer-assignment-created');

    const acks = new Map<string, number>();
    const writeMs: number[] = [];
    let failures = 0;
    const write = (prefix: string) => async (i: number) => {
      const ids = Array.from({ length: PER_REQUEST }, (_, k) => `${prefix}-${i}-${k}`);
      const sent = now();
      const res = await request(`${ctx.baseUrl}/customer-segment/${tenant}/segments/hooked/customers/bulk`, {
        method: 'PUT',
        dispatcher: agent,
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
        body: JSON.stringify(ids.map((customerId) => ({ customerId }))),
      }).catch(() => undefined);
      if (!res) {
        failures += PER_REQUEST;
        return;
      }
      await res.body.dump();
      const at = now();
      if (res.statusCode !== 207) {
        failures += PER_REQUEST;
        return;
      }
      if (prefix === 'H') {
        for (const id of ids) acks.set(id, at);
        writeMs.push(at - sent);
      }
    };

    // Warm-up: connections, JIT, the tenant's collections.
    await openLoop(RATE / PER_REQUEST / 2, 2, 64, write('W'));
    const run = await openLoop(RATE / PER_REQUEST, ctx.durationSec, 64, write('H'));
    const deadline = now() + 30_000;
    while (now() < deadline && [...acks.keys()].some((code) => !receiver.arrivals.has(code))) await new Promise((r) => setTimeout(r, 50));

    const delays = [...acks].filter(([code]) => receiver.arrivals.has(code)).map(([code, at]) => receiver.arrivals.get(code)! - at);
    const missing = acks.size - delays.length;
    const firstAck = Math.min(...acks.values());
    const lastArrival = Math.max(...[...acks.keys()].map((c) => receiver.arrivals.get(c) ?? 0));
    const p99 = percentile(delays, 99);
    report({
      scenario: 'webhook',
      figure: `write ack → receiver 2xx, ${RATE} entity writes/s offered`,
      value: `p50 ${fmt.ms(percentile(delays, 50))}, p99 ${fmt.ms(p99)}`,
      note:
        `max ${fmt.ms(Math.max(...delays))}; ${delays.length} delivered, ${missing} missing, ${failures} failed writes, ` +
        `${run.skipped * PER_REQUEST} not sent (64 requests in flight); ` +
        `goal p99 <= ${GOAL_P99_MS} ms` +
        (p99 > GOAL_P99_MS || missing ? ' (!) goal missed' : ''),
    });
    report({
      scenario: 'webhook',
      figure: 'events delivered per second',
      value: fmt.rps((delays.length / (lastArrival - firstAck)) * 1000),
      note: `writes acknowledged ${fmt.rps((acks.size / run.ms) * 1000)} over ${(run.ms / 1000).toFixed(1)} s`,
    });
    report({
      scenario: 'webhook',
      figure: `anchor: the bulk write alone (PUT of ${PER_REQUEST} → 207)`,
      value: `p50 ${fmt.ms(percentile(writeMs, 50))}, p99 ${fmt.ms(percentile(writeMs, 99))}`,
      note: 'same requests, measured in the same run',
    });

    const direct: number[] = [];
    await openLoop(RATE, Math.min(ctx.durationSec, 5), 256, async (i) => {
      const sent = now();
      const res = await request(receiver.url, { method: 'POST', dispatcher: agent, body: JSON.stringify({ code: `D-${i}` }) });
      await res.body.dump();
      direct.push(now() - sent);
    });
    report({
      scenario: 'webhook',
      figure: 'anchor: one direct POST to the receiver',
      value: `p50 ${fmt.ms(percentile(direct, 50))}, p99 ${fmt.ms(percentile(direct, 99))}`,
      note: `the floor of a single hop at ${RATE}/s from this process`,
    });
  } finally {
    await agent.close();
    await receiver.close();
  }
}
