import { ApiError, ErrorDetail, reasonPhrase } from '../errors';

/** BULK-1: 1 to 200 items. */
export const BULK_MAX_ITEMS = 200;

/** BULK-1: the whole request is rejected (nothing processed) for a non-array, empty or oversized body. */
export function assertBulkArray(body: unknown, max = BULK_MAX_ITEMS): unknown[] {
  if (body === undefined) throw ApiError.validation([{ type: 'missing_payload', message: 'a request body is required' }]);
  if (!Array.isArray(body)) throw ApiError.validation([{ type: 'invalid_type', message: 'the body must be a JSON array' }]);
  if (body.length === 0) throw ApiError.validation([{ type: 'missing_value', message: 'the array must contain at least one item' }]);
  if (body.length > max)
    throw ApiError.validation([{ type: 'too_many_items', message: `at most ${max} items are allowed, got ${body.length}` }]);
  return body;
}

/** BULK-3: one result per request item. */
export interface BulkItemResult {
  index: number;
  id?: string;
  code: number;
  status: string;
  errorCode?: string;
  message?: string;
  details?: ErrorDetail[];
  [extra: string]: unknown;
}

export interface BulkOutcome {
  code: number;
  id?: string;
  /** Extra identifying properties (BULK-6, e.g. `assignmentId`, `productId`). */
  extra?: Record<string, unknown>;
}

export interface BulkRunOptions {
  /** BULK-6: status text style (`reason` phrases by default). */
  statusText?: (code: number) => string;
  /** BULK-6: which error properties failed items carry (default errorCode, message, details). */
  errorFields?: Array<'errorCode' | 'message' | 'details'>;
}

/**
 * BULK-4: processes items one by one in array order, independently, without a surrounding
 * transaction. An item's ApiError becomes that item's result; anything unexpected becomes a 500
 * item (and is rethrown to the logger by `onUnexpected`), never a failed request.
 */
export async function runBulk<T>(
  items: T[],
  handle: (item: T, index: number) => Promise<BulkOutcome>,
  options: BulkRunOptions & { onUnexpected?: (error: unknown, index: number) => void } = {},
): Promise<BulkItemResult[]> {
  const statusText = options.statusText ?? reasonPhrase;
  const fields = options.errorFields ?? ['errorCode', 'message', 'details'];
  const results: BulkItemResult[] = [];
  for (let index = 0; index < items.length; index++) {
    try {
      const outcome = await handle(items[index], index);
      const r: BulkItemResult = {
        index,
        ...(outcome.id !== undefined ? { id: outcome.id } : {}),
        ...(outcome.extra ?? {}),
        code: outcome.code,
        status: statusText(outcome.code),
      };
      results.push(r);
    } catch (e) {
      const error = e instanceof ApiError ? e : ApiError.internal(e);
      if (!(e instanceof ApiError)) options.onUnexpected?.(e, index);
      const r: BulkItemResult = {
        index,
        ...(error.resourceId !== undefined ? { id: error.resourceId } : {}),
        code: error.httpStatus,
        status: statusText(error.httpStatus),
      };
      if (fields.includes('errorCode')) r.errorCode = error.errorCode;
      if (fields.includes('message')) r.message = error.message;
      if (fields.includes('details')) r.details = error.details;
      results.push(r);
    }
  }
  return results;
}

/** Re-labels a validation error of one bulk item: "The item contains N invalid values." */
export function itemValidationError(details: ErrorDetail[]): ApiError {
  const n = details.length;
  return ApiError.validation(details, n === 1 ? 'The item contains 1 invalid value.' : `The item contains ${n} invalid values.`);
}
