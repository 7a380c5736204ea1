import type { FieldRegistry } from '@suite/api-kit';

/** §1.6: filterable and sortable redemption fields. */
export const REDEMPTION_FIELDS: FieldRegistry = {
  id: { db: '_id', type: 'id', sortable: true },
  customerNumber: { type: 'string', sortable: true },
  orderCode: { type: 'string', sortable: true },
  legalEntityId: { type: 'string', sortable: true },
  redeemedAt: { type: 'date', sortable: true },
  'orderTotal.amount': { type: 'number', sortable: true },
  'orderTotal.currency': { type: 'string', sortable: true },
  'discount.amount': { type: 'number', sortable: true },
  'discount.currency': { type: 'string', sortable: true },
};
