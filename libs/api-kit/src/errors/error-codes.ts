/**
 * The shared error catalogue (conventions ERR-3). `errorCode` is what tests and the exception
 * filter key on; the HTTP status of a code never depends on the service's wire profile.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  invalid_query: 400,
  business_rule_violation: 400,
  token_missing: 401,
  token_invalid: 401,
  token_expired: 401,
  tenant_mismatch: 403,
  insufficient_scope: 403,
  forbidden: 403,
  route_not_found: 404,
  resource_not_found: 404,
  duplicate_resource: 409,
  version_conflict: 409,
  /**
   * A conditional request whose condition failed (RFC 9110 §13.1): a search POST with
   * `If-None-Match` naming its current answer (category op 22, README "Branches of the category trees").
   */
  precondition_failed: 412,
  /** An Idempotency-Key sent again with another request (the idempotency interceptor of libs/persistence). */
  idempotency_key_reused: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A per-tenant rate limit or a failed-attempt throttle; always with `Retry-After` in seconds (ERR-3). */
  too_many_requests: 429,
  internal_error: 500,
  upstream_unavailable: 503,
  service_unavailable: 503,
  query_timeout: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Detail types of ERR-5. The coupon contract may add its own (hence the open string). */
export type DetailType =
  | 'missing_value'
  | 'missing_payload'
  | 'invalid_type'
  | 'invalid_value'
  | 'invalid_format'
  | 'out_of_range'
  | 'too_long'
  | 'too_many_items'
  | 'read_only'
  | 'invalid_key'
  | 'unknown_reference'
  | 'unsupported_language'
  | 'invalid_parameter_name'
  | 'duplicate_parameter'
  | 'version_mismatch'
  | 'missing_scope'
  | 'syntax_error'
  | 'unknown_field'
  | 'invalid_regex'
  | 'limit_exceeded'
  | 'upstream_unavailable'
  | (string & {});

/** Reason phrases of ERR-4. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  207: 'Multi-Status',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? 'Unknown';
}
