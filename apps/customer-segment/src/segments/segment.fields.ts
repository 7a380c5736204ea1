import { FieldRegistry, metadataFields } from '@suite/api-kit';
import { ListRegistries } from '../common/listing';

/**
 * Queryable and sortable segment fields (segment §1.4, §1.5, conventions §5.5). The allow-list is
 * also the operator-injection barrier: anything else in `q` or `sort` is a 400.
 */
export const SEGMENT_FIELDS: FieldRegistry = {
  id: { db: '_id', type: 'id', sortable: true },
  name: { type: 'localized', sortable: true },
  description: { type: 'localized' },
  status: { type: 'string', sortable: true },
  siteCode: { type: 'string', sortable: true },
  'validity.from': { type: 'date', sortable: true },
  'validity.to': { type: 'date', sortable: true },
  ...metadataFields({ sortableVersion: true, mixinSchemas: true }),
};

/** `fields` also accepts the whole `validity` and `metadata` objects (PAG-8). */
const SEGMENT_PROJECTION: FieldRegistry = { ...SEGMENT_FIELDS, validity: { type: 'object' }, metadata: { type: 'object' } };

export const SEGMENT_LIST: ListRegistries = { query: SEGMENT_FIELDS, projection: SEGMENT_PROJECTION, defaultSort: 'id:asc' };
