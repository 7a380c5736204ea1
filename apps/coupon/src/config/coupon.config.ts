import { BaseConfig, readBaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv } from '@suite/auth';

export const SERVICE_NAME = 'coupon';
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'coupon';

export interface CouponConfig extends BaseConfig {
  auth: AuthModuleOptions;
}

/** The only place this app reads the environment (STYLE habit 8). */
export function loadCouponConfig(env: NodeJS.ProcessEnv = process.env): CouponConfig {
  return { ...readBaseConfig(env, { port: 3002 }), auth: authOptionsFromEnv(env, SERVICE_NAME) };
}
