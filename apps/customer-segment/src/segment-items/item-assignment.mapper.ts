import { EVENT_SUBJECTS, EVENT_TYPES, LanguageSelection, filterLocalized, renderMetadata } from '@suite/api-kit';
import type { ChangeEvent } from '@suite/persistence';
import { ItemAssignmentResponseDto } from './dto/item-assignment.response.dto';
import { ItemAssignment } from './item-assignment.types';

/** An item assignment as returned (segment §2.2, §3.23). */
export type ItemAssignmentView = ItemAssignmentResponseDto;

/** `languages` narrows `item.name` (LOC-3); `null` keeps every translation. */
export function toItemAssignmentView(a: ItemAssignment, languages: LanguageSelection): ItemAssignmentView {
  const item: ItemAssignmentView['item'] = { id: a.item.id };
  if (a.item.code !== undefined) item.code = a.item.code;
  if (a.item.name !== undefined) item.name = filterLocalized(a.item.name, languages);
  return {
    segmentId: a.segmentId,
    type: a.type,
    item,
    ...(a.mixins !== undefined ? { mixins: a.mixins } : {}),
    metadata: renderMetadata(a.metadata),
  };
}

function subject(a: { segmentId: string; type: string; item: { id: string } }): string {
  return EVENT_SUBJECTS.itemAssignment(a.segmentId, a.type, a.item.id);
}

export function itemUpsertedChange(a: ItemAssignment, created: boolean): ChangeEvent {
  const v = toItemAssignmentView(a, null);
  return {
    type: created ? EVENT_TYPES.customerSegment.itemAssignmentCreated : EVENT_TYPES.customerSegment.itemAssignmentUpdated,
    subject: subject(a),
    version: a.metadata.version,
    time: new Date(a.metadata.modifiedAt),
    data: { segmentId: v.segmentId, type: v.type, item: v.item, mixins: v.mixins, metadata: v.metadata },
  };
}

export function itemDeletedChange(a: ItemAssignment, now: Date): ChangeEvent {
  return {
    type: EVENT_TYPES.customerSegment.itemAssignmentDeleted,
    subject: subject(a),
    version: a.metadata.version,
    time: now,
    data: { segmentId: a.segmentId, type: a.type, itemId: a.item.id },
  };
}
