import { ApiError, ErrorDetail } from '../errors';

/** PAG-2: the maximum page size, the same in every service and never overridden. */
export const MAX_PAGE_SIZE = 1000;
/** PAG-2: the suite default page size (the coupon service passes 16). */
export const DEFAULT_PAGE_SIZE = 60;
/** PAG-4: `(pageNumber − 1) × pageSize` may not exceed this. */
export const MAX_PAGING_OFFSET = 100_000;

export interface PagingInput {
  pageNumber?: unknown;
  pageSize?: unknown;
}

export interface PagingOptions {
  /** Default page size when `pageSize` is absent (PAG-2, PAG-3). Default 60. */
  defaultPageSize?: number;
}

export interface Paging {
  pageNumber: number;
  pageSize: number;
  /** Documents to skip: `(pageNumber − 1) × pageSize`. */
  skip: number;
  /** Same as `pageSize`, for the database call. */
  limit: number;
}

type ParsedInt = { ok: true; value: number } | { ok: false; detail: ErrorDetail };

// Query parameters arrive as strings (HTTP-4); a pipe may already have turned them into numbers.
function parseInteger(field: string, raw: unknown): ParsedInt {
  if (typeof raw === 'number') {
    if (Number.isInteger(raw)) return { ok: true, value: raw };
    return { ok: false, detail: { field, type: 'invalid_type', message: `${field} must be an integer` } };
  }
  if (typeof raw !== 'string' || !isIntegerText(raw)) {
    return { ok: false, detail: { field, type: 'invalid_type', message: `${field} must be an integer` } };
  }
  return { ok: true, value: Number(raw) };
}

function isIntegerText(s: string): boolean {
  let i = s.startsWith('-') ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Validates `pageNumber`/`pageSize` (PAG-1 to PAG-4). Absent values take the defaults (page 1,
 * `defaultPageSize`); the suite never clamps. Problems are `400 validation_failed` listing every
 * problem: `invalid_type` for a non-integer, `out_of_range` for a value outside its range or a
 * page deeper than 100,000 documents (field `pageNumber`).
 */
export function parsePaging(input: PagingInput, options: PagingOptions = {}): Paging {
  const defaultPageSize = options.defaultPageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(defaultPageSize) || defaultPageSize < 1 || defaultPageSize > MAX_PAGE_SIZE) {
    throw new Error(`defaultPageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const details: ErrorDetail[] = [];
  let pageNumber = 1;
  let pageSize = defaultPageSize;
  if (input.pageNumber !== undefined) {
    const r = parseInteger('pageNumber', input.pageNumber);
    if (!r.ok) details.push(r.detail);
    else if (r.value < 1) details.push({ field: 'pageNumber', type: 'out_of_range', message: 'pageNumber must be at least 1' });
    else pageNumber = r.value;
  }
  if (input.pageSize !== undefined) {
    const r = parseInteger('pageSize', input.pageSize);
    if (!r.ok) details.push(r.detail);
    else if (r.value < 1 || r.value > MAX_PAGE_SIZE) {
      details.push({ field: 'pageSize', type: 'out_of_range', message: `pageSize must be between 1 and ${MAX_PAGE_SIZE}` });
    } else pageSize = r.value;
  }
  if (details.length === 0 && (pageNumber - 1) * pageSize > MAX_PAGING_OFFSET) {
    details.push({
      field: 'pageNumber',
      type: 'out_of_range',
      message: `(pageNumber - 1) * pageSize must not exceed ${MAX_PAGING_OFFSET}`,
    });
  }
  if (details.length) throw ApiError.validation(details);
  return { pageNumber, pageSize, skip: (pageNumber - 1) * pageSize, limit: pageSize };
}

/**
 * PAG-6: true only when the `X-Total-Count` request header equals `true` in any letter case.
 * Anything else — absent, `false`, empty, garbage, a repeated header — is false; never a 400.
 */
export function wantsTotalCount(headerValue: unknown): boolean {
  return typeof headerValue === 'string' && headerValue.toLowerCase() === 'true';
}
