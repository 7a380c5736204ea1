import type { AuthContext } from '@suite/auth';
import { COUPON_SCOPES } from '../coupon.scopes';
import { notAllowedFor } from './coupon-errors';

/** The customer a redeem-type request acts for (coupon §2.3); both absent means anonymous. */
export interface EffectiveCustomer {
  customerNumber?: string;
  legalEntityId?: string;
}

/**
 * Resolves the effective customer and legal entity of a request (coupon §2.3, AUTH-12).
 *
 * Security: a caller without `coupon_redeem_on_behalf` may only name itself, and a customer token
 * may only use the legal entity its token asserts, so nobody can redeem in someone else's name or
 * invent a legal entity to get a fresh per-customer allowance (§9.2). Throws 403 otherwise.
 */
export function resolveEffectiveCustomer(auth: AuthContext, named: { customerNumber?: string; legalEntityId?: string }): EffectiveCustomer {
  const onBehalf = auth.hasScope(COUPON_SCOPES.redeemOnBehalf);
  let customerNumber: string | undefined;
  if (named.customerNumber !== undefined) {
    if (!onBehalf && named.customerNumber !== auth.customerId) {
      throw notAllowedFor(`The caller may not act for customer ${named.customerNumber}.`);
    }
    customerNumber = named.customerNumber;
  } else {
    customerNumber = auth.customerId;
  }
  let legalEntityId: string | undefined;
  if (named.legalEntityId !== undefined) {
    if (!onBehalf && named.legalEntityId !== auth.legalEntityId) {
      throw notAllowedFor(`The caller may not act for legal entity ${named.legalEntityId}.`);
    }
    legalEntityId = named.legalEntityId;
  } else if (auth.principalType === 'customer' && customerNumber === auth.customerId) {
    legalEntityId = auth.legalEntityId;
  }
  // A legal entity only qualifies a customer; an anonymous request has none (§9.2 buckets).
  if (customerNumber === undefined) return {};
  return legalEntityId === undefined ? { customerNumber } : { customerNumber, legalEntityId };
}
