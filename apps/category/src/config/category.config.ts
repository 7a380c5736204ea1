import { BaseConfig, readBaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, authOptionsFromEnv } from '@suite/auth';

export const SERVICE_NAME = 'category';
/** TEN-3: the service's own database. */
export const DATABASE_NAME = 'category';

export interface CategoryConfig extends BaseConfig {
  auth: AuthModuleOptions;
}

/** The only place this app reads the environment (STYLE habit 8). */
export function loadCategoryConfig(env: NodeJS.ProcessEnv = process.env): CategoryConfig {
  return { ...readBaseConfig(env, { port: 3003 }), auth: authOptionsFromEnv(env, SERVICE_NAME) };
}
