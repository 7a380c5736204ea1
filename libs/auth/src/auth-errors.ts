import { ApiError } from '@suite/api-kit';

// The 401/403 errors of AUTH-10/AUTH-11. Messages never contain token content (AUTH-14); the
// internal reason travels as `cause` so the filter can log it.

const REALM = 'Bearer realm="commerce"';

/** 401 `token_missing`: no Authorization header, an empty one, or a scheme other than Bearer. */
export function tokenMissing(reason: string): ApiError {
  return new ApiError('token_missing', 'Invalid access token', {
    headers: { 'WWW-Authenticate': REALM },
    cause: new Error(reason),
  });
}

/** 401 `token_invalid`: anything wrong with a presented token except expiry. */
export function tokenInvalid(reason: string): ApiError {
  return new ApiError('token_invalid', 'Invalid access token', {
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token"` },
    cause: new Error(reason),
  });
}

/** 401 `token_expired`: `exp` lies in the past by more than the clock tolerance. */
export function tokenExpired(): ApiError {
  return new ApiError('token_expired', 'Access Token expired', {
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token"` },
    cause: new Error('token expired'),
  });
}

/** 403 `tenant_mismatch` (TEN-2), also for a path tenant that violates TEN-1. */
export function tenantMismatch(): ApiError {
  return new ApiError('tenant_mismatch', 'The access token is not valid for the tenant in the path.');
}

/**
 * 403 `insufficient_scope` with its one `missing_scope` detail and the RFC 6750 challenge naming
 * the accepted scopes (AUTH-11, ERR-3). `accepted` is an any-of list.
 */
export function insufficientScope(accepted: readonly string[]): ApiError {
  return new ApiError('insufficient_scope', 'The access token does not hold a scope this operation requires.', {
    details: [{ type: 'missing_scope', message: `Required scope(s): ${accepted.join(' or ')}` }],
    headers: {
      'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${accepted.join(' ')}"`,
    },
  });
}

/** 403 `forbidden` for a principal type the route does not allow (AUTH-8). */
export function principalNotAllowed(): ApiError {
  return new ApiError('forbidden', 'This operation is not available to the caller.');
}
