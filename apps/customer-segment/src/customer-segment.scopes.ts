/**
 * The three scopes of the service (AUTH-9), exactly as the public API spells them. `@RequireScopes`
 * is any-of; `manage` implies no read scope and no read scope implies `manage` (segment §1.2.2).
 */
export const SEGMENT_SCOPES = {
  manage: 'customersegment.segment_manage',
  read: 'customersegment.segment_read',
  readOwn: 'customersegment.segment_read_own',
  /** Suite extension (README "Shopper profiles"): the systems that push profiles in. */
  profileManage: 'customersegment.profile_manage',
  /** Suite extension: reading profiles (attributes a shopper may consider personal). */
  profileRead: 'customersegment.profile_read',
} as const;

export const MANAGE = SEGMENT_SCOPES.manage;
export const READ = SEGMENT_SCOPES.read;
export const READ_OWN = SEGMENT_SCOPES.readOwn;
export const PROFILE_MANAGE = SEGMENT_SCOPES.profileManage;
export const PROFILE_READ = SEGMENT_SCOPES.profileRead;
