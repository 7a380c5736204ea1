import { ApiError } from '../errors';
import { Q_LIMITS } from '../query/compile-q';

/** Largest page a peer serves (PAG-2). */
export const PEER_MAX_PAGE_SIZE = 1000;
/** PAG-4: `(pageNumber - 1) × pageSize` may not exceed this. */
export const PEER_MAX_PAGE_DEPTH = 100_000;
/** Q-30 limits a `q` value sent to a peer must respect: the ones the q compiler enforces. */
export const Q_MAX_CHARS = Q_LIMITS.maxLength;
export const Q_MAX_LIST_ITEMS = Q_LIMITS.maxListItems;

/**
 * Reads a whole collection from a peer (S2S-14): asks for page 1, 2, … with `pageSize` until a
 * page with fewer than `pageSize` items arrives, and returns every item in order. It never
 * relies on the peer's default page size: `fetchPage` must send the `pageSize` it is given.
 *
 * Fails the whole lookup (fail closed, S2S-11) when any page fails (the error propagates), when
 * a page is not an array or is longer than `pageSize` (the peer ignored our size, so we cannot
 * tell where the list ends), or when the next page would be beyond the PAG-4 depth limit: those
 * throw `503 upstream_unavailable` naming `service`.
 *
 * Pass the response body through unchanged (never `?? []`): an empty or non-array body must fail
 * the lookup, not read as "no items".
 *
 * @example
 * const rows = await readAllPages(
 *   async (pageNumber, pageSize) =>
 *     (await segments.request<{ item: { id: string } }[]>({ ...call, query: { q, pageSize, pageNumber } })).body as never,
 *   1000, PEER_MAX_PAGE_DEPTH, 'customer-segment');
 */
export async function readAllPages<T>(
  fetchPage: (pageNumber: number, pageSize: number) => Promise<T[]>,
  pageSize: number = PEER_MAX_PAGE_SIZE,
  maxDepth: number = PEER_MAX_PAGE_DEPTH,
  service = 'upstream',
): Promise<T[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PEER_MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${PEER_MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new RangeError('maxDepth must be a non-negative integer');
  const all: T[] = [];
  for (let pageNumber = 1; ; pageNumber += 1) {
    if ((pageNumber - 1) * pageSize > maxDepth) {
      // The peer would refuse this page with a 400; a partial list must never be used instead.
      throw ApiError.upstreamUnavailable(service);
    }
    const page = await fetchPage(pageNumber, pageSize);
    if (!Array.isArray(page) || page.length > pageSize) throw ApiError.upstreamUnavailable(service);
    for (const item of page) all.push(item);
    if (page.length < pageSize) return all;
  }
}

/** Writes one `q` list item as a quoted literal (Q-3): `\` becomes `\\` and `"` becomes `\"`. */
export function quoteQValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A parenthesised `q` list of quoted items, e.g. `("a","b\"c")`, for `id:(...)` or
 * `segmentId:(...)` (Q-3, S2S-14). Every id is quoted, so no id can ever be read as a keyword,
 * an operator, a range or a second list item. The result is not URL-encoded: pass it as a query
 * value to the client, which encodes it (Q-8).
 */
export function quotedIdList(ids: readonly string[]): string {
  if (ids.length === 0) throw new RangeError('a q list needs at least one item');
  return `(${ids.map(quoteQValue).join(',')})`;
}

/** Limits for {@link chunkIdsForQ}; default to the Q-30 maxima. A peer contract may set lower ones. */
export interface QChunkLimits {
  maxChars?: number;
  maxItems?: number;
}

/**
 * Splits `ids` over as few `q` values as possible, each `prefix + quotedIdList(part)`, so that
 * every value stays within `maxChars` characters and `maxItems` list items (Q-30, S2S-14).
 * `prefix` is the rest of the query ending in the list's path and colon, for example
 * `'type:CATEGORY segmentId:'`. Duplicate ids are sent once; order is kept. An empty `ids`
 * gives `[]` (the caller should then skip the call). An id too long to fit any `q` throws
 * `RangeError`, since no single call could carry it.
 *
 * Callers combine the results of all parts; if any part fails, the whole lookup fails.
 */
export function chunkIdsForQ(prefix: string, ids: readonly string[], limits: QChunkLimits = {}): string[] {
  const maxChars = limits.maxChars ?? Q_MAX_CHARS;
  const maxItems = limits.maxItems ?? Q_MAX_LIST_ITEMS;
  if (maxChars > Q_MAX_CHARS || maxItems > Q_MAX_LIST_ITEMS || maxChars < 1 || maxItems < 1) {
    throw new RangeError('q limits may only be lowered (Q-30)');
  }
  const unique = [...new Set(ids)];
  const out: string[] = [];
  // prefix + "(" + items joined by "," + ")"
  const overhead = prefix.length + 2;
  let current: string[] = [];
  let currentLen = overhead;
  for (const id of unique) {
    const quoted = quoteQValue(id);
    if (overhead + quoted.length > maxChars) {
      throw new RangeError(`an id of ${id.length} characters cannot fit in a q of ${maxChars} characters`);
    }
    const added = quoted.length + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length >= maxItems || currentLen + added > maxChars)) {
      out.push(`${prefix}(${current.join(',')})`);
      current = [];
      currentLen = overhead;
    }
    currentLen += quoted.length + (current.length > 0 ? 1 : 0);
    current.push(quoted);
  }
  if (current.length > 0) out.push(`${prefix}(${current.join(',')})`);
  return out;
}
