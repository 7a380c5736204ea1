import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';

/** An import job (README "Bulk in and out"): what it imports and how far its lines got. */
export interface ImportDocument {
  _id: string;
  kind: 'profiles' | 'members';
  segmentId?: string;
  /** The number of the next line to apply (1-based): every line before it was applied or judged. */
  nextLine: number;
  applied: number;
  failed: number;
  createdAt: Date;
  modifiedAt: Date;
}

const schema = new Schema<ImportDocument>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    segmentId: { type: String },
    nextLine: { type: Number, required: true },
    applied: { type: Number, required: true },
    failed: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    modifiedAt: { type: Date, required: true },
  },
  { versionKey: false, strict: true },
);

export const IMPORT_ENTITY = defineEntity<ImportDocument>('segment_imports', schema);
