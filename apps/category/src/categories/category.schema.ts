import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { CategoryRecord } from './category.types';

const Mixed = Schema.Types.Mixed;

/**
 * `<tenant>_categories` (category §12). Free-form parts (localized maps, mixins, validity) are
 * Mixed so mongoose never reshapes what the service validated; `minimize: false` keeps `{}`.
 */
const categorySchema = new Schema<CategoryRecord>(
  {
    _id: { type: String, required: true },
    type: String,
    parentId: String,
    ancestorIds: [String],
    depth: Number,
    code: String,
    codeLower: String,
    localizedName: Mixed,
    localizedDescription: Mixed,
    localizedSlug: Mixed,
    // No default: an absent ecn must stay absent (the partial unique index ignores it).
    ecn: { type: [String], default: undefined },
    validity: Mixed,
    position: Number,
    published: Boolean,
    ownClassificationMixins: Mixed,
    mixins: Mixed,
    metadata: Mixed,
  },
  { versionKey: false, minimize: false, strict: true, id: false },
);
// Unique code per tenant, case-insensitively; only where a code exists.
categorySchema.index(
  { codeLower: 1 },
  { unique: true, partialFilterExpression: { codeLower: { $exists: true } }, name: 'codeLower_unique' },
);
// Unique multikey: every ECN value belongs to one category; an empty ecn is never stored.
categorySchema.index({ ecn: 1 }, { unique: true, partialFilterExpression: { ecn: { $exists: true } }, name: 'ecn_unique' });
// Children of a parent in sibling order (trees, child promotion, delete-root rule).
categorySchema.index({ parentId: 1, position: 1, 'metadata.createdAt': 1 }, { name: 'parent_position' });
// Subtree queries: every descendant of X carries X in ancestorIds (multikey).
categorySchema.index({ ancestorIds: 1, depth: 1 }, { name: 'ancestors_depth' });
// Default list order (ops 1, 3, 19).
categorySchema.index({ 'metadata.createdAt': 1, _id: 1 }, { name: 'created' });

export const CATEGORY_ENTITY = defineEntity<CategoryRecord>('categories', categorySchema);

/** One small document per purpose in `<tenant>_category_state`: the hierarchy lock and the tree epoch. */
export interface CategoryStateRecord {
  _id: string;
  owner?: string;
  expiresAt?: Date;
  epoch?: number;
  /** The tree epoch's bounded change log (written through the driver, see CategoryStateRepository). */
  changes?: Array<{ e?: number; ids?: string[]; all?: true }>;
  /** Categories whose assignment paths a hierarchy write is rewriting (see CategoryStateRepository.markPathsPending). */
  pathsPending?: string[];
}

const stateSchema = new Schema<CategoryStateRecord>(
  { _id: { type: String, required: true }, owner: String, expiresAt: Date, epoch: Number },
  { versionKey: false, strict: true, id: false },
);

export const CATEGORY_STATE_ENTITY = defineEntity<CategoryStateRecord>('category_state', stateSchema);
