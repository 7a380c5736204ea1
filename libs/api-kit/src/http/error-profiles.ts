import { ApiError, ErrorDetail, reasonPhrase } from '../errors';
import { BODY_NOT_OBJECT_MESSAGE, BODY_REQUIRED_MESSAGE } from './request-body';

/**
 * ERR-1/ERR-2: one model, four wire profiles, fixed per application at bootstrap. `webhook` is
 * Emporix's Webhook Service `ErrorMessage` (`code`, `status`, `message`, `details` as strings) with
 * the suite's `errorCode` (apps/webhook/README.md "Errors").
 */
export type ErrorProfile = 'segment' | 'category' | 'coupon' | 'webhook';

/** ERR-2a: the gateway-style 401 body, the same in every profile. */
export function unauthorizedBody(error: ApiError): object {
  return error.errorCode === 'token_expired'
    ? { fault: { faultstring: 'Access Token expired', detail: { errorcode: 'keymanagement.service.access_token_expired' } } }
    : { fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } };
}

/** ERR-2 default mapping of shared error codes to the coupon profile's `type`. */
const COUPON_TYPES: Record<string, string> = {
  validation_failed: 'validation_violation',
  malformed_json: 'validation_violation',
  invalid_query: 'validation_violation',
  unsupported_media_type: 'validation_violation',
  payload_too_large: 'validation_violation',
  idempotency_key_reused: 'validation_violation',
  business_rule_violation: 'validation_violation',
  tenant_mismatch: 'insufficient_permissions',
  insufficient_scope: 'insufficient_permissions',
  forbidden: 'insufficient_permissions',
  resource_not_found: 'resource_not_found',
  route_not_found: 'resource_not_found',
  duplicate_resource: 'conflict_resource',
  version_conflict: 'conflict_resource',
  precondition_failed: 'conflict_resource',
  too_many_requests: 'too_many_requests',
  internal_error: 'internal_service_error',
  upstream_unavailable: 'service_unavailable',
  service_unavailable: 'service_unavailable',
  query_timeout: 'service_unavailable',
};

/**
 * Coupon contract §1.4: `validation_violation` details use a smaller vocabulary. Types the coupon
 * service sets itself (reason codes, `conflicting_values`, `immutable_field`, ...) pass unchanged.
 */
const COUPON_DETAIL_TYPES: Record<string, string> = {
  syntax_error: 'malformed_payload',
  invalid_type: 'invalid_value',
  invalid_format: 'invalid_value',
  out_of_range: 'invalid_value',
  too_long: 'invalid_value',
  too_many_items: 'invalid_value',
  invalid_key: 'invalid_value',
  unsupported_language: 'invalid_value',
  unknown_reference: 'invalid_value',
  read_only: 'immutable_field',
  invalid_parameter_name: 'invalid_query_parameter',
  duplicate_parameter: 'invalid_query_parameter',
};

/** Coupon §1.4 wording of the validation pipe's two body-level problems. */
const COUPON_BODY_MESSAGES = new Map([
  [BODY_REQUIRED_MESSAGE, 'A request body is required.'],
  [BODY_NOT_OBJECT_MESSAGE, 'The request body must be a JSON object.'],
]);

/** Coupon §1.4: problems with these query parameters are `invalid_query_parameter`. */
const COUPON_QUERY_PARAMETERS = new Set(['q', 'sort', 'pageSize', 'pageNumber', 'totalCount']);

function couponDetail(error: ApiError, d: ErrorDetail): ErrorDetail {
  if (error.errorCode === 'invalid_query') return { field: d.field ?? 'q', type: 'invalid_query_parameter', message: d.message };
  if (error.errorCode === 'malformed_json' && d.type === 'syntax_error') return { type: 'malformed_payload', message: d.message };
  if (d.field !== undefined && COUPON_QUERY_PARAMETERS.has(d.field)) return { ...d, type: 'invalid_query_parameter' };
  // A missing body, and one that is JSON but not an object (coupon §1.4 "not valid JSON, or not a
  // JSON object"), in the coupon's wording.
  if (d.field === undefined && (d.type === 'invalid_type' || d.type === 'missing_payload')) {
    const message = COUPON_BODY_MESSAGES.get(d.message) ?? d.message;
    return { type: d.type === 'invalid_type' ? 'malformed_payload' : 'missing_payload', message };
  }
  return { ...d, type: COUPON_DETAIL_TYPES[d.type] ?? d.type };
}

/** Renders an ApiError body in the given profile (statuses other than 401). */
export function renderError(error: ApiError, profile: ErrorProfile): object {
  if (error.httpStatus === 401) return unauthorizedBody(error);
  switch (profile) {
    case 'segment':
      return withResourceId(
        {
          code: error.httpStatus,
          status: reasonPhrase(error.httpStatus),
          errorCode: error.errorCode,
          message: error.message,
          details: error.details.map(cleanDetail),
        },
        error.resourceId,
      );
    case 'category': {
      // Category §3.2 words a missing scope its own way: "You need a scope for this action." and
      // "Required scope(s): a, b" (the shared wording lists them with " or ").
      const scopeWording = error.errorCode === 'insufficient_scope';
      return withResourceId(
        {
          code: error.httpStatus,
          status: reasonPhrase(error.httpStatus),
          errorCode: error.errorCode,
          message: scopeWording ? 'You need a scope for this action.' : error.message,
          details: error.details.map((d) => {
            const message = scopeWording && d.type === 'missing_scope' ? d.message.split(' or ').join(', ') : d.message;
            return d.field ? `${d.field}: ${message}` : message;
          }),
        },
        error.resourceId,
      );
    }
    case 'webhook':
      return withResourceId(
        {
          code: error.httpStatus,
          status: reasonPhrase(error.httpStatus),
          errorCode: error.errorCode,
          message: error.message,
          details: error.details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)),
        },
        error.resourceId,
      );
    case 'coupon':
      return {
        status: error.httpStatus,
        type: error.profileType ?? COUPON_TYPES[error.errorCode] ?? 'internal_service_error',
        message: error.message,
        details: error.details.map((d) => cleanDetail(couponDetail(error, d))),
      };
  }
}

function cleanDetail(d: ErrorDetail): ErrorDetail {
  return d.field === undefined ? { type: d.type, message: d.message } : { field: d.field, type: d.type, message: d.message };
}

function withResourceId<T extends object>(body: T, resourceId: string | undefined): T {
  return resourceId === undefined ? body : { ...body, resourceId };
}
