import { TENANT_PATTERN, isValidTenant } from '@suite/api-kit';

export { TENANT_PATTERN, isValidTenant };

/** TEN-3: the entity part of `<tenant>_<entity>`. */
export const ENTITY_PATTERN = /^[a-z][a-z0-9_]*$/;

/**
 * TEN-3: the collection of an entity type for one tenant. Because a tenant never contains an
 * underscore, the tenant is always the text before the first underscore, so two tenants can never
 * share a collection. Throws (a programming error, never user input) on a malformed tenant.
 */
export function tenantCollectionName(tenant: string, entity: string): string {
  if (!TENANT_PATTERN.test(tenant)) throw new Error(`invalid tenant '${tenant}'`);
  if (!ENTITY_PATTERN.test(entity)) throw new Error(`invalid entity name '${entity}'`);
  return `${tenant}_${entity}`;
}
