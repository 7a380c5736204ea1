import { BaseConfig, readBaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv } from '@suite/auth';

export const SERVICE_NAME = 'customer-segment';
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'customer_segment';

export interface CustomerSegmentConfig extends BaseConfig {
  auth: AuthModuleOptions;
}

/** The only place this app reads the environment (STYLE habit 8). */
export function loadCustomerSegmentConfig(env: NodeJS.ProcessEnv = process.env): CustomerSegmentConfig {
  return { ...readBaseConfig(env, { port: 3001 }), auth: authOptionsFromEnv(env, SERVICE_NAME) };
}
