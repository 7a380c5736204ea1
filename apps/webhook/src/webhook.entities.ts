import type { StorageDeclaration } from '@suite/persistence';
import { DATABASE_NAME, SERVICE_NAME } from './config/webhook.config';

/**
 * Every entity type this service stores per tenant, with its database, and its shared collections:
 * what `npm run migrate` creates the declared indexes of, without booting the app.
 */
export const WEBHOOK_STORAGE: StorageDeclaration = {
  service: SERVICE_NAME,
  database: DATABASE_NAME,
  entities: [],
};
