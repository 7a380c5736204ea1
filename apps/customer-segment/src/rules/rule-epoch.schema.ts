import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';

/**
 * `<tenant>_segment_rule_epochs`: one counter that every change of the tenant's rules (a segment
 * created with a rule, a rule set, changed or removed, a segment deleted) moves on. A profile write
 * reads it (a point read) instead of the tenant's rule segments, which it reads only when the counter
 * moved since it last did: what it evaluates is never older than the counter read by this very write.
 */
export interface RuleEpochDocument {
  _id: string;
  epoch: number;
}

const schema = new Schema<RuleEpochDocument>(
  { _id: { type: String, required: true }, epoch: { type: Number, required: true } },
  { versionKey: false },
);

export const RULE_EPOCH_ENTITY = defineEntity<RuleEpochDocument>('segment_rule_epochs', schema);
