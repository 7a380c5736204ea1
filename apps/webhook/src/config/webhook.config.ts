import { BaseConfig, ConfigError, integerSetting, readBaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv, productionAuthSettings } from '@suite/auth';
import type { ServiceIdentity } from '@suite/foundation';
import { DestinationPolicy, parseAllowedDestinations } from '../common/destination-policy';

export const SERVICE_NAME = 'webhook';
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'webhook';
/** The service as its root module knows it. */
export const WEBHOOK_SERVICE: ServiceIdentity = { name: SERVICE_NAME, database: DATABASE_NAME, errorProfile: 'webhook' };
/** Injection token of the validated {@link WebhookServiceConfig}. */
export const WEBHOOK_CONFIG = Symbol.for('webhook.config');

/** How deliveries are attempted (README "Delivery"). */
export interface DeliverySettings {
  /**
   * The waits before the 2nd, 3rd, ... attempt (WEBHOOK_RETRY_SCHEDULE, default
   * `10s,30s,2m,10m,30m,1h,2h,4h`: 9 attempts over about 7 h 43 min); after the last failed attempt
   * the delivery is dead-lettered. Each wait is jittered by ±20 %.
   */
  retryScheduleMs: number[];
  /** One attempt's limit, connect to last body byte (WEBHOOK_DELIVERY_TIMEOUT_MS, default 10 000). */
  timeoutMs: number;
  /**
   * Attempts in flight per destination (WEBHOOK_DESTINATION_CONCURRENCY, default 32): one destination's
   * throughput is this divided by an attempt's time (README "Figures": 8 held a local receiver at ~400/s).
   */
  concurrencyPerDestination: number;
  /** Destinations worked on at once by one instance (WEBHOOK_MAX_ACTIVE_DESTINATIONS, default 64). */
  maxActiveDestinations: number;
  /** Consecutive failed attempts that open a destination's breaker (WEBHOOK_BREAKER_FAILURES, default 5). */
  breakerFailures: number;
  /** How long an open breaker holds a destination's deliveries back (WEBHOOK_BREAKER_OPEN_MS, default 30 000). */
  breakerOpenMs: number;
  /** How often an instance looks for due work written by others (WEBHOOK_POLL_MS, default 200). */
  pollMs: number;
}

export interface WebhookServiceConfig extends BaseConfig {
  auth: AuthModuleOptions;
  delivery: DeliverySettings;
  /** README "Destinations": where webhooks may go (WEBHOOK_ALLOWED_DESTINATIONS; https only in production). */
  destinations: DestinationPolicy;
  /** The pull feed's retention (README "Event feed"): 7 days. */
  feedRetentionMs: number;
  /** `webhooksLimit` of the statistics (WEBHOOK_MONTHLY_LIMIT); unset: no limit, the field is left out. */
  monthlyLimit?: number;
}

/** What this app refuses to start without in production: the token issuer, audience and JWKS (it calls no peer). */
export const PRODUCTION_SETTINGS = productionAuthSettings({ callsPeers: false });

export const DEFAULT_RETRY_SCHEDULE = '10s,30s,2m,10m,30m,1h,2h,4h';

/** `250ms`, `10s`, `2m`, `1h`, or a bare number of milliseconds. */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] as number;
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 && ms <= 24 * 3_600_000 ? ms : undefined;
}

/** The only place this app reads the environment (STYLE habit 8). */
export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookServiceConfig {
  const base = readBaseConfig(env, { port: 3004, requiredInProduction: PRODUCTION_SETTINGS });
  const problems: string[] = [];
  const int = integerSetting(env, problems);
  const scheduleRaw = env.WEBHOOK_RETRY_SCHEDULE || DEFAULT_RETRY_SCHEDULE;
  const retryScheduleMs = scheduleRaw.split(',').map(parseDuration);
  if (retryScheduleMs.some((d) => d === undefined) || retryScheduleMs.length > 20) {
    problems.push(
      `WEBHOOK_RETRY_SCHEDULE must list at most 20 durations such as 500ms, 10s, 2m or 1h, each up to 24h (got '${scheduleRaw}')`,
    );
  }
  const limitRaw = env.WEBHOOK_MONTHLY_LIMIT;
  const config: WebhookServiceConfig = {
    ...base,
    auth: authOptionsFromEnv(env, SERVICE_NAME),
    delivery: {
      retryScheduleMs: retryScheduleMs.every((d) => d !== undefined)
        ? (retryScheduleMs as number[])
        : (DEFAULT_RETRY_SCHEDULE.split(',').map(parseDuration) as number[]),
      timeoutMs: int('WEBHOOK_DELIVERY_TIMEOUT_MS', 10_000, 100, 120_000),
      concurrencyPerDestination: int('WEBHOOK_DESTINATION_CONCURRENCY', 32, 1, 64),
      maxActiveDestinations: int('WEBHOOK_MAX_ACTIVE_DESTINATIONS', 64, 1, 1024),
      breakerFailures: int('WEBHOOK_BREAKER_FAILURES', 5, 1, 1000),
      breakerOpenMs: int('WEBHOOK_BREAKER_OPEN_MS', 30_000, 10, 3_600_000),
      pollMs: int('WEBHOOK_POLL_MS', 200, 10, 60_000),
    },
    destinations: { requireHttps: base.production, ...parseAllowedDestinations(env.WEBHOOK_ALLOWED_DESTINATIONS, problems) },
    feedRetentionMs: 7 * 24 * 3_600_000,
    monthlyLimit: limitRaw ? int('WEBHOOK_MONTHLY_LIMIT', 0, 1, 1_000_000_000) : undefined,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
