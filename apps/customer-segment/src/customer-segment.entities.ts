import type { StorageDeclaration } from '@suite/persistence';
import { DATABASE_NAME, SERVICE_NAME } from './config/customer-segment.config';
import { IMPORT_ENTITY } from './bulk-io/import.schema';
import { PROFILE_ENTITY } from './profiles/profile.schema';
import { EXCLUSION_ENTITY } from './rules/exclusion.schema';
import { RULE_EPOCH_ENTITY } from './rules/rule-epoch.schema';
import { RULE_JOB_COLLECTION, RULE_JOB_INDEXES } from './rules/rule-job.schema';
import { CUSTOMER_ASSIGNMENT_ENTITY } from './segment-customers/customer-assignment.schema';
import { ITEM_ASSIGNMENT_ENTITY } from './segment-items/item-assignment.schema';
import { SEGMENT_ENTITY } from './segments/segment.schema';

/**
 * Every entity type this service stores per tenant, with its database, and its shared collection
 * besides the outbox's (`rule_jobs`): what `npm run migrate`
 * creates the declared indexes of, without booting the app. A new `*.schema.ts` entity is added
 * here (a test in tools/migrate.spec.ts fails otherwise).
 */
export const CUSTOMER_SEGMENT_STORAGE: StorageDeclaration = {
  service: SERVICE_NAME,
  database: DATABASE_NAME,
  entities: [
    SEGMENT_ENTITY,
    CUSTOMER_ASSIGNMENT_ENTITY,
    ITEM_ASSIGNMENT_ENTITY,
    PROFILE_ENTITY,
    EXCLUSION_ENTITY,
    RULE_EPOCH_ENTITY,
    IMPORT_ENTITY,
  ],
  // The rule re-evaluation jobs (README "Rule-based segments"), shared by the tenants like the outbox.
  collections: { [RULE_JOB_COLLECTION]: RULE_JOB_INDEXES },
};
