import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { AssignmentRecord } from './assignment.types';

const assignmentSchema = new Schema<AssignmentRecord>(
  {
    _id: { type: String, required: true },
    categoryId: String,
    ref: Schema.Types.Mixed,
    published: Boolean,
    metadata: Schema.Types.Mixed,
    categoryPath: { type: [String], default: undefined },
  },
  { versionKey: false, minimize: false, strict: true, id: false },
);
// Natural key (§4.6): one assignment per reference per category.
assignmentSchema.index({ categoryId: 1, 'ref.type': 1, 'ref.id': 1 }, { unique: true, name: 'natural_key' });
// By-reference reads and deletes (ops 19, 20).
assignmentSchema.index({ 'ref.id': 1 }, { name: 'ref_id' });
// Per-category listing in default order (op 11) and deletes by category.
assignmentSchema.index({ categoryId: 1, 'metadata.createdAt': 1, _id: 1 }, { name: 'category_created' });
// A subtree's listing in default order (op 11 with withSubcategories): one multikey equality on
// the subtree's root instead of an `$in` of every category below it; moves rewrite the paths.
assignmentSchema.index({ categoryPath: 1, 'ref.type': 1, 'metadata.createdAt': 1, _id: 1 }, { name: 'category_path' });

export const ASSIGNMENT_ENTITY = defineEntity<AssignmentRecord>('category_assignments', assignmentSchema);
