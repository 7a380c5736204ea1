import { AuthContext, isValidTenant, PRINCIPAL_TYPES, PrincipalType } from './auth-context';

/** A verified token's claims that break AUTH-3/AUTH-4/AUTH-6; becomes `401 token_invalid`. */
export class InvalidClaimsError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidClaimsError';
  }
}

const TENANT_ENTRY = 'tenant=';

/**
 * Turns the payload of a token whose signature, `iss`, `aud`, `exp` and `nbf` are already verified
 * into an `AuthContext`, enforcing AUTH-3 to AUTH-6. Throws `InvalidClaimsError` on any violation:
 * every rule here is fail-closed, since a lenient reading could hand a request another tenant or
 * another customer's identity.
 */
export function authContextFromClaims(payload: Record<string, unknown>): AuthContext {
  // jsonwebtoken accepts tokens without `exp`; AUTH-2 requires it.
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new InvalidClaimsError('exp is required');

  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new InvalidClaimsError('sub is required');

  const rawScopes = parseScopeClaim(payload.scope);
  const tenantEntries = rawScopes.filter((s) => s.startsWith(TENANT_ENTRY));
  const scopes = rawScopes.filter((s) => !s.startsWith(TENANT_ENTRY));

  // AUTH-4: the tenant claim, or exactly one tenant= entry, agreeing when both exist.
  if (tenantEntries.length > 1) throw new InvalidClaimsError('more than one tenant= scope entry');
  const scopeTenant = tenantEntries.length === 1 ? tenantEntries[0].slice(TENANT_ENTRY.length) : undefined;
  const claimTenant = payload.tenant;
  if (claimTenant !== undefined && typeof claimTenant !== 'string') throw new InvalidClaimsError('tenant must be a string');
  if (claimTenant !== undefined && scopeTenant !== undefined && claimTenant !== scopeTenant) {
    throw new InvalidClaimsError('tenant claim and tenant= scope entry disagree');
  }
  const tenant = claimTenant ?? scopeTenant;
  if (tenant === undefined) throw new InvalidClaimsError('no tenant');
  if (!isValidTenant(tenant)) throw new InvalidClaimsError('tenant violates TEN-1');

  const principalType = payload.principalType;
  if (typeof principalType !== 'string' || !(PRINCIPAL_TYPES as readonly string[]).includes(principalType)) {
    throw new InvalidClaimsError('missing or unknown principalType');
  }
  const type = principalType as PrincipalType;

  const base = { tenant, principalType: type, subject: sub, scopes };
  switch (type) {
    case 'customer': {
      const customerId = optionalString(payload, 'customerId');
      if (customerId === undefined) throw new InvalidClaimsError('customer token without customerId');
      if (customerId !== sub) throw new InvalidClaimsError('customerId differs from sub');
      const legalEntityId = optionalString(payload, 'legalEntityId');
      return new AuthContext({ ...base, customerId, legalEntityId, visitId: optionalString(payload, 'sid') });
    }
    case 'anonymous': {
      const sid = optionalString(payload, 'sid');
      if (sid === undefined) throw new InvalidClaimsError('anonymous token without sid');
      return new AuthContext({ ...base, visitId: sid });
    }
    case 'service': {
      const clientId = optionalString(payload, 'client_id');
      if (clientId === undefined) throw new InvalidClaimsError('service token without client_id');
      return new AuthContext({ ...base, clientId });
    }
    case 'employee':
      // customerId / legalEntityId on a non-customer token are ignored (AUTH-3), never trusted.
      return new AuthContext(base);
  }
}

/**
 * AUTH-5: a space-separated string (split on runs of whitespace) or a JSON array of strings; a
 * missing claim is an empty scope list. Anything else is invalid.
 */
export function parseScopeClaim(scope: unknown): string[] {
  if (scope === undefined) return [];
  if (typeof scope === 'string') return scope.split(/\s+/).filter((s) => s.length > 0);
  if (Array.isArray(scope)) {
    if (!scope.every((s) => typeof s === 'string')) throw new InvalidClaimsError('scope array must hold strings');
    // Array entries are single scopes; one holding whitespace would smuggle several.
    if (scope.some((s: string) => s.length === 0 || /\s/.test(s))) throw new InvalidClaimsError('invalid scope entry');
    return scope as string[];
  }
  throw new InvalidClaimsError('scope must be a string or an array of strings');
}

function optionalString(payload: Record<string, unknown>, key: string): string | undefined {
  const v = payload[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new InvalidClaimsError(`${key} must be a non-empty string`);
  return v;
}
