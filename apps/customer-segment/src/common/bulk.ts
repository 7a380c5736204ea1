import { ApiError, BulkItemResult, assertBulkArray, reasonPhrase } from '@suite/api-kit';
import type { RouteInput } from './input-report.interceptor';

/**
 * Segment §1.10 / BULK-3 with the BULK-6 override of this service: one result per element in
 * request order, zero-based `index`, `code` and reason phrase, failed elements carry only
 * `message`. Elements are processed one by one, in order, without a transaction (BULK-4).
 * `withId` decides whether results carry `id` (segment bulks) or not (assignment bulks).
 */
export async function runSegmentBulk<T>(
  items: T[],
  handle: (item: T, index: number) => Promise<{ code: number; id?: string }>,
  options: { idOf?: (item: T) => string | undefined; onUnexpected?: (e: unknown) => void } = {},
): Promise<BulkItemResult[]> {
  const results: BulkItemResult[] = [];
  for (let index = 0; index < items.length; index++) {
    const known = options.idOf?.(items[index]);
    try {
      const outcome = await handle(items[index], index);
      const id = outcome.id ?? known;
      results.push({ index, ...(options.idOf && id !== undefined ? { id } : {}), code: outcome.code, status: reasonPhrase(outcome.code) });
    } catch (e) {
      if (!(e instanceof ApiError)) options.onUnexpected?.(e);
      const error = e instanceof ApiError ? e : ApiError.internal(e);
      results.push({ index, ...(options.idOf && known !== undefined ? { id: known } : {}), code: error.httpStatus, status: reasonPhrase(error.httpStatus), message: bulkMessage(error) });
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

/** Reads a string-valued property of a bulk element, if it is one. */
export function stringProp(item: unknown, key: string): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const v = (item as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** BULK-1 as the input check of a bulk route whose path or query the pipe judges (ERR-6). */
export function bulkBodyCheck(input: RouteInput): unknown[] {
  return assertBulkArray(input.body);
}
