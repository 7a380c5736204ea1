import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';

/**
 * `<tenant>_segments` (segment §2.5, TEN-3): the public id is `_id` (ID-1); documents carry no
 * tenant, the collection is the boundary. Localized maps and mixins are free-form (validated
 * before they get here).
 */
export interface SegmentDocument {
  _id: string;
  name: Record<string, string>;
  description?: Record<string, string>;
  validity?: { from?: Date; to?: Date };
  status: string;
  siteCode: string;
  mixins?: Record<string, unknown>;
  metadata: { version: number; createdAt: Date; modifiedAt: Date; mixins?: Record<string, string> };
}

const segmentSchema = new Schema<SegmentDocument>(
  {
    _id: { type: String, required: true },
    name: { type: Schema.Types.Mixed, required: true },
    description: { type: Schema.Types.Mixed },
    validity: { type: new Schema({ from: Date, to: Date }, { _id: false }), default: undefined },
    status: { type: String, required: true },
    siteCode: { type: String, required: true },
    mixins: { type: Schema.Types.Mixed },
    metadata: {
      version: { type: Number, required: true },
      createdAt: { type: Date, required: true },
      modifiedAt: { type: Date, required: true },
      mixins: { type: Schema.Types.Mixed },
    },
  },
  { versionKey: false, minimize: true, strict: true },
);
// Lists filter by site and status (q=siteCode:main, the active filter).
segmentSchema.index({ siteCode: 1 });
segmentSchema.index({ status: 1 });

export const SEGMENT_ENTITY = defineEntity<SegmentDocument>('segments', segmentSchema);
