/**
 * `npm run bench [-- --only segment,coupon] [--duration 10]`: starts a bare NestJS-on-Fastify
 * baseline and the whole suite (embedded database in memory, three services, one base URL) as
 * separate processes, loads them with autocannon and prints figures with ratios to the baseline.
 */
import { parseArgs } from 'node:util';
import { DevTokenClaims, signDevToken } from '@suite/auth';
import { launchSuite, RunningSuite } from '../launcher';
import { LoadResult, fmt, load, printSummary, report, startBaseline } from './bench-kit';
import { SCENARIOS } from './scenarios';

export interface BenchContext {
  baseUrl: string;
  suite: RunningSuite;
  baseline: LoadResult;
  durationSec: number;
  /** The HS256 settings the apps accept (for hand-written peers that check tokens the same way). */
  signing: { secret: string; issuer: string; audience: string };
  token(claims: Omit<DevTokenClaims, 'principalType'> & { principalType?: DevTokenClaims['principalType'] }): Promise<string>;
}

const SIGNING = { secret: 'bench-secret', issuer: 'http://localhost/auth', audience: 'commerce-api' };

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' }, duration: { type: 'string', default: '10' } } });
  const only = values.only ? values.only.split(',') : Object.keys(SCENARIOS);
  const durationSec = Number(values.duration);
  process.stdout.write(`bench: ${only.join(', ')}; ${durationSec} s per load; node ${process.version}\n`);

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
  const ctx: BenchContext = {
    baseUrl: suite.baseUrl,
    suite,
    baseline,
    durationSec,
    signing: SIGNING,
    token: (claims) => signDevToken({ principalType: 'employee', ...claims }, SIGNING),
  };
  try {
    for (const name of only) {
      const scenario = SCENARIOS[name];
      if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
      process.stdout.write(`\n== ${name}\n`);
      await scenario(ctx);
    }
  } finally {
    await suite.stop();
  }
  printSummary();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
