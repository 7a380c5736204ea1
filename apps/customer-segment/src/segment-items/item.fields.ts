import { FieldRegistry } from '@suite/api-kit';
import { ListRegistries } from '../common/listing';

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
