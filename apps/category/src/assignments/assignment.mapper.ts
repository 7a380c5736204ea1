import { renderMetadata, MetadataView } from '@suite/api-kit';
import { projectMap } from '../shared/languages';
import type { AssignmentRecord } from './assignment.types';

/** Assignment as returned (§4.6). */
export interface AssignmentView {
  id: string;
  categoryId: string;
  ref: { id: string; type: string; localizedName: Record<string, string> };
  published: boolean;
  metadata: MetadataView;
}

export function toAssignmentView(a: AssignmentRecord, selection: readonly string[] | null): AssignmentView {
  return {
    id: a._id,
    categoryId: a.categoryId,
    ref: { id: a.ref.id, type: a.ref.type, localizedName: projectMap(a.ref.localizedName, selection) },
    published: a.published !== false,
    metadata: renderMetadata(a.metadata),
  };
}

/** EVT-3 payload of `assignment.created`: the full assignment, complete maps. */
export function assignmentEventData(a: AssignmentRecord, tenant: string): Record<string, unknown> {
  return { ...toAssignmentView(a, null), tenant };
}
