import { ApiError } from '../errors';

/** Detail types an `invalid_query` error may carry (§5, ERR-5). */
export type QueryDetailType =
  'syntax_error' | 'invalid_value' | 'invalid_type' | 'unknown_field' | 'unsupported_language' | 'invalid_regex' | 'limit_exceeded';

/** `400 invalid_query` with its single detail on field `q` (§5.7). */
export function queryError(type: QueryDetailType, message: string): ApiError {
  return ApiError.invalidQuery({ field: 'q', type, message });
}
