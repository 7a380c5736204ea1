import { filterLocalized, LanguageSelection, renderMetadata } from '@suite/api-kit';
import type { AssignmentRecord } from './assignment.types';
import type { AssignmentResponseDto } from './dto/assignment.response.dto';

export function toAssignmentView(a: AssignmentRecord, selection: LanguageSelection): AssignmentResponseDto {
  return {
    id: a._id,
    categoryId: a.categoryId,
    ref: { id: a.ref.id, type: a.ref.type, localizedName: filterLocalized(a.ref.localizedName, selection) },
    published: a.published !== false,
    metadata: renderMetadata(a.metadata),
  };
}

/** EVT-3 payload of `assignment.created`: the full assignment, complete maps. */
export function assignmentEventData(a: AssignmentRecord, tenant: string): Record<string, unknown> {
  return { ...toAssignmentView(a, null), tenant };
}
