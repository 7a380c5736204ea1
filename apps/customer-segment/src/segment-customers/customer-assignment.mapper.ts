import { EVENT_SUBJECTS, EVENT_TYPES, renderMetadata } from '@suite/api-kit';
import type { ChangeEvent } from '@suite/persistence';
import { CustomerAssignmentResponseDto } from './dto/customer-assignment.response.dto';
import { CustomerAssignment } from './customer-assignment.types';

/** A customer assignment as returned (segment §2.3, §3.12); `legalEntity` is left out for B2C. */
export type CustomerAssignmentView = CustomerAssignmentResponseDto;

export function toCustomerAssignmentView(a: CustomerAssignment): CustomerAssignmentView {
  // Built in the documented key order in one pass (it runs once per element of a bulk request).
  const view = { segmentId: a.segmentId, customer: { id: a.customerId } } as CustomerAssignmentView;
  if (a.legalEntityId !== null) view.legalEntity = { id: a.legalEntityId };
  view.assignmentType = a.assignmentType;
  if (a.mixins) view.mixins = a.mixins;
  view.metadata = renderMetadata(a.metadata);
  return view;
}

function subject(a: { segmentId: string; customerId: string; legalEntityId: string | null }): string {
  return EVENT_SUBJECTS.customerAssignment(a.segmentId, a.customerId, a.legalEntityId ?? undefined);
}

/** customer-assignment-created / -updated (segment §6). */
export function customerUpsertedChange(a: CustomerAssignment, created: boolean): ChangeEvent {
  const v = toCustomerAssignmentView(a);
  return {
    type: created ? EVENT_TYPES.customerSegment.customerAssignmentCreated : EVENT_TYPES.customerSegment.customerAssignmentUpdated,
    subject: subject(a),
    version: a.metadata.version,
    time: new Date(a.metadata.modifiedAt),
    data: {
      segmentId: v.segmentId,
      customer: v.customer,
      legalEntity: v.legalEntity,
      assignmentType: v.assignmentType,
      mixins: v.mixins,
      metadata: v.metadata,
    },
  };
}

/** customer-assignment-deleted, also for cascades (segment §6). */
export function customerDeletedChange(a: CustomerAssignment, now: Date): ChangeEvent {
  return {
    type: EVENT_TYPES.customerSegment.customerAssignmentDeleted,
    subject: subject(a),
    version: a.metadata.version,
    time: now,
    data: { segmentId: a.segmentId, customerId: a.customerId, legalEntityId: a.legalEntityId },
  };
}
