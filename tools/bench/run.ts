/**
 * `npm run bench [-- --only segment,coupon] [--duration 10] [--runs 5]`: starts a bare
 * NestJS-on-Fastify baseline and the whole suite (embedded database in memory, four services, one
 * base URL) as separate processes, loads them with autocannon and prints figures with ratios to the
 * baseline. The startup scenario comes first and launches `npm start` itself, `--runs` times.
 */
import { parseArgs } from 'node:util';
import { DevTokenClaims, signDevToken } from '@suite/auth';
import { launchSuite, RunningSuite, ServiceName } from '../launcher';
import { LoadResult, fmt, load, printSummary, report, startBaseline, startBenchApp } from './bench-kit';
import { SCENARIOS, STANDALONE_SCENARIOS } from './scenarios';

export interface BenchContext {
  /** The base URL: a gateway in its own process, as production runs it (compose: `node dist/tools/gateway.js`). */
  baseUrl: string;
  /** That gateway's process, for CPU time per request. */
  gatewayPid: number;
  suite: RunningSuite;
  baseline: LoadResult;
  durationSec: number;
  /** The HS256 settings the apps accept (for hand-written peers that check tokens the same way). */
  signing: { secret: string; issuer: string; audience: string };
  token(claims: Omit<DevTokenClaims, 'principalType'> & { principalType?: DevTokenClaims['principalType'] }): Promise<string>;
}

const SIGNING = { secret: 'bench-secret', issuer: 'http://localhost/auth', audience: 'commerce-api' };

async function main() {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, duration: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' } },
  });
  const only = values.only ? values.only.split(',') : [...Object.keys(STANDALONE_SCENARIOS), ...Object.keys(SCENARIOS)];
  const durationSec = Number(values.duration);
  process.stdout.write(`bench: ${only.join(', ')}; ${durationSec} s per load; node ${process.version}\n`);
  for (const name of only) {
    if (!SCENARIOS[name] && !STANDALONE_SCENARIOS[name]) {
      throw new Error(`unknown scenario ${name}; known: ${[...Object.keys(STANDALONE_SCENARIOS), ...Object.keys(SCENARIOS)].join(', ')}`);
    }
  }
  for (const name of only.filter((n) => STANDALONE_SCENARIOS[n])) {
    process.stdout.write(`\n== ${name}\n`);
    await STANDALONE_SCENARIOS[name]({ runs: Number(values.runs) });
  }
  const shared = only.filter((n) => SCENARIOS[n]);
  if (!shared.length) return printSummary();

  const baselineServer = await startBaseline();
  const baseline = await load({ url: `${baselineServer.url}/hello`, connections: 50, durationSec });
  report({
    scenario: 'baseline',
    figure: 'GET /hello (bare Nest on Fastify), 50 conn',
    value: fmt.rps(baseline.rps),
    note: `p50 ${fmt.ms(baseline.p50)}, p99 ${fmt.ms(baseline.p99)}`,
  });
  await baselineServer.stop();

  const suite = await launchSuite({
    port: 0,
    env: {
      AUTH_HS256_SECRET: SIGNING.secret,
      AUTH_ISSUER: SIGNING.issuer,
      AUTH_AUDIENCE: SIGNING.audience,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    },
    output: (service, line) => {
      if (!line.includes('"level":30')) process.stderr.write(`[${service}] ${line}\n`);
    },
  });
  // `npm start` runs the gateway inside the launcher; here that would be this process, which also
  // generates the load, so every figure through the base URL would share one event loop with the
  // load generator. The bench measures through a gateway of its own, as production deploys it.
  const upstream = (name: ServiceName) => suite.services[name].instances.map((i) => i.url).join(',');
  const gateway = await startBenchApp('../gateway', {
    PORT: '0',
    HOST: '127.0.0.1',
    CUSTOMER_SEGMENT_URL: upstream('customer-segment'),
    COUPON_URL: upstream('coupon'),
    CATEGORY_URL: upstream('category'),
    WEBHOOK_URL: upstream('webhook'),
  }).catch(async (e) => {
    await suite.stop();
    throw e;
  });
  const ctx: BenchContext = {
    baseUrl: gateway.url,
    gatewayPid: gateway.pid,
    suite,
    baseline,
    durationSec,
    signing: SIGNING,
    token: (claims) => signDevToken({ principalType: 'employee', ...claims }, SIGNING),
  };
  try {
    for (const name of shared) {
      process.stdout.write(`\n== ${name}\n`);
      await SCENARIOS[name](ctx);
    }
  } finally {
    await gateway.stop();
    await suite.stop();
  }
  printSummary();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
