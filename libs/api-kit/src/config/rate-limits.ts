import { isIP } from 'node:net';
import { isValidTenant } from '../domain/tenant';

/** At most `limit` events (requests, failed attempts) per fixed window of `windowMs` milliseconds. */
export interface Rate {
  limit: number;
  windowMs: number;
}

/** Per-tenant request limits: the default and per-tenant overrides; `null` means no limit. */
export interface TenantRateLimits {
  default: Rate | null;
  tenants: Readonly<Record<string, Rate | null>>;
  /**
   * `client_id`s of service tokens that are not counted: the suite's own services calling each
   * other. Their calls serve requests the calling service has already counted, and a 429 would
   * count as a failure for the caller's circuit breaker, which all tenants share (S2S-8).
   */
  exemptClients: readonly string[];
}

/** The limit of one tenant: its override, else the default (`null`: not limited). */
export function tenantRate(limits: TenantRateLimits, tenant: string): Rate | null {
  return Object.prototype.hasOwnProperty.call(limits.tenants, tenant) ? limits.tenants[tenant] : limits.default;
}

/** Generous enough for the benchmarks and every test suite; a deployment sets its own. */
export const DEFAULT_TENANT_RATE = '100000/60s';
/** The suite's services, as their service tokens name them (SERVICE_CLIENT_ID defaults to the service name). */
export const DEFAULT_EXEMPT_CLIENTS = 'customer-segment,coupon,category';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
const MAX_LIMIT = 1_000_000_000;
const MAX_WINDOW_MS = 24 * 3_600_000;

/**
 * Reads `<count>/<window>`: `600/60s`, `10/15m`, `5000/1h`, `50/s` (a window without a number is
 * one unit). The window is 1 s to 24 h, the count 1 to 10^9. `off` means no limit (`null`).
 * Returns undefined for anything else, so that the caller can name the variable.
 */
export function parseRate(text: string): Rate | null | undefined {
  const value = text.trim();
  if (value.toLowerCase() === 'off') return null;
  const m = /^(\d{1,10})\s*\/\s*(\d{0,7})\s*([smh])$/.exec(value);
  if (!m) return undefined;
  const limit = Number(m[1]);
  const windowMs = (m[2] === '' ? 1 : Number(m[2])) * UNIT_MS[m[3]];
  if (limit < 1 || limit > MAX_LIMIT || windowMs < 1000 || windowMs > MAX_WINDOW_MS) return undefined;
  return { limit, windowMs };
}

/** A rate as the configuration writes it (`600/60s`), for messages and logs. */
export function formatRate(rate: Rate): string {
  return `${rate.limit}/${rate.windowMs / 1000}s`;
}

type Env = Record<string, string | undefined>;
const RATE_FORMAT = "'<count>/<window>' such as '600/60s', '10/15m' or '5000/1h' (window 1s to 24h), or 'off'";

/**
 * One rate variable (`fallback` when unset or empty); a bad value is added to `problems` by name.
 */
export function readRate(env: Env, name: string, fallback: string, problems: string[]): Rate | null {
  const raw = env[name];
  const rate = parseRate(raw === undefined || raw.trim() === '' ? fallback : raw);
  if (rate !== undefined) return rate;
  problems.push(`${name} must be ${RATE_FORMAT} (got '${raw}')`);
  return parseRate(fallback) ?? null;
}

/**
 * `RATE_LIMIT_PER_TENANT` (default {@link DEFAULT_TENANT_RATE}) and `RATE_LIMIT_TENANTS`, a JSON
 * object of tenant overrides (`{"acme": "1200/60s", "bulk": "off"}`); every key must be a TEN-1
 * tenant and every value a rate. `RATE_LIMIT_EXEMPT_CLIENTS` (default {@link DEFAULT_EXEMPT_CLIENTS},
 * `none` for none): comma-separated `client_id`s of the suite's own service tokens.
 */
export function readTenantRateLimits(env: Env, problems: string[]): TenantRateLimits {
  const fallback = readRate(env, 'RATE_LIMIT_PER_TENANT', DEFAULT_TENANT_RATE, problems);
  const tenants: Record<string, Rate | null> = {};
  const raw = env.RATE_LIMIT_TENANTS;
  if (raw !== undefined && raw.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`RATE_LIMIT_TENANTS must be a JSON object mapping tenants to rates, e.g. {"acme": "1200/60s"} (got '${raw}')`);
    } else {
      for (const [tenant, value] of Object.entries(parsed)) {
        const rate = typeof value === 'string' ? parseRate(value) : undefined;
        if (!isValidTenant(tenant)) problems.push(`RATE_LIMIT_TENANTS: '${tenant}' is not a tenant (TEN-1: ^[a-z][a-z0-9]{2,15}$)`);
        else if (rate === undefined)
          problems.push(`RATE_LIMIT_TENANTS: the rate of '${tenant}' must be ${RATE_FORMAT} (got ${JSON.stringify(value)})`);
        else tenants[tenant] = rate;
      }
    }
  }
  const exempt = (env.RATE_LIMIT_EXEMPT_CLIENTS ?? '').trim() || DEFAULT_EXEMPT_CLIENTS;
  const exemptClients =
    exempt.toLowerCase() === 'none'
      ? []
      : exempt
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean);
  return { default: fallback, tenants, exemptClients };
}

/**
 * `TRUST_PROXY`: the peers whose `X-Forwarded-For` is believed when the client address is worked out
 * (the coupon guessing throttle keys on it). A comma-separated list of `loopback`, IP addresses and
 * CIDR ranges, or `none`. Default `loopback`: the gateway of `npm start` runs on the same host and
 * sets the header itself; a client that connects directly cannot make its own header believed.
 */
export function readTrustProxy(env: Env, problems: string[]): string[] {
  const raw = env.TRUST_PROXY;
  const value = raw === undefined || raw.trim() === '' ? 'loopback' : raw.trim();
  if (value.toLowerCase() === 'none') return [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isTrustEntry(e));
  if (bad.length || !entries.length) {
    problems.push(`TRUST_PROXY must be 'none' or a comma-separated list of 'loopback', IP addresses and CIDR ranges (got '${raw}')`);
    return ['loopback'];
  }
  return entries;
}

function isTrustEntry(entry: string): boolean {
  if (entry === 'loopback') return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
