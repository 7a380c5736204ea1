import { BaseConfig, readBaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv, productionAuthSettings } from '@suite/auth';
import type { ServiceIdentity } from '@suite/foundation';

export const SERVICE_NAME = 'category';
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'category';
/** The service as its root module knows it. */
export const CATEGORY_SERVICE: ServiceIdentity = { name: SERVICE_NAME, database: DATABASE_NAME, errorProfile: 'category' };

export interface CategoryConfig extends BaseConfig {
  auth: AuthModuleOptions;
  /** S2S-1: base URL of the customer-segment service (`CUSTOMER_SEGMENT_URL`), for `segmentsIds`. */
  customerSegmentUrl?: string;
}

/**
 * What this app refuses to start without in production, all listed when missing: the URL of
 * its one peer (the `segmentsIds` filter), the webhook service's URL (its events
 * would otherwise only be logged), the token issuer, audience and JWKS,
 * and its own client credentials for the calls to that peer.
 */
export const PRODUCTION_SETTINGS = ['CUSTOMER_SEGMENT_URL', 'WEBHOOK_URL', ...productionAuthSettings({ callsPeers: true })];

/** The only place this app reads the environment (STYLE habit 8). */
export function loadCategoryConfig(env: NodeJS.ProcessEnv = process.env): CategoryConfig {
  const base = readBaseConfig(env, { port: 3003, requiredInProduction: PRODUCTION_SETTINGS });
  return { ...base, auth: authOptionsFromEnv(env, SERVICE_NAME), customerSegmentUrl: base.peers.customerSegmentUrl };
}
