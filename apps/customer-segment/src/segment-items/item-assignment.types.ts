import { LocalizedMap, StoredMetadata } from '@suite/api-kit';
import type { AssignmentWrite } from '../common/assignment.types';

export type ItemType = 'PRODUCT' | 'CATEGORY';
export const ITEM_TYPES: readonly ItemType[] = ['PRODUCT', 'CATEGORY'];

/** Segment §2.2: identity `(segmentId, type, item.id)`; `code`/`name` are best-effort enrichment. */
export interface ItemAssignment {
  segmentId: string;
  type: ItemType;
  item: { id: string; code?: string; name?: LocalizedMap };
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

export interface ItemKey {
  segmentId: string;
  type: ItemType;
  itemId: string;
}

export interface ItemAssignmentWrite extends AssignmentWrite {
  /** The snapshot to store; `undefined` leaves `item.code`/`item.name` out (segment §2.2). */
  enrichment?: { code?: string; name?: LocalizedMap };
}
