import { FieldRegistry, metadataFields } from '@suite/api-kit';
import { assignmentProjection } from '../common/assignment.fields';
import { ListRegistries } from '../common/listing';

/** Queryable/sortable customer-assignment fields (segment §1.4, §1.5); keys stored flat. */
export const CUSTOMER_FIELDS: FieldRegistry = {
  'customer.id': { db: 'customerId', type: 'id', sortable: true, aliases: ['customerId'] },
  'legalEntity.id': { db: 'legalEntityId', type: 'id', sortable: true, aliases: ['legalEntityId'] },
  assignmentType: { type: 'string', sortable: true },
  ...metadataFields({ mixinSchemas: true }),
};

const CUSTOMER_PROJECTION = assignmentProjection({
  customer: { type: 'object' },
  legalEntity: { type: 'object' },
  assignmentType: { type: 'string' },
});

/** B2C first (null sorts before every string), then by legal entity (segment §1.4). */
export const CUSTOMER_LIST: ListRegistries = {
  query: CUSTOMER_FIELDS,
  projection: CUSTOMER_PROJECTION,
  defaultSort: 'customer.id:asc,legalEntity.id:asc',
};
