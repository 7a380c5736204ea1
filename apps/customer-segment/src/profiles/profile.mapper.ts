import { ErrorDetail, isPlainObject, renderMetadata } from '@suite/api-kit';
import type { ProfileBodyDto } from './dto/profile-body.dto';
import type { ProfileResponseDto } from './dto/profile.response.dto';
import { PROFILE_ATTRIBUTE_NAMES, Profile, ProfileAttributes, ProfileWrite } from './profile.types';

/**
 * Attributes the contract does not know are refused with their names, never dropped: what another
 * system pushes is either stored or answered with a 400 (free data belongs in `mixins`).
 */
export function unknownAttributeDetails(body: unknown, prefix = ''): ErrorDetail[] {
  if (!isPlainObject(body) || !isPlainObject(body.attributes)) return [];
  return Object.keys(body.attributes)
    .filter((k) => !PROFILE_ATTRIBUTE_NAMES.includes(k))
    .map((k) => ({
      field: `${prefix}attributes.${k}`,
      type: 'unknown_field',
      message: `attributes.${k} is not a profile attribute (${PROFILE_ATTRIBUTE_NAMES.join(', ')}); free data goes into mixins`,
    }));
}

/** The write of a validated body: `null` is the same as left out (HTTP-11); tags stored once each, in order. */
export function profileWrite(body: ProfileBodyDto): ProfileWrite {
  const a = body.attributes ?? {};
  const attributes: ProfileAttributes = {};
  if (a.country != null) attributes.country = a.country;
  if (a.emailDomain != null) attributes.emailDomain = a.emailDomain;
  if (a.orderCount != null) attributes.orderCount = a.orderCount;
  if (a.totalSpent != null) attributes.totalSpent = { amount: a.totalSpent.amount, currency: a.totalSpent.currency };
  if (a.lastOrderAt != null) attributes.lastOrderAt = new Date(a.lastOrderAt);
  if (a.tags != null) attributes.tags = [...new Set(a.tags)];
  const write: ProfileWrite = { attributes };
  if (body.mixins != null) write.mixins = body.mixins;
  const links = body.metadata?.mixins;
  if (links && Object.keys(links).length) write.metadataMixins = links;
  if (body.metadata?.version !== undefined) write.expectedVersion = body.metadata.version;
  return write;
}

export function toProfileView(p: Profile): ProfileResponseDto {
  const view: ProfileResponseDto = { attributes: renderAttributes(p.attributes), metadata: renderMetadata(p.metadata) };
  if (p.key.kind === 'guest') view.sessionId = p.key.sessionId;
  else {
    view.customerId = p.key.customerId;
    if (p.key.legalEntityId !== null) view.legalEntityId = p.key.legalEntityId;
  }
  if (p.mixins !== undefined) view.mixins = p.mixins;
  // Order of the keys as documented: ids, attributes, mixins, metadata.
  const { attributes, mixins, metadata, ...ids } = view;
  return { ...ids, attributes, ...(mixins === undefined ? {} : { mixins }), metadata };
}

/** The attributes in the documented order (README "Shopper profiles", P.2), whatever order they were stored in. */
function renderAttributes(a: ProfileAttributes): ProfileResponseDto['attributes'] {
  const out: ProfileResponseDto['attributes'] = {};
  if (a.country !== undefined) out.country = a.country;
  if (a.emailDomain !== undefined) out.emailDomain = a.emailDomain;
  if (a.orderCount !== undefined) out.orderCount = a.orderCount;
  if (a.totalSpent !== undefined) out.totalSpent = a.totalSpent;
  if (a.lastOrderAt !== undefined) out.lastOrderAt = new Date(a.lastOrderAt).toISOString();
  if (a.tags !== undefined) out.tags = a.tags;
  return out;
}

/**
 * A guest's attributes merged into a customer's (README "Shopper profiles", merge): the customer's
 * identity facts win (country, e-mail domain), activity adds up (orders counted and, in the same
 * currency, spent; the later last order), tags are united. A total in another currency than the
 * customer's is not converted: the customer's stays.
 */
export function mergeAttributes(customer: ProfileAttributes, guest: ProfileAttributes): ProfileAttributes {
  const out: ProfileAttributes = { ...guest, ...customer };
  if (guest.orderCount !== undefined || customer.orderCount !== undefined)
    out.orderCount = (customer.orderCount ?? 0) + (guest.orderCount ?? 0);
  if (customer.totalSpent && guest.totalSpent && customer.totalSpent.currency === guest.totalSpent.currency) {
    out.totalSpent = { amount: customer.totalSpent.amount + guest.totalSpent.amount, currency: customer.totalSpent.currency };
  }
  if (customer.lastOrderAt && guest.lastOrderAt) {
    out.lastOrderAt = new Date(Math.max(new Date(customer.lastOrderAt).getTime(), new Date(guest.lastOrderAt).getTime()));
  }
  if (customer.tags || guest.tags) out.tags = [...new Set([...(customer.tags ?? []), ...(guest.tags ?? [])])].slice(0, 100);
  return out;
}

/** Mixins merged per mixin name: the customer's win, the guest's fill in the names the customer has not. */
export function mergeMixins(customer?: Record<string, unknown>, guest?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!customer && !guest) return undefined;
  return { ...guest, ...customer };
}
