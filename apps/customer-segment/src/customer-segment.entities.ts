import type { StorageDeclaration } from '@suite/persistence';
import { DATABASE_NAME, SERVICE_NAME } from './config/customer-segment.config';
import { CUSTOMER_ASSIGNMENT_ENTITY } from './segment-customers/customer-assignment.schema';
import { ITEM_ASSIGNMENT_ENTITY } from './segment-items/item-assignment.schema';
import { SEGMENT_ENTITY } from './segments/segment.schema';

/**
 * Every entity type this service stores per tenant, with its database: what `npm run migrate`
 * creates the declared indexes of, without booting the app. A new `*.schema.ts` entity is added
 * here (a test in tools/migrate.spec.ts fails otherwise).
 */
export const CUSTOMER_SEGMENT_STORAGE: StorageDeclaration = {
  service: SERVICE_NAME,
  database: DATABASE_NAME,
  entities: [SEGMENT_ENTITY, CUSTOMER_ASSIGNMENT_ENTITY, ITEM_ASSIGNMENT_ENTITY],
};
