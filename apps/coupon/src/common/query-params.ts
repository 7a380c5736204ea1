import { ApiError } from '@suite/api-kit';

/** HTTP-4: a boolean query parameter is `true` or `false` in any letter case; anything else is a 400. */
export function booleanParam(query: Record<string, string | undefined>, name: string, fallback = false): boolean {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw ApiError.validation([{ field: name, type: 'invalid_value', message: `${name} must be true or false` }]);
}

/** An optional string query parameter; an empty value counts as absent. */
export function stringParam(query: Record<string, string | undefined>, name: string): string | undefined {
  const raw = query[name];
  return raw === undefined || raw === '' ? undefined : raw;
}
