/** TEN-1: 3 to 16 characters, lowercase letter first, lowercase letters and digits only. */
export const TENANT_PATTERN = /^[a-z][a-z0-9]{2,15}$/;

/** TEN-1, for every place that accepts a tenant (tokens, path, peer calls, collections, events). */
export function isValidTenant(value: unknown): value is string {
  return typeof value === 'string' && TENANT_PATTERN.test(value);
}
