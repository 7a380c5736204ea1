import { BaseConfig, ConfigError, integerSetting, readBaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv, productionAuthSettings } from '@suite/auth';
import type { ServiceIdentity } from '@suite/foundation';

export const SERVICE_NAME = 'customer-segment';
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'customer_segment';
/** The service as its root module knows it. */
export const CUSTOMER_SEGMENT_SERVICE: ServiceIdentity = { name: SERVICE_NAME, database: DATABASE_NAME, errorProfile: 'segment' };
/** Injection token of the validated {@link CustomerSegmentConfig}. */
export const CUSTOMER_SEGMENT_CONFIG = Symbol.for('customer-segment.config');

export interface CustomerSegmentConfig extends BaseConfig {
  auth: AuthModuleOptions;
  /** S2S-1: base URL of the category service (`CATEGORY_URL`); trees and match answer 503 without it. */
  categoryUrl?: string;
  /** Segment §1.12: segments per tenant (`SEGMENT_MAX_PER_TENANT`, default 1000). */
  segmentMaxPerTenant: number;
  /** Segment §1.12: segments one customer (or customer + legal entity) may belong to (`SEGMENT_MAX_PER_CUSTOMER`, default 1000). */
  segmentMaxPerCustomer: number;
  /** README R.2: how often an instance looks for profiles whose evaluation was lost (`PROFILE_EVALUATION_SWEEP_MS`, default 10000). */
  profileEvaluationSweepMs: number;
}

/**
 * What this app refuses to start without in production, all listed when missing: the URL of
 * its one peer (category items, trees, the match), the webhook service's URL (its events
 * would otherwise only be logged), the token issuer, audience and JWKS,
 * and its own client credentials for the calls to that peer.
 */
export const PRODUCTION_SETTINGS = ['CATEGORY_URL', 'WEBHOOK_URL', ...productionAuthSettings({ callsPeers: true })];

/** The only place this app reads the environment (STYLE habit 8). */
export function loadCustomerSegmentConfig(env: NodeJS.ProcessEnv = process.env): CustomerSegmentConfig {
  const base = readBaseConfig(env, { port: 3001, requiredInProduction: PRODUCTION_SETTINGS });
  const problems: string[] = [];
  const int = integerSetting(env, problems);
  const limit = (name: string): number => int(name, 1000, 1, 1_000_000);
  const config: CustomerSegmentConfig = {
    ...base,
    auth: authOptionsFromEnv(env, SERVICE_NAME),
    categoryUrl: base.peers.categoryUrl,
    segmentMaxPerTenant: limit('SEGMENT_MAX_PER_TENANT'),
    segmentMaxPerCustomer: limit('SEGMENT_MAX_PER_CUSTOMER'),
    profileEvaluationSweepMs: int('PROFILE_EVALUATION_SWEEP_MS', 10_000, 100, 3_600_000),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
