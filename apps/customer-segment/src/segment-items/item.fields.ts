import { FieldRegistry, metadataFields } from '@suite/api-kit';
import { assignmentProjection } from '../common/assignment.fields';
import { ListRegistries } from '../common/listing';

/** Queryable/sortable item-assignment fields (segment §1.4, §1.5). */
export const ITEM_FIELDS: FieldRegistry = {
  segmentId: { type: 'id', sortable: true },
  type: { type: 'string', sortable: true },
  'item.id': { type: 'id', sortable: true, aliases: ['itemId'] },
  'item.code': { type: 'string' },
  ...metadataFields({ mixinSchemas: true }),
};

const ITEM_PROJECTION = assignmentProjection({ type: { type: 'string' }, item: { type: 'object' } });

export const ITEM_LIST: ListRegistries = {
  query: ITEM_FIELDS,
  projection: ITEM_PROJECTION,
  defaultSort: 'segmentId:asc,type:asc,item.id:asc',
};
