/** The four scopes of the category service (category contract §3.2), as exact API strings. */
export const CATEGORY_SCOPES = {
  manage: 'category.category_manage',
  readUnpublished: 'category.category_read_unpublished',
  publish: 'category.category_publish',
  unpublish: 'category.category_unpublish',
} as const;

/** The scope this service's own token needs for the customer-segment lookup (category §9). */
export const SEGMENT_READ_SCOPE = 'customersegment.segment_read';
