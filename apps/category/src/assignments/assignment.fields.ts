import type { FieldRegistry } from '@suite/api-kit';

/** Sortable assignment fields (§3.6). */
export const ASSIGNMENT_FIELDS: FieldRegistry = {
  id: { db: '_id', type: 'id', sortable: true },
  categoryId: { type: 'string', sortable: true },
  'ref.id': { type: 'string', sortable: true },
  'ref.localizedName': { type: 'localized', sortable: true },
  published: { type: 'boolean', sortable: true },
};

/** Default order of op 11: creation time, then id (§3.6). */
export const ASSIGNMENT_DEFAULT_SORT: Record<string, 1 | -1> = { 'metadata.createdAt': 1, _id: 1 };
