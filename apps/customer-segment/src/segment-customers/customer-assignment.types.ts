import { StoredMetadata } from '@suite/api-kit';
import type { AssignmentWrite } from '../common/assignment.types';

/** Segment §2.3: `legalEntityId` null is the B2C assignment; B2B ones name the legal entity. */
export interface CustomerAssignment {
  segmentId: string;
  customerId: string;
  legalEntityId: string | null;
  assignmentType: 'MANUAL' | 'AUTOMATIC';
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

/** The identity of an assignment inside a tenant (segment §2.3). */
export interface CustomerKey {
  segmentId: string;
  customerId: string;
  legalEntityId: string | null;
}

/** What an upsert writes (PUT replaces `mixins` and `metadata.mixins` in full, META-10). */
export type CustomerAssignmentWrite = AssignmentWrite;
