import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import { mixinsAndMetadata } from '../common/mixins-and-metadata.schema';
import type { ProfileAttributes } from './profile.types';

/**
 * `<tenant>_segment_profiles` (README "Shopper profiles"): one document per customer (and legal
 * entity) or guest, `_id` from {@link profileDocId}. `mergedGuests` remembers the guest sessions
 * already merged in (a replayed merge is not applied twice); `mergingInto` marks a guest whose
 * merge has begun (its writes are refused until the merge ends).
 */
export interface ProfileDocument {
  _id: string;
  kind: 'customer' | 'guest';
  customerId?: string;
  legalEntityId?: string | null;
  sessionId?: string;
  attributes: ProfileAttributes;
  mixins?: Record<string, unknown>;
  mergedGuests?: string[];
  mergingInto?: string;
  /** The version whose rule membership is materialised (README "Rule-based segments"). */
  evaluatedVersion?: number;
  /**
   * Set by every write of a customer profile, removed once its rule membership is in line with it:
   * still there a minute later, the write's evaluation was lost (its instance stopped) and the
   * sweep evaluates it (README "Rule-based segments").
   */
  evaluationDue?: Date;
  /** The import line last written into it (README "Bulk in and out"). */
  imported?: { job: string; line: number };
  metadata: { version: number; createdAt: Date; modifiedAt: Date; mixins?: Record<string, string> };
}

const schema = new Schema<ProfileDocument>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    customerId: { type: String },
    legalEntityId: { type: String, default: undefined },
    sessionId: { type: String },
    attributes: { type: Schema.Types.Mixed, required: true },
    mergedGuests: { type: [String], default: undefined },
    mergingInto: { type: String },
    evaluatedVersion: { type: Number },
    evaluationDue: { type: Date },
    imported: { type: Schema.Types.Mixed },
    ...mixinsAndMetadata(),
  },
  { versionKey: false, minimize: false, strict: true },
);
// The profiles of one customer across legal entities (the segment reads ask by customer).
schema.index({ customerId: 1, legalEntityId: 1 });
// Profiles whose evaluation is due (the sweep's range query on dates; profiles without one are not in its range).
schema.index({ evaluationDue: 1 });

export const PROFILE_ENTITY = defineEntity<ProfileDocument>('segment_profiles', schema);
