import type { StorageDeclaration } from '@suite/persistence';
import { ASSIGNMENT_ENTITY } from './assignments/assignment.schema';
import { CATEGORY_ENTITY, CATEGORY_STATE_ENTITY } from './categories/category.schema';
import { DATABASE_NAME, SERVICE_NAME } from './config/category.config';

/**
 * Every entity type this service stores per tenant, with its database: what `npm run migrate`
 * creates the declared indexes of, without booting the app. A new `*.schema.ts` entity is added
 * here (a test in tools/migrate.spec.ts fails otherwise).
 */
export const CATEGORY_STORAGE: StorageDeclaration = {
  service: SERVICE_NAME,
  database: DATABASE_NAME,
  entities: [CATEGORY_ENTITY, CATEGORY_STATE_ENTITY, ASSIGNMENT_ENTITY],
};
