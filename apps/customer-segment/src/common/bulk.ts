import { ApiError, BulkItemResult, RequestRule, assertBulkArray, isPlainObject, reasonPhrase, validateDtoOrThrow } from '@suite/api-kit';
import type { Logger } from 'pino';

/**
 * Segment §1.10 / BULK-3 with the BULK-6 override of this service: one result per element in
 * request order, zero-based `index`, `code` and reason phrase, failed elements carry only
 * `message`. Elements are processed one by one, in order, without a transaction (BULK-4).
 * `idOf` decides whether results carry `id` (segment bulks) or not (assignment bulks); a failure
 * that is not an ApiError (a 500 element) is logged to `logger`.
 */
export async function runSegmentBulk<T>(
  items: T[],
  handle: (item: T, index: number) => Promise<{ code: number; id?: string }>,
  options: { idOf?: (item: T) => string | undefined; logger?: Pick<Logger, 'error'> } = {},
): Promise<BulkItemResult[]> {
  const results: BulkItemResult[] = [];
  for (let index = 0; index < items.length; index++) {
    const known = options.idOf?.(items[index]);
    try {
      const outcome = await handle(items[index], index);
      const id = outcome.id ?? known;
      results.push({ index, ...(options.idOf && id !== undefined ? { id } : {}), code: outcome.code, status: reasonPhrase(outcome.code) });
    } catch (e) {
      if (!(e instanceof ApiError)) options.logger?.error({ err: e }, 'bulk element failed unexpectedly');
      const error = e instanceof ApiError ? e : ApiError.internal(e);
      results.push({
        index,
        ...(options.idOf && known !== undefined ? { id: known } : {}),
        code: error.httpStatus,
        status: reasonPhrase(error.httpStatus),
        message: bulkMessage(error),
      });
    }
  }
  return results;
}

/** One readable line for a failed element (only `message` is reported, BULK-6). */
function bulkMessage(error: ApiError): string {
  if (error.errorCode === 'validation_failed' && error.details.length) {
    return error.details.map((d) => d.message).join('; ');
  }
  return error.message;
}

/** A bulk element judged exactly like a single body (BULK-3): a JSON object (`notObject` otherwise), then its DTO. */
export function bulkElement<T extends object>(dto: new () => T, item: unknown, notObject = 'the body must be a JSON object'): T {
  if (!isPlainObject(item)) throw ApiError.validation([{ type: 'invalid_type', message: notObject }]);
  return validateDtoOrThrow(dto, item);
}

/** Reads a string-valued property of a bulk element, if it is one. */
export function stringProp(item: unknown, key: string): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const v = (item as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** BULK-1 as the request rule of a bulk route whose path or query the pipe judges (ERR-6). */
export const bulkBodyCheck: RequestRule = (input) => {
  assertBulkArray(input.body);
};
