import type { FieldRegistry } from '@suite/api-kit';

/** What `q` and `sort` of the campaign list accept; every field is filterable and sortable. */
export const CAMPAIGN_FIELDS: FieldRegistry = {
  id: { db: '_id', type: 'id', sortable: true },
  name: { type: 'string', sortable: true },
  status: { type: 'string', sortable: true },
  requested: { type: 'number', sortable: true },
  created: { type: 'number', sortable: true },
  'metadata.createdAt': { type: 'date', sortable: true },
  'metadata.modifiedAt': { type: 'date', sortable: true },
};

/** Newest first; ties by id. */
export const DEFAULT_CAMPAIGN_SORT = 'metadata.createdAt:desc';
