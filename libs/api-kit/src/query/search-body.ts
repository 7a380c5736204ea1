import { ApiError } from '../errors';
import type { RequestRule } from '../http/request-validation';
import { compileQ, CompileQContext, Q_LIMITS } from './compile-q';
import type { FieldRegistry } from './field-registry';
import type { MongoFilter } from './filter';
import { exceedsCodePoints } from './q-parser';
import { queryError } from './query-error';

/**
 * Reads `q` from a `POST …/search` body (PAG-9, Q-31.4). A missing body (`undefined`/`null`) or
 * a body without `q` means no filter (`''`). A body that is not a JSON object is
 * `400 validation_failed` (body-level detail, no field). A `q` that is present but not a string,
 * or longer than 4096 characters, is `400 invalid_query` on field `q`. Other properties are ignored.
 */
export function searchBodyQ(body: unknown): string {
  // No body means no filter; JSON `null` is a body, and not an object (PAG-9).
  if (body === undefined) return '';
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw ApiError.validation([{ type: 'invalid_type', message: 'the search body must be a JSON object' }]);
  }
  if (!Object.prototype.hasOwnProperty.call(body, 'q')) return '';
  const q = (body as Record<string, unknown>).q;
  if (q === undefined) return '';
  if (typeof q !== 'string') throw queryError('invalid_type', 'q must be a string');
  if (exceedsCodePoints(q, Q_LIMITS.maxLength)) {
    throw queryError('limit_exceeded', `q may have at most ${Q_LIMITS.maxLength} characters`);
  }
  return q;
}

/**
 * The request rule of every `POST …/search` route: `q` is read in the input-validation step
 * (ERR-10 step 6), so a `q` that is not a string is answered as such, `invalid_type` on `q`
 * also when it is an object whose keys ERR-8 refuses (`{"q": {"$ne": ""}}` is not a key
 * problem at `q.$ne`). The handler reads `q` again with {@link searchBodyQ}.
 */
export const searchBodyRule: RequestRule = ({ body }) => {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) searchBodyQ(body);
};

/** `searchBodyQ` followed by `compileQ`: the filter of a `POST …/search` body. */
export function compileSearchBody(body: unknown, registry: FieldRegistry, ctx: CompileQContext): MongoFilter {
  return compileQ(searchBodyQ(body), registry, ctx);
}
