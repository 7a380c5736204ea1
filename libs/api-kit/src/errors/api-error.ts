import { DetailType, ERROR_STATUS, ErrorCode } from './error-codes';

/** One problem with one input (ERR-1, ERR-6). `field` is omitted for body-level problems. */
export interface ErrorDetail {
  field?: string;
  type: DetailType;
  message: string;
}

export interface ApiErrorOptions {
  details?: ErrorDetail[];
  resourceId?: string;
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After` (ERR-12). */
  headers?: Record<string, string>;
  /** Overrides the coupon-profile `type` for this error (coupon contract reason codes). */
  profileType?: string;
  cause?: unknown;
}

/**
 * The one exception type of the suite (ERR-1). Services, repositories and libraries throw it;
 * the single exception filter of `@suite/api-kit` renders it in the app's wire profile. The
 * message must never carry stack traces, database messages, host names or token content.
 */
export class ApiError extends Error {
  readonly httpStatus: number;
  readonly details: ErrorDetail[];
  readonly resourceId?: string;
  readonly headers: Record<string, string>;
  readonly profileType?: string;

  constructor(
    readonly errorCode: ErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.httpStatus = ERROR_STATUS[errorCode];
    this.details = sortDetails(options.details ?? []);
    this.resourceId = options.resourceId;
    this.headers = options.headers ?? {};
    this.profileType = options.profileType;
  }

  static validation(details: ErrorDetail[], message?: string): ApiError {
    const n = details.length;
    return new ApiError(
      'validation_failed',
      message ?? (n === 1 ? 'The request contains 1 invalid value.' : `The request contains ${n} invalid values.`),
      { details },
    );
  }

  static invalidQuery(detail: ErrorDetail): ApiError {
    return new ApiError('invalid_query', 'The query parameter q is invalid.', { details: [detail] });
  }

  static notFound(resourceId?: string, message = 'The requested resource does not exist.'): ApiError {
    return new ApiError('resource_not_found', message, { resourceId });
  }

  static duplicate(resourceId?: string, message = 'A resource with the same identity already exists.'): ApiError {
    return new ApiError('duplicate_resource', message, { resourceId });
  }

  static versionConflict(resourceId: string, expected: number, stored: number | undefined): ApiError {
    return new ApiError('version_conflict', 'The resource has changed since it was read.', {
      resourceId,
      details: [
        {
          field: 'metadata.version',
          type: 'version_mismatch',
          message:
            stored === undefined
              ? `expected version ${expected} but the resource has no stored version`
              : `expected version ${expected} but the stored version is ${stored}`,
        },
      ],
    });
  }

  static forbidden(message = 'The caller is not allowed to perform this operation.'): ApiError {
    return new ApiError('forbidden', message);
  }

  static businessRule(message: string, details: ErrorDetail[] = [], profileType?: string): ApiError {
    return new ApiError('business_rule_violation', message, { details, profileType });
  }

  static upstreamUnavailable(service: string, retryAfterSeconds?: number): ApiError {
    return new ApiError('upstream_unavailable', `The ${service} service is unavailable.`, {
      details: [{ field: service, type: 'upstream_unavailable', message: `${service} did not answer usably` }],
      headers: retryAfterSeconds ? { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } : undefined,
    });
  }

  /**
   * 429 (ERR-3): a rate limit or a failed-attempt throttle refused the request; `Retry-After` is the
   * whole seconds until it admits requests again (at least 1).
   */
  static tooManyRequests(message: string, retryAfterSeconds: number, details: ErrorDetail[] = []): ApiError {
    return new ApiError('too_many_requests', message, {
      details,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }

  static internal(cause?: unknown): ApiError {
    return new ApiError('internal_error', 'An unexpected error occurred.', { cause });
  }
}

/** ERR-6: details sorted by field (field-less first), then by type, so tests compare whole lists. */
export function sortDetails(details: ErrorDetail[]): ErrorDetail[] {
  return [...details].sort((a, b) => {
    const fa = a.field ?? '';
    const fb = b.field ?? '';
    if (a.field === undefined && b.field !== undefined) return -1;
    if (b.field === undefined && a.field !== undefined) return 1;
    if (fa !== fb) return fa < fb ? -1 : 1;
    return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
  });
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
