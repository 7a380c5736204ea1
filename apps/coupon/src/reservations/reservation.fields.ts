import type { FieldRegistry } from '@suite/api-kit';

/** The filterable and sortable reservation fields (`status` is derived, so `state` is the stored one). */
export const RESERVATION_FIELDS: FieldRegistry = Object.fromEntries(
  Object.entries({
    id: { db: '_id', type: 'id' },
    customerNumber: { type: 'string' },
    legalEntityId: { type: 'string' },
    orderCode: { type: 'string' },
    state: { type: 'string' },
    createdAt: { type: 'date' },
    expiresAt: { type: 'date' },
  } satisfies FieldRegistry).map(([name, spec]) => [name, { ...spec, sortable: true }]),
);
