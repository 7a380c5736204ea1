// Shared fixtures for the specs of this folder (not exported from the barrel).
import { ApiError } from '../errors';
import type { FieldRegistry } from './field-registry';

/** The §5.5 example registry plus the fields the §5.3 examples use. */
export const TEST_FIELDS: FieldRegistry = {
  id: { db: '_id', type: 'id', sortable: true },
  siteCode: { type: 'string', sortable: true },
  status: { type: 'string', sortable: true },
  code: { type: 'string', sortable: true },
  ecn: { type: 'string' },
  name: { type: 'localized', sortable: true },
  description: { type: 'localized' },
  published: { type: 'boolean', sortable: true },
  categoryRestricted: { type: 'boolean' },
  position: { type: 'number', sortable: true },
  'validity.from': { type: 'date', sortable: true },
  'validity.to': { type: 'date', sortable: true },
  'metadata.version': { type: 'number', sortable: true },
  'metadata.createdAt': { type: 'date', sortable: true, aliases: ['metadataCreatedAt'] },
  'metadata.modifiedAt': { type: 'date', sortable: true, aliases: ['metadataModifiedAt'] },
  'metadata.mixins': { type: 'mixins' },
  item: { type: 'object' },
  'item.id': { type: 'id', sortable: true, aliases: ['itemId'] },
  mixins: { type: 'mixins' },
};

/** Runs `fn`, expecting an ApiError; returns it (fails the test otherwise). */
export function catchApiError(fn: () => unknown): ApiError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error('expected an ApiError, but nothing was thrown');
  if (!(thrown instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(thrown)}`);
  return thrown;
}
