import { FieldRegistry } from '@suite/api-kit';
import { ListRegistries } from '../common/listing';

/** Queryable/sortable customer-assignment fields (segment §1.4, §1.5); keys stored flat. */
export const CUSTOMER_FIELDS: FieldRegistry = {
  'customer.id': { db: 'customerId', type: 'id', sortable: true, aliases: ['customerId'] },
  'legalEntity.id': { db: 'legalEntityId', type: 'id', sortable: true, aliases: ['legalEntityId'] },
  assignmentType: { type: 'string', sortable: true },
  'metadata.createdAt': { type: 'date', sortable: true, aliases: ['metadataCreatedAt'] },
  'metadata.modifiedAt': { type: 'date', sortable: true, aliases: ['metadataModifiedAt'] },
  'metadata.version': { type: 'number' },
  mixins: { type: 'mixins' },
  'metadata.mixins': { type: 'mixins' },
};

/** `fields` works on the response shape (PAG-8), so the projection registry names API paths. */
const CUSTOMER_PROJECTION: FieldRegistry = {
  segmentId: { type: 'id' },
  customer: { type: 'object' },
  legalEntity: { type: 'object' },
  assignmentType: { type: 'string' },
  metadata: { type: 'object' },
  mixins: { type: 'mixins' },
};

/** B2C first (null sorts before every string), then by legal entity (segment §1.4). */
export const CUSTOMER_LIST: ListRegistries = { query: CUSTOMER_FIELDS, projection: CUSTOMER_PROJECTION, defaultSort: 'customer.id:asc,legalEntity.id:asc' };
