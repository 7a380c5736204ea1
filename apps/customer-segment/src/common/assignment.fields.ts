import { FieldRegistry } from '@suite/api-kit';

/**
 * The projection registry of an assignment list: `fields` works on the response shape (PAG-8),
 * which is the segment id, the kind's own properties, `metadata` and `mixins`.
 */
export function assignmentProjection(own: FieldRegistry): FieldRegistry {
  return { segmentId: { type: 'id' }, ...own, metadata: { type: 'object' }, mixins: { type: 'mixins' } };
}
