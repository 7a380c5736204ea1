import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../run';
import { call, expectStatus } from './http';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across the bench's timers. */
export const now = (): number => performance.timeOrigin + performance.now();

/**
 * A webhook receiver on loopback that notes when the first event of each key arrived: the
 * customer of an assignment event (`customer.id`, or `customerId` for a deletion), else `code`.
 */
export async function startReceiver(): Promise<{ url: string; arrivals: Map<string, number>; close: () => Promise<void> }> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          code?: string;
          customer?: { id?: string };
          customerId?: string;
        };
        const key = body.customer?.id ?? body.customerId ?? body.code;
        if (key && !arrivals.has(key)) arrivals.set(key, at);
      } catch {
        // Not ours.
      }
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Points the tenant's HTTP webhook at `url` and subscribes it to `eventType`. */
export async function subscribeReceiver(ctx: BenchContext, tenant: string, url: string, eventType: string): Promise<void> {
  const manager = await ctx.token({ tenant, scopes: ['webhook.subscription_manage'] });
  await expectStatus(
    'webhook config',
    call('POST', `${ctx.baseUrl}/webhook/${tenant}/config`, manager, {
      code: 'http',
      provider: 'HTTP',
      active: true,
      configuration: { destinationUrl: url, secretKey: 'bench-secret' },
    }),
    201,
  );
  await expectStatus(
    'subscribe',
    call('PATCH', `${ctx.baseUrl}/webhook/${tenant}/event-subscriptions`, manager, [{ eventType, action: 'SUBSCRIBE' }]),
    207,
  );
}
