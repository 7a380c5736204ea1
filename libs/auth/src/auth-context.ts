import { insufficientScope } from './auth-errors';

export const PRINCIPAL_TYPES = ['service', 'employee', 'customer', 'anonymous'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** TEN-1 lives in @suite/api-kit; re-exported for this lib's users. */
export { TENANT_PATTERN, isValidTenant } from '@suite/api-kit';

/** The verified facts of one request's token, as listed in AUTH-7. */
export interface AuthContextInit {
  tenant: string;
  principalType: PrincipalType;
  subject: string;
  scopes: Iterable<string>;
  customerId?: string;
  legalEntityId?: string;
  visitId?: string;
  clientId?: string;
}

/**
 * The request's verified identity (AUTH-7), attached as `req.auth` and injected with `@Auth()`.
 * Immutable; only ever built from a verified token (or by `@suite/testing`).
 */
export class AuthContext {
  readonly tenant: string;
  readonly principalType: PrincipalType;
  readonly subject: string;
  /** Granted scopes, `tenant=` entries removed (AUTH-5). */
  readonly scopes: ReadonlySet<string>;
  readonly customerId?: string;
  readonly legalEntityId?: string;
  readonly visitId?: string;
  readonly clientId?: string;

  constructor(init: AuthContextInit) {
    this.tenant = init.tenant;
    this.principalType = init.principalType;
    this.subject = init.subject;
    this.scopes = new Set(init.scopes);
    // Optional properties are only set when present so the object stays comparable in tests.
    if (init.customerId !== undefined) this.customerId = init.customerId;
    if (init.legalEntityId !== undefined) this.legalEntityId = init.legalEntityId;
    if (init.visitId !== undefined) this.visitId = init.visitId;
    if (init.clientId !== undefined) this.clientId = init.clientId;
    Object.freeze(this);
  }

  /** True when the token holds exactly this scope (case-sensitive, no implied scopes, AUTH-5). */
  hasScope(scope: string): boolean {
    return this.scopes.has(scope);
  }

  /** True when the token holds at least one of `scopes`. */
  hasAnyScope(...scopes: string[]): boolean {
    return scopes.some((s) => this.scopes.has(s));
  }

  /**
   * Throws `403 insufficient_scope` (the same error as `ScopeGuard`) unless the token holds at
   * least one of `scopes`. For scopes that depend on the input (AUTH-8).
   */
  requireScope(...scopes: string[]): void {
    assertScope(this, ...scopes);
  }
}

/**
 * Throws `403 insufficient_scope` unless `auth` holds at least one of `scopes` (any-of). Calling it
 * with no scope is a programming error and throws a plain `Error`.
 */
export function assertScope(auth: Pick<AuthContext, 'scopes'>, ...scopes: string[]): void {
  if (scopes.length === 0) throw new Error('assertScope needs at least one scope');
  if (!scopes.some((s) => auth.scopes.has(s))) throw insufficientScope(scopes);
}
