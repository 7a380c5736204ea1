import { readTenantRateLimits, readTrustProxy, TenantRateLimits } from './rate-limits';

/**
 * Configuration every service shares (conventions §12), parsed and validated from an environment
 * object at boot. Only the apps' `config/` files pass `process.env` in (STYLE habit 8); a bad
 * value stops the process with a message naming every offending variable.
 */
export interface BaseConfig {
  port: number;
  host: string;
  production: boolean;
  mongodbUri: string;
  serverSelectionTimeoutMS: number;
  queryMaxTimeMS: number;
  /** LOC-2: default languages (first is the default) and per-tenant overrides. */
  languages: string[];
  tenantLanguages: Record<string, string[]>;
  /** S2S-1 peer base URLs; `webhookUrl` (WEBHOOK_URL) is where the outbox dispatcher hands its events (webhook README). */
  peers: { customerSegmentUrl?: string; couponUrl?: string; categoryUrl?: string; webhookUrl?: string };
  corsOrigins: string[];
  logLevel: string;
  /** S2S-8/S2S-13: how long an open circuit stays open (default 30 s); tests shorten it. */
  peerBreakerOpenMs: number;
  /** Requests per tenant on every protected route (RATE_LIMIT_PER_TENANT, RATE_LIMIT_TENANTS). */
  rateLimits: TenantRateLimits;
  /** Peers whose X-Forwarded-For is believed for the client address (TRUST_PROXY, default `loopback`). */
  trustProxy: string[];
  /** With several instances one dispatches the outbox: its lease and heartbeat (OUTBOX_LEASE_MS 5000, OUTBOX_HEARTBEAT_MS 1000). */
  outboxLease: { leaseMs: number; heartbeatMs: number };
  /**
   * How often the lease holder looks for unpublished outbox entries written by other instances
   * (OUTBOX_POLL_MS, default 200); this instance's own writes wake it at once.
   */
  outboxPollMs: number;
  /** `mongodb_command_duration_seconds` from the driver's command monitoring (MONGODB_COMMAND_METRICS, default true). */
  mongodbCommandMetrics: boolean;
  /**
   * Graceful shutdown on SIGTERM/SIGINT (see `enableGracefulShutdown`): `drainMs` (SHUTDOWN_DRAIN_MS,
   * default 10000, 0 allowed) bounds the whole stop; `delayMs` (SHUTDOWN_DELAY_MS, default 0, at most
   * `drainMs`) is how long the app keeps accepting new connections after readiness turned 503.
   */
  shutdown: { drainMs: number; delayMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** What an app adds to {@link readBaseConfig}: its default port and what production cannot lack. */
export interface BaseConfigDefaults {
  port: number;
  /**
   * Variables the app cannot run without when NODE_ENV=production, besides MONGODB_URI: the URLs of
   * the peers it calls, the token settings (`productionAuthSettings` of @suite/auth). Each missing
   * one is a problem of its own, so the refusal to start lists all of them at once.
   */
  requiredInProduction?: readonly string[];
}

/**
 * Reads integer settings the way every app does: unset or empty gives the fallback; anything but an
 * integer within [min, max] adds a problem naming the variable (and gives the fallback).
 */
export function integerSetting(env: Env, problems: string[]): (name: string, fallback: number, min: number, max: number) => number {
  return (name, fallback, min, max) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got '${raw}')`);
      return fallback;
    }
    return n;
  };
}

/** SHUTDOWN_DRAIN_MS and SHUTDOWN_DELAY_MS (the delay at most the drain), as every app and the gateway read them. */
export function readShutdownSettings(env: Env, problems: string[]): BaseConfig['shutdown'] {
  const int = integerSetting(env, problems);
  const shutdown = { drainMs: int('SHUTDOWN_DRAIN_MS', 10000, 0, 600000), delayMs: int('SHUTDOWN_DELAY_MS', 0, 0, 600000) };
  if (shutdown.delayMs > shutdown.drainMs) {
    problems.push(`SHUTDOWN_DELAY_MS must be at most SHUTDOWN_DRAIN_MS (got ${shutdown.delayMs} and ${shutdown.drainMs})`);
  }
  return shutdown;
}

export function readBaseConfig(env: Env, defaults: BaseConfigDefaults): BaseConfig {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    for (const name of defaults.requiredInProduction ?? []) {
      if (!env[name]) problems.push(`${name} is required when NODE_ENV=production`);
    }
  }
  const int = integerSetting(env, problems);
  const url = (name: string): string | undefined => {
    const raw = env[name];
    if (!raw) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got '${raw}')`);
      return undefined;
    }
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${name} must be true or false (got '${env[name]}')`);
    return fallback;
  };
  const mongodbUri = env.MONGODB_URI ?? '';
  if (!/^mongodb(\+srv)?:\/\//.test(mongodbUri)) problems.push('MONGODB_URI is required and must be a mongodb:// URI');

  const languages = (env.I18N_LANGUAGES ?? 'en,de,fr')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!languages.length) problems.push('I18N_LANGUAGES must list at least one language');
  if (languages.some((l) => !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(l)))
    problems.push(`I18N_LANGUAGES must hold BCP 47 tags (got '${env.I18N_LANGUAGES}')`);
  let tenantLanguages: Record<string, string[]> = {};
  if (env.I18N_TENANT_LANGUAGES) {
    try {
      const parsed = JSON.parse(env.I18N_TENANT_LANGUAGES) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
      for (const [tenant, list] of Object.entries(parsed)) {
        if (!Array.isArray(list) || !list.length || !list.every((l) => typeof l === 'string')) throw new Error();
        tenantLanguages[tenant] = list as string[];
      }
    } catch {
      problems.push('I18N_TENANT_LANGUAGES must be a JSON object mapping tenants to non-empty language lists');
      tenantLanguages = {};
    }
  }

  const config: BaseConfig = {
    port: int('PORT', defaults.port, 0, 65535),
    host: env.HOST || '127.0.0.1',
    production: env.NODE_ENV === 'production',
    mongodbUri,
    serverSelectionTimeoutMS: int('MONGODB_SERVER_SELECTION_TIMEOUT_MS', 2000, 100, 60000),
    queryMaxTimeMS: int('QUERY_MAX_TIME_MS', 5000, 1, 60000),
    languages,
    tenantLanguages,
    peers: {
      customerSegmentUrl: url('CUSTOMER_SEGMENT_URL'),
      couponUrl: url('COUPON_URL'),
      categoryUrl: url('CATEGORY_URL'),
      webhookUrl: url('WEBHOOK_URL'),
    },
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: env.LOG_LEVEL || 'info',
    peerBreakerOpenMs: int('PEER_BREAKER_OPEN_MS', 30000, 100, 600000),
    rateLimits: readTenantRateLimits(env, problems),
    trustProxy: readTrustProxy(env, problems),
    outboxLease: { leaseMs: int('OUTBOX_LEASE_MS', 5000, 200, 600000), heartbeatMs: int('OUTBOX_HEARTBEAT_MS', 1000, 50, 300000) },
    outboxPollMs: int('OUTBOX_POLL_MS', 200, 10, 60000),
    mongodbCommandMetrics: bool('MONGODB_COMMAND_METRICS', true),
    shutdown: readShutdownSettings(env, problems),
  };
  const { leaseMs, heartbeatMs } = config.outboxLease;
  if (heartbeatMs * 2 > leaseMs)
    problems.push(`OUTBOX_HEARTBEAT_MS must be at most half of OUTBOX_LEASE_MS (got ${heartbeatMs} and ${leaseMs})`);
  if (problems.length) throw new ConfigError(problems);
  return config;
}
