import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { PrincipalType } from './auth-context';

/** Claims of a development token; see AUTH-3. */
export interface DevTokenClaims {
  tenant: string;
  scopes?: readonly string[] | string;
  principalType: PrincipalType;
  /** Defaults: customer → customerId; service → clientId; anonymous → sid; employee → `dev-user`. */
  sub?: string;
  customerId?: string;
  legalEntityId?: string;
  sid?: string;
  clientId?: string;
  /** Lifetime in seconds (default 3600). May be negative to mint an expired token. */
  ttlSec?: number;
  /** `nbf` as seconds since the epoch. */
  nbf?: number;
  /** Merged last; a value of `undefined` removes the claim (for hostile-token tests). */
  extraClaims?: Record<string, unknown>;
}

export interface DevTokenSigning {
  secret: string;
  issuer: string;
  audience: string;
}

/**
 * Signs an HS256 token the suite's guard accepts outside production (AUTH-2). For tests, the
 * token CLI and the development service-token provider; never a production credential.
 */
export async function signDevToken(claims: DevTokenClaims, signing: DevTokenSigning): Promise<string> {
  if (!signing.secret) throw new Error('signDevToken: a secret is required');
  const now = Math.floor(Date.now() / 1000);
  const ttl = claims.ttlSec ?? 3600;
  const scope = typeof claims.scopes === 'string' ? claims.scopes : (claims.scopes ?? []).join(' ');
  const sub = claims.sub ?? defaultSubject(claims);
  const payload: Record<string, unknown> = {
    iss: signing.issuer,
    aud: signing.audience,
    sub,
    iat: now,
    exp: now + ttl,
    jti: randomUUID(),
    tenant: claims.tenant,
    scope,
    principalType: claims.principalType,
  };
  if (claims.nbf !== undefined) payload.nbf = claims.nbf;
  if (claims.principalType === 'customer') payload.customerId = claims.customerId ?? sub;
  if (claims.legalEntityId !== undefined) payload.legalEntityId = claims.legalEntityId;
  if (claims.sid !== undefined) payload.sid = claims.sid;
  else if (claims.principalType === 'anonymous') payload.sid = sub;
  if (claims.clientId !== undefined) payload.client_id = claims.clientId;
  else if (claims.principalType === 'service') payload.client_id = sub;
  for (const [k, v] of Object.entries(claims.extraClaims ?? {})) {
    if (v === undefined) delete payload[k];
    else payload[k] = v;
  }
  // SignJWT would re-add iat/exp only when asked; the payload is taken as is.
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(signing.secret));
}

function defaultSubject(c: DevTokenClaims): string {
  switch (c.principalType) {
    case 'customer':
      return c.customerId ?? 'dev-customer';
    case 'service':
      return c.clientId ?? 'dev-service';
    case 'anonymous':
      return c.sid ?? 'dev-visit';
    case 'employee':
      return 'dev-user';
  }
}
