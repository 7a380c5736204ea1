import { ApiError } from '@suite/api-kit';
import mongoose from 'mongoose';

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * ERR-11: database errors in the shared model. Duplicate key → 409, a query over its time budget →
 * 503 query_timeout, an unreachable database → 503 service_unavailable, mongoose cast/validation
 * errors that slipped past DTO validation → 400. Anything else is not translated (→ 500).
 */
export function translateMongoError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError || error === null || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; name?: string; keyValue?: Record<string, unknown>; path?: string };
  if (e.code === 11000 || e.code === 11001) {
    const id = e.keyValue && typeof e.keyValue._id === 'string' ? e.keyValue._id : undefined;
    return ApiError.duplicate(id);
  }
  // A pattern JavaScript accepts but the server's PCRE engine rejects: the client's q is
  // at fault, not the service.
  if (e.code === 51091 || (e.code === 2 && /regular expression|\$regex/i.test(String((error as { message?: unknown }).message)))) {
    return ApiError.invalidQuery({ field: 'q', type: 'invalid_regex', message: 'the regular expression is not supported by the database' });
  }
  if (e.code === 50) return new ApiError('query_timeout', 'The query took too long; narrow it down and retry.', { cause: error });
  if (e.name && UNAVAILABLE_ERRORS.has(e.name))
    return new ApiError('service_unavailable', 'The database is not reachable.', { cause: error });
  if (error instanceof mongoose.Error.CastError) {
    return ApiError.validation([{ field: e.path, type: 'invalid_type', message: `${e.path} has the wrong type` }]);
  }
  if (error instanceof mongoose.Error.ValidationError) {
    return ApiError.validation(
      Object.entries(error.errors).map(([field, err]) => ({
        field,
        type: err.kind === 'required' ? 'missing_value' : 'invalid_value',
        message: err.message,
      })),
    );
  }
  return undefined;
}

/** Runs a database call and rethrows its error in the shared model (repositories use it). */
export async function mapMongoErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw translateMongoError(e) ?? e;
  }
}

export function isDuplicateKeyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 11000 || code === 11001;
}
