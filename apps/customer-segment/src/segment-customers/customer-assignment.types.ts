import { StoredMetadata } from '@suite/api-kit';

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
export interface CustomerAssignmentWrite {
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
  expectedVersion?: number;
}

/** The outcome of one upsert: created (201) or updated (204), with the stored state after it. */
export interface UpsertOutcome<T> {
  created: boolean;
  value: T;
}
