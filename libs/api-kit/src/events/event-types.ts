/** The `source` attribute of each service's events (EVT-1). */
export const EVENT_SOURCES = {
  customerSegment: '/customer-segment',
  category: '/category',
  coupon: '/coupon',
} as const;

export type EventSourceName = (typeof EVENT_SOURCES)[keyof typeof EVENT_SOURCES];

/**
 * Every event type of the suite (EVT-2), grouped by emitting service. Category has no
 * `assignment.updated`, matching Emporix: a rewritten category assignment emits nothing.
 */
export const EVENT_TYPES = {
  customerSegment: {
    segmentCreated: 'customer-segment.segment-created',
    segmentUpdated: 'customer-segment.segment-updated',
    segmentDeleted: 'customer-segment.segment-deleted',
    customerAssignmentCreated: 'customer-segment.customer-assignment-created',
    customerAssignmentUpdated: 'customer-segment.customer-assignment-updated',
    customerAssignmentDeleted: 'customer-segment.customer-assignment-deleted',
    itemAssignmentCreated: 'customer-segment.item-assignment-created',
    itemAssignmentUpdated: 'customer-segment.item-assignment-updated',
    itemAssignmentDeleted: 'customer-segment.item-assignment-deleted',
  },
  category: {
    created: 'category.created',
    updated: 'category.updated',
    deleted: 'category.deleted',
    assignmentCreated: 'assignment.created',
    assignmentDeleted: 'assignment.deleted',
  },
  coupon: {
    created: 'coupon.created',
    updated: 'coupon.updated',
    deleted: 'coupon.deleted',
    redemptionCreated: 'coupon.redemption-created',
    redemptionDeleted: 'coupon.redemption-deleted',
    // Suite extension (apps/coupon/README.md "Rollback").
    redemptionRolledBack: 'coupon.redemption-rolled-back',
    // Suite extension (apps/coupon/README.md "Code campaigns"): one event per campaign, never one per generated coupon.
    campaignCreated: 'coupon.campaign-created',
    campaignCompleted: 'coupon.campaign-completed',
    campaignDeleted: 'coupon.campaign-deleted',
  },
} as const;

type ValuesOf<T> = T[keyof T];
export type CustomerSegmentEventType = ValuesOf<(typeof EVENT_TYPES)['customerSegment']>;
export type CategoryEventType = ValuesOf<(typeof EVENT_TYPES)['category']>;
export type CouponEventType = ValuesOf<(typeof EVENT_TYPES)['coupon']>;
export type EventType = CustomerSegmentEventType | CategoryEventType | CouponEventType;

/** Which types each source may emit; `buildEvent` refuses any other pairing. */
export const EVENT_TYPES_BY_SOURCE: Readonly<Record<EventSourceName, readonly EventType[]>> = {
  [EVENT_SOURCES.customerSegment]: Object.values(EVENT_TYPES.customerSegment),
  [EVENT_SOURCES.category]: Object.values(EVENT_TYPES.category),
  [EVENT_SOURCES.coupon]: Object.values(EVENT_TYPES.coupon),
};

/**
 * The path-like `subject` keys of assignment events (EVT-1). Ids are used as stored: the ID
 * patterns of the suite exclude `/`, so the key stays unambiguous.
 */
export const EVENT_SUBJECTS = {
  customerAssignment: (segmentId: string, customerId: string, legalEntityId?: string): string =>
    legalEntityId ? `${segmentId}/customers/${customerId}/${legalEntityId}` : `${segmentId}/customers/${customerId}`,
  itemAssignment: (segmentId: string, type: string, itemId: string): string => `${segmentId}/items/${type}/${itemId}`,
  categoryAssignment: (categoryId: string, assignmentId: string): string => `${categoryId}/assignments/${assignmentId}`,
};
