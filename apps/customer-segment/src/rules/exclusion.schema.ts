import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';

/** `<tenant>_segment_exclusions`: customers a segment's rule must not make members (README "Rule-based segments", hybrid). */
export interface ExclusionDocument {
  _id: string;
  segmentId: string;
  customerId: string;
  legalEntityId: string | null;
  createdAt: Date;
}

const schema = new Schema<ExclusionDocument>(
  {
    _id: { type: String, required: true },
    segmentId: { type: String, required: true },
    customerId: { type: String, required: true },
    legalEntityId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, strict: true },
);
// A customer's exclusions (its evaluation) and a segment's (its job and its list).
schema.index({ customerId: 1, legalEntityId: 1 });
schema.index({ segmentId: 1, customerId: 1 });

export const EXCLUSION_ENTITY = defineEntity<ExclusionDocument>('segment_exclusions', schema);
