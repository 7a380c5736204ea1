import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import { mixinsAndMetadata } from '../common/mixins-and-metadata.schema';
import type { Segment } from './segment.types';

/**
 * `<tenant>_segments` (segment §2.5, TEN-3): the public id is `_id` (ID-1); documents carry no
 * tenant, the collection is the boundary. Localized maps and mixins are free-form (validated
 * before they get here).
 */
export interface SegmentDocument extends Omit<Segment, 'id'> {
  _id: string;
}

const segmentSchema = new Schema<SegmentDocument>(
  {
    _id: { type: String, required: true },
    name: { type: Schema.Types.Mixed, required: true },
    description: { type: Schema.Types.Mixed },
    validity: { type: new Schema({ from: Date, to: Date }, { _id: false }), default: undefined },
    status: { type: String, required: true },
    siteCode: { type: String, required: true },
    rule: { type: String },
    ...mixinsAndMetadata(),
  },
  { versionKey: false, minimize: true, strict: true },
);
// Lists filter by site and status (q=siteCode:main, the active filter).
segmentSchema.index({ siteCode: 1 });
segmentSchema.index({ status: 1 });

export const SEGMENT_ENTITY = defineEntity<SegmentDocument>('segments', segmentSchema);
