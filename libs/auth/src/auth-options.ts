import { Logger } from '@nestjs/common';

/** Settings of the service-token provider (S2S-4). */
export interface ServiceTokenSettings {
  /** This service's name; becomes `client_id` (and `sub`) of locally signed service tokens. */
  serviceName: string;
  /** OAuth token endpoint for the client-credentials grant (production). */
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of locally signed service tokens, seconds (default 3600). */
  localTokenTtlSec?: number;
}

/** Options of `AuthModule.forRoot` (conventions AUTH-2, section 12). */
export interface AuthModuleOptions extends ServiceTokenSettings {
  /** `iss` every token must carry. */
  issuer: string;
  /** Value that `aud` must equal or contain. */
  audience: string;
  /** JWKS with the RS256/ES256 verification keys; required in production. */
  jwksUri?: string;
  /** HS256 secret; honoured only when `production` is false. */
  hs256Secret?: string;
  /** `NODE_ENV === 'production'`: HS256 is refused and `jwksUri` is required. */
  production: boolean;
  /** Leeway for `exp`/`nbf`, seconds (default 30). */
  clockToleranceSec?: number;
  /** Minimum time between two JWKS fetches triggered by an unknown `kid`, seconds (default 30). */
  jwksRefreshCooldownSec?: number;
  /** Paths that may carry `@Public()` (default: the two health endpoints, AUTH-1). */
  publicPaths?: readonly string[];
}

/** Options after validation, with defaults applied. */
export interface ResolvedAuthOptions extends Readonly<AuthModuleOptions> {
  readonly clockToleranceSec: number;
  readonly jwksRefreshCooldownSec: number;
  readonly publicPaths: readonly string[];
  readonly localTokenTtlSec: number;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export const DEFAULT_ISSUER = 'http://localhost/auth';
export const DEFAULT_AUDIENCE = 'commerce-api';
export const DEV_HS256_SECRET = 'dev-secret-change-me';
export const HEALTH_PATHS: readonly string[] = ['/health/live', '/health/ready'];

/**
 * Validates options and applies defaults; throws an `Error` naming every problem so a misconfigured
 * app refuses to start (STYLE habit 8). Production without a JWKS is refused because HS256 is
 * off there and no token could ever be verified.
 */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  const problems: string[] = [];
  const o = options as Partial<AuthModuleOptions> | undefined;
  if (!o || typeof o !== 'object') throw new Error('AuthModule: options are required');
  if (!nonEmpty(o.issuer)) problems.push('issuer must be a non-empty string');
  if (!nonEmpty(o.audience)) problems.push('audience must be a non-empty string');
  if (typeof o.production !== 'boolean') problems.push('production must be a boolean');
  if (o.jwksUri !== undefined && !isHttpUrl(o.jwksUri)) problems.push('jwksUri must be an http(s) URL');
  if (o.hs256Secret !== undefined && !nonEmpty(o.hs256Secret)) problems.push('hs256Secret must be a non-empty string');
  if (o.production === true && o.jwksUri === undefined) {
    problems.push('jwksUri (AUTH_JWKS_URI) is required in production, where HS256 is not accepted');
  }
  if (o.production === false && o.jwksUri === undefined && o.hs256Secret === undefined) {
    problems.push('either jwksUri or hs256Secret is required, otherwise no token can be verified');
  }
  const clockToleranceSec = o.clockToleranceSec ?? 30;
  if (!Number.isInteger(clockToleranceSec) || clockToleranceSec < 0 || clockToleranceSec > 300) {
    problems.push('clockToleranceSec must be an integer between 0 and 300');
  }
  const jwksRefreshCooldownSec = o.jwksRefreshCooldownSec ?? 30;
  if (typeof jwksRefreshCooldownSec !== 'number' || !(jwksRefreshCooldownSec > 0)) {
    problems.push('jwksRefreshCooldownSec must be a positive number');
  }
  const localTokenTtlSec = o.localTokenTtlSec ?? 3600;
  if (!Number.isInteger(localTokenTtlSec) || localTokenTtlSec < 120) {
    problems.push('localTokenTtlSec must be an integer of at least 120');
  }
  if (!nonEmpty(o.serviceName)) problems.push('serviceName must be a non-empty string');
  const cc = [o.tokenUrl, o.clientId, o.clientSecret];
  const set = cc.filter((v) => v !== undefined).length;
  if (set !== 0 && set !== 3) problems.push('tokenUrl, clientId and clientSecret must be set together');
  if (o.tokenUrl !== undefined && !isHttpUrl(o.tokenUrl)) problems.push('tokenUrl must be an http(s) URL');
  if (o.clientId !== undefined && !nonEmpty(o.clientId)) problems.push('clientId must be a non-empty string');
  if (o.clientSecret !== undefined && !nonEmpty(o.clientSecret)) problems.push('clientSecret must be a non-empty string');
  const publicPaths = o.publicPaths ?? HEALTH_PATHS;
  if (!Array.isArray(publicPaths) || publicPaths.some((p) => typeof p !== 'string' || !p.startsWith('/'))) {
    problems.push('publicPaths must be a list of absolute paths');
  }
  if (problems.length) throw new Error(`AuthModule: invalid configuration: ${problems.join('; ')}`);
  return Object.freeze({
    ...(o as AuthModuleOptions),
    // A production process never keeps an HS256 secret around, so no code path can use it.
    hs256Secret: o.production ? undefined : o.hs256Secret,
    clockToleranceSec,
    jwksRefreshCooldownSec,
    localTokenTtlSec,
    publicPaths: Object.freeze([...publicPaths]),
  });
}

/** The three values needed to sign or verify development HS256 tokens. */
export interface DevSigningSettings {
  secret: string;
  issuer: string;
  audience: string;
}

let defaultSecretWarned = false;

/**
 * Reads AUTH_HS256_SECRET, AUTH_ISSUER and AUTH_AUDIENCE with the suite's defaults. When the secret
 * is unset outside production the well-known development secret is used and `warn` is called once
 * per process (anyone knowing that secret can mint tokens).
 */
export function devSigningSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void = (m) => new Logger('Auth').warn(m),
): DevSigningSettings {
  const production = env.NODE_ENV === 'production';
  let secret = env.AUTH_HS256_SECRET || undefined;
  if (secret === undefined && !production) {
    secret = DEV_HS256_SECRET;
    if (!defaultSecretWarned) {
      defaultSecretWarned = true;
      warn(`AUTH_HS256_SECRET is not set; using the development default "${DEV_HS256_SECRET}". Never use it outside development.`);
    }
  }
  return {
    secret: secret ?? '',
    issuer: env.AUTH_ISSUER || DEFAULT_ISSUER,
    audience: env.AUTH_AUDIENCE || DEFAULT_AUDIENCE,
  };
}

/**
 * Builds `AuthModuleOptions` from the environment (conventions section 12): AUTH_ISSUER,
 * AUTH_AUDIENCE, AUTH_JWKS_URI, AUTH_HS256_SECRET, NODE_ENV, AUTH_TOKEN_URL, SERVICE_CLIENT_ID,
 * SERVICE_CLIENT_SECRET. `serviceName` (the calling app, e.g. `coupon`) becomes the `client_id` of
 * locally signed service tokens. Validation happens in `AuthModule.forRoot`.
 */
export function authOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  serviceName: string = env.SERVICE_CLIENT_ID || 'commerce-suite',
  warn?: (message: string) => void,
): AuthModuleOptions {
  const production = env.NODE_ENV === 'production';
  const signing = devSigningSettingsFromEnv(env, warn);
  return {
    // Production takes no default issuer or audience: they name the real identity provider, so a
    // missing one is a refusal to start (resolveAuthOptions), never a silent development value.
    issuer: production ? env.AUTH_ISSUER || '' : signing.issuer,
    audience: production ? env.AUTH_AUDIENCE || '' : signing.audience,
    jwksUri: env.AUTH_JWKS_URI || undefined,
    hs256Secret: production ? undefined : signing.secret,
    production,
    clockToleranceSec: 30,
    serviceName,
    tokenUrl: env.AUTH_TOKEN_URL || undefined,
    clientId: env.SERVICE_CLIENT_ID || undefined,
    clientSecret: env.SERVICE_CLIENT_SECRET || undefined,
  };
}

/**
 * The variables a production process (NODE_ENV=production) cannot start without, for tokens:
 * the issuer, the audience and the JWKS that verify callers' tokens (AUTH-2), and, for an app that
 * calls peer services, the client-credentials settings that obtain its own tokens (S2S-4). An
 * app's config loader passes them to `readBaseConfig` so that one message lists every missing one.
 */
export function productionAuthSettings(options: { callsPeers: boolean }): string[] {
  const verify = ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI'];
  return options.callsPeers ? [...verify, 'AUTH_TOKEN_URL', 'SERVICE_CLIENT_ID', 'SERVICE_CLIENT_SECRET'] : verify;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
