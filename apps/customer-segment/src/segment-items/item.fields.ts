import { ApiError, FieldRegistry } from '@suite/api-kit';
import { ListRegistries } from '../common/list-request';
import { ITEM_TYPES, ItemType } from './item-assignment.types';

/** Queryable/sortable item-assignment fields (segment §1.4, §1.5). */
export const ITEM_FIELDS: FieldRegistry = {
  segmentId: { type: 'id', sortable: true },
  type: { type: 'string', sortable: true },
  'item.id': { type: 'id', sortable: true, aliases: ['itemId'] },
  'item.code': { type: 'string' },
  'metadata.createdAt': { type: 'date', sortable: true, aliases: ['metadataCreatedAt'] },
  'metadata.modifiedAt': { type: 'date', sortable: true, aliases: ['metadataModifiedAt'] },
  'metadata.version': { type: 'number' },
  mixins: { type: 'mixins' },
  'metadata.mixins': { type: 'mixins' },
};

const ITEM_PROJECTION: FieldRegistry = {
  segmentId: { type: 'id' },
  type: { type: 'string' },
  item: { type: 'object' },
  metadata: { type: 'object' },
  mixins: { type: 'mixins' },
};

export const ITEM_LIST: ListRegistries = { query: ITEM_FIELDS, projection: ITEM_PROJECTION, defaultSort: 'segmentId:asc,type:asc,item.id:asc' };

/** Segment §2.2: the `{type}` path value, case-insensitive, always upper case; else `400`. */
export function parseItemType(raw: string): ItemType {
  const upper = raw.toUpperCase() as ItemType;
  if (!ITEM_TYPES.includes(upper)) throw ApiError.validation([{ field: 'type', type: 'invalid_value', message: 'type must be PRODUCT or CATEGORY' }]);
  return upper;
}
