import type { StoredMetadata } from '@suite/api-kit';
import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import { mixinsAndMetadata } from '../common/mixins-and-metadata.schema';

/**
 * `<tenant>_segment_customer_assignments` (segment §2.5). Flat keys so the identity is one unique
 * index with `legalEntityId: null` for B2C; `customerId` is indexed for membership lookups.
 */
export interface CustomerAssignmentDocument {
  segmentId: string;
  customerId: string;
  legalEntityId: string | null;
  assignmentType: string;
  imported?: { job: string; line: number };
  /** For a membership a rule job created: the segment version whose rule that job applied (README R.3). */
  ruleJob?: number;
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

const schema = new Schema<CustomerAssignmentDocument>(
  {
    segmentId: { type: String, required: true },
    customerId: { type: String, required: true },
    legalEntityId: { type: String, default: null },
    assignmentType: { type: String, required: true },
    // The import line last written into it (README "Bulk in and out").
    imported: { type: Schema.Types.Mixed },
    // The rule job that created it (its segment version): that job's leave phase skips its own.
    ruleJob: { type: Number },
    ...mixinsAndMetadata(),
  },
  { versionKey: false, strict: true },
);
// Identity (and the list of one segment, by prefix); its order is the default sort (§1.4).
schema.index({ segmentId: 1, customerId: 1, legalEntityId: 1 }, { unique: true });
// Membership of one customer across segments (§2.4) and the per-customer limit (§1.12).
schema.index({ customerId: 1, legalEntityId: 1 });

export const CUSTOMER_ASSIGNMENT_ENTITY = defineEntity<CustomerAssignmentDocument>('segment_customer_assignments', schema);
