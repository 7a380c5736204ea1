import type { StoredMetadata } from '@suite/api-kit';

/** Money as the profile holds it (README "Shopper profiles"): a non-negative amount in one ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** The built-in attributes other systems push in; every one optional. Free data goes into `mixins`. */
export interface ProfileAttributes {
  country?: string;
  emailDomain?: string;
  orderCount?: number;
  totalSpent?: Money;
  lastOrderAt?: Date;
  tags?: string[];
}

/** The names of {@link ProfileAttributes}: anything else in `attributes` is refused, never dropped. */
export const PROFILE_ATTRIBUTE_NAMES: readonly string[] = ['country', 'emailDomain', 'orderCount', 'totalSpent', 'lastOrderAt', 'tags'];

/** Whose profile: a registered customer (B2C with `legalEntityId` null, or B2B) or a guest by the session id of its tokens. */
export type ProfileKey = { kind: 'customer'; customerId: string; legalEntityId: string | null } | { kind: 'guest'; sessionId: string };

/** A profile as the repository returns it. */
export interface Profile {
  key: ProfileKey;
  attributes: ProfileAttributes;
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

/** What a PUT writes: attributes and mixins replaced in full (META-10); the version is a precondition only. */
export interface ProfileWrite {
  attributes: ProfileAttributes;
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
  expectedVersion?: number;
}

/** The stored `_id` of a profile: the kind, then the ids (`/` is not a custom-id character, ID-3). */
export function profileDocId(key: ProfileKey): string {
  if (key.kind === 'guest') return `guest/${key.sessionId}`;
  return key.legalEntityId === null ? `customer/${key.customerId}` : `customer/${key.customerId}/${key.legalEntityId}`;
}

/** The public path of a profile under `/customer-segment/{tenant}`. */
export function profilePath(key: ProfileKey): string {
  if (key.kind === 'guest') return `/guest-profiles/${key.sessionId}`;
  return key.legalEntityId === null ? `/profiles/${key.customerId}` : `/profiles/${key.customerId}/${key.legalEntityId}`;
}
