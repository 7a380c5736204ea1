import { randomUUID } from 'node:crypto';
import { ObjectId } from 'bson';
import { ApiError } from '../errors';

/** ID-3: 1 to 128 URL-safe characters, not starting with a dot. */
export const CUSTOM_ID_PATTERN = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127}$/;

/** ID-2: customer-segment ids, a new ObjectId rendered as 24 lowercase hex characters. */
export function newHexId(): string {
  return new ObjectId().toHexString();
}

/** ID-2: category ids, a lowercase UUID v4. */
export function newUuid(): string {
  return randomUUID();
}

export function isValidCustomId(id: string, pattern: RegExp = CUSTOM_ID_PATTERN): boolean {
  return pattern.test(id);
}

/**
 * ID-3 for ids a client chooses in a create or upsert: a malformed id is `400 invalid_format`, a
 * reserved one (a literal path segment beside the id parameter) is `400 invalid_value`.
 */
export function assertCustomId(
  id: unknown,
  field: string,
  options: { reserved?: readonly string[]; pattern?: RegExp } = {},
): asserts id is string {
  if (typeof id !== 'string') {
    throw ApiError.validation([{ field, type: 'invalid_type', message: `${field} must be a string` }]);
  }
  if (!isValidCustomId(id, options.pattern)) {
    throw ApiError.validation([
      { field, type: 'invalid_format', message: `${field} must match ${(options.pattern ?? CUSTOM_ID_PATTERN).source}` },
    ]);
  }
  if (options.reserved?.includes(id)) {
    throw ApiError.validation([{ field, type: 'invalid_value', message: `${field} '${id}' is reserved` }]);
  }
}

/** ID-3 for ids in GET/PATCH/DELETE paths: a malformed id cannot exist, so it is a 404. */
export function assertAddressableId(id: string, pattern: RegExp = CUSTOM_ID_PATTERN): void {
  if (!isValidCustomId(id, pattern)) throw ApiError.notFound(id.length <= 150 ? id : undefined);
}
