import { BaseConfig, ConfigError, CircuitBreakerOptions, PeerTimeouts, Rate, readBaseConfig, readRate } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv, productionAuthSettings } from '@suite/auth';
import type { ServiceIdentity } from '@suite/foundation';

export const SERVICE_NAME = 'coupon';
/** Injection token of the validated {@link CouponConfig}. */
export const COUPON_CONFIG = Symbol.for('coupon.config');
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'coupon';
/** The service as its root module knows it. */
/** PAG-6 / coupon §1.6: a requested total goes into both headers. */
export const TOTAL_COUNT_HEADERS = ['X-Total-Count', 'Items-Count'];

export const COUPON_SERVICE: ServiceIdentity = { name: SERVICE_NAME, database: DATABASE_NAME, errorProfile: 'coupon' };

/** Deployment-wide referral defaults (coupon §12.3); a tenant's settings document overrides them. */
export interface ReferralDefaults {
  codePrefix: string;
  amount: number;
  currency: string;
}

/**
 * The code-campaign job runner (README "Code campaigns"): how long a claimed campaign stays
 * leased without a heartbeat, how often RUNNING and DELETING campaigns are looked for, how many
 * coupons one insert writes, and how many campaigns one instance works on at once (0: none).
 */
export interface CampaignRunnerConfig {
  leaseMs: number;
  pollMs: number;
  batchSize: number;
  workers: number;
}

/** Overrides of the segment call's resilience settings (S2S-13: injectable for tests). */
export interface SegmentClientOverrides {
  timeouts?: Partial<PeerTimeouts>;
  breaker?: Partial<CircuitBreakerOptions>;
}

export interface CouponConfig extends BaseConfig {
  auth: AuthModuleOptions;
  /** CUSTOMER_SEGMENT_URL; without it every segment-restricted check fails closed (503). */
  customerSegmentUrl?: string;
  referralDefaults: ReferralDefaults;
  /** How long a tenant's settings document is cached in memory (COUPON_SETTINGS_CACHE_MS, default 5000). */
  settingsCacheMs: number;
  /** COUPON_CAMPAIGN_LEASE_MS (5000), _POLL_MS (1000), _BATCH_SIZE (2000), _WORKERS (2). */
  campaigns: CampaignRunnerConfig;
  /** Not read from the environment; tests set it on the config object. */
  segmentClient?: SegmentClientOverrides;
  /** Failed lookups of unknown coupon codes allowed per key and window (README "Coupon code guessing"). */
  codeGuesses: CodeGuessLimits;
}

/**
 * COUPON_GUESS_LIMIT (default `10/15m`): per customer, guest session or, for callers that are
 * neither, client address; COUPON_GUESS_ADDRESS_LIMIT (default `100/15m`): per client address, over
 * every caller behind it. `off` turns one of them off.
 */
export interface CodeGuessLimits {
  identity: Rate | null;
  address: Rate | null;
}

/**
 * What this app refuses to start without in production, all listed when missing: the URL of
 * its one peer (segment-restricted coupons, R12/R13), the webhook service's URL (its events
 * would otherwise only be logged), the token issuer, audience and JWKS,
 * and its own client credentials for the calls to that peer.
 */
export const PRODUCTION_SETTINGS = ['CUSTOMER_SEGMENT_URL', 'WEBHOOK_URL', ...productionAuthSettings({ callsPeers: true })];

/** The only place this app reads the environment (STYLE habit 8). */
export function loadCouponConfig(env: NodeJS.ProcessEnv = process.env): CouponConfig {
  const base = readBaseConfig(env, { port: 3002, requiredInProduction: PRODUCTION_SETTINGS });
  const problems: string[] = [];
  const codePrefix = env.COUPON_REFERRAL_PREFIX ?? 'REF';
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(codePrefix)) problems.push('COUPON_REFERRAL_PREFIX must match ^[A-Za-z0-9_-]{1,100}$');
  const amount = Number(env.COUPON_REFERRAL_AMOUNT ?? '5');
  if (!Number.isFinite(amount) || amount < 0) problems.push('COUPON_REFERRAL_AMOUNT must be a number >= 0');
  const currency = env.COUPON_REFERRAL_CURRENCY ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) problems.push('COUPON_REFERRAL_CURRENCY must match ^[A-Z]{3}$');
  const settingsCacheMs = Number(env.COUPON_SETTINGS_CACHE_MS ?? '5000');
  if (!Number.isInteger(settingsCacheMs) || settingsCacheMs < 0) problems.push('COUPON_SETTINGS_CACHE_MS must be an integer >= 0');
  const campaigns = readCampaignRunnerConfig(env, problems);
  const codeGuesses: CodeGuessLimits = {
    identity: readRate(env, 'COUPON_GUESS_LIMIT', '10/15m', problems),
    address: readRate(env, 'COUPON_GUESS_ADDRESS_LIMIT', '100/15m', problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return {
    ...base,
    auth: authOptionsFromEnv(env, SERVICE_NAME),
    customerSegmentUrl: base.peers.customerSegmentUrl,
    referralDefaults: { codePrefix, amount, currency },
    settingsCacheMs,
    campaigns,
    codeGuesses,
  };
}

function readCampaignRunnerConfig(env: NodeJS.ProcessEnv, problems: string[]): CampaignRunnerConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${name} must be an integer from ${min} to ${max}`);
    return fallback;
  };
  return {
    leaseMs: int('COUPON_CAMPAIGN_LEASE_MS', 5000, 200, 600_000),
    pollMs: int('COUPON_CAMPAIGN_POLL_MS', 1000, 20, 600_000),
    batchSize: int('COUPON_CAMPAIGN_BATCH_SIZE', 2000, 100, 10_000),
    workers: int('COUPON_CAMPAIGN_WORKERS', 2, 0, 16),
  };
}
