import { ApiError, ApiErrorOptions, ErrorCode } from '@suite/api-kit';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-request';

/**
 * An ApiError answered with a status of its own: a replayed error keeps the status it was first
 * answered with.
 */
export class ApiErrorWithStatus extends ApiError {
  override readonly httpStatus: number;

  constructor(status: number, errorCode: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(errorCode, message, options);
    this.httpStatus = status;
  }
}

/**
 * `422`: the key was used before, by the same principal in the same tenant, for another request
 * (method, path, query or body). The shared code `idempotency_key_reused` (coupon: `validation_violation`, like
 * its 413 and 415) with the detail type `idempotency_key_reused` on the field `Idempotency-Key`.
 */
export function idempotencyKeyReused(): ApiError {
  return new ApiError('idempotency_key_reused', 'The Idempotency-Key was already used for a different request.', {
    details: [
      {
        field: IDEMPOTENCY_KEY_HEADER,
        type: 'idempotency_key_reused',
        message: 'this key was sent with another method, path, query or body; use a new key for a new request',
      },
    ],
  });
}

/**
 * `409`: the first request with this key is still running and did not finish within the wait.
 * `duplicate_resource` (coupon: `conflict_resource`), detail type `idempotency_key_in_use`, and
 * `Retry-After: 1`: retrying the same request later gets the stored answer.
 */
export function idempotencyKeyInUse(): ApiError {
  return new ApiError('duplicate_resource', 'A request with the same Idempotency-Key is still being processed; retry it later.', {
    details: [
      {
        field: IDEMPOTENCY_KEY_HEADER,
        type: 'idempotency_key_in_use',
        message: 'the first request with this key has not finished yet',
      },
    ],
    headers: { 'Retry-After': '1' },
  });
}
