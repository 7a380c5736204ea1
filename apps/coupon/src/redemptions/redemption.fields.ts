import type { FieldRegistry } from '@suite/api-kit';
import { moneyFields } from '../coupons/coupon.fields';

/** §1.6: the redemption fields, every one filterable and sortable. */
export const REDEMPTION_FIELDS: FieldRegistry = allSortable({
  id: { db: '_id', type: 'id' },
  customerNumber: { type: 'string' },
  orderCode: { type: 'string' },
  legalEntityId: { type: 'string' },
  redeemedAt: { type: 'date' },
  // Suite extensions (README): `reservationId:exists`, `rolledBackAt:exists` or a date range.
  reservationId: { type: 'string' },
  rolledBackAt: { type: 'date' },
  ...moneyFields('orderTotal'),
  ...moneyFields('discount'),
});

function allSortable(fields: FieldRegistry): FieldRegistry {
  return Object.fromEntries(Object.entries(fields).map(([name, spec]) => [name, { ...spec, sortable: true }]));
}
