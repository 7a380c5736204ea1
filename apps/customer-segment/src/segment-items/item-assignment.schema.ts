import type { StoredMetadata } from '@suite/api-kit';
import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import { mixinsAndMetadata } from '../common/mixins-and-metadata.schema';

/** `<tenant>_segment_item_assignments` (segment §2.5). */
export interface ItemAssignmentDocument {
  segmentId: string;
  type: string;
  item: { id: string; code?: string; name?: Record<string, string> };
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

const schema = new Schema<ItemAssignmentDocument>(
  {
    segmentId: { type: String, required: true },
    type: { type: String, required: true },
    item: {
      id: { type: String, required: true },
      code: { type: String },
      name: { type: Schema.Types.Mixed },
    },
    ...mixinsAndMetadata(),
  },
  { versionKey: false, strict: true },
);
// Identity, the list of one segment and the default sort (segment §1.4).
schema.index({ segmentId: 1, type: 1, 'item.id': 1 }, { unique: true });
// "Which segments hold this product/category" (match, segment §9).
schema.index({ type: 1, 'item.id': 1 });

export const ITEM_ASSIGNMENT_ENTITY = defineEntity<ItemAssignmentDocument>('segment_item_assignments', schema);
