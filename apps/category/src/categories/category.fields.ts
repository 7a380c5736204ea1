import { FieldRegistry, metadataFields } from '@suite/api-kit';

/**
 * Queryable and sortable category fields (§3.6, §3.8). Deprecated `name`/`description` are neither.
 * Mixin paths are sortable too: PAG-7 makes them sortable wherever the entity has mixins, and the
 * sortable fields are not among the overrides HTTP-8 allows a contract (§3.6 only lists the rest).
 */
export const CATEGORY_FIELDS: FieldRegistry = {
  id: { db: '_id', type: 'id', sortable: true },
  code: { type: 'string', sortable: true },
  type: { type: 'string', sortable: true },
  parentId: { type: 'string', sortable: true },
  position: { type: 'number', sortable: true },
  published: { type: 'boolean', sortable: true },
  ecn: { type: 'string' },
  localizedName: { type: 'localized', sortable: true },
  localizedDescription: { type: 'localized', sortable: true },
  localizedSlug: { type: 'localized', sortable: true },
  'validity.from': { type: 'date', sortable: true },
  'validity.to': { type: 'date', sortable: true },
  ...metadataFields({ sortableVersion: true }),
};

/** Default order of flat category lists (ops 1, 3, 19): creation time, then id (§3.6). */
export const CATEGORY_DEFAULT_SORT = 'metadata.createdAt:asc';
