import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiError, Public, PUBLIC_ROUTE_KEY, SECURITY_SCHEME } from '@suite/api-kit';
import { PRINCIPAL_TYPES, PrincipalType } from './auth-context';

/**
 * `@Public()` lives in `@suite/api-kit` (its health and documentation controllers hold the only
 * public routes and api-kit cannot depend on this lib); it is re-exported here and counted like the
 * two decorators below. Allowed only on those routes (AUTH-1, AUTH-8); the boot check enforces it.
 */
export { Public, PUBLIC_ROUTE_KEY };

/**
 * Metadata key of `@Authenticated` / `@RequireScopes`. The value is an array so that a route
 * carrying two declarations (which `SetMetadata` would silently overwrite) is detected at boot.
 */
export const ROUTE_ACCESS_METADATA = 'suite:route-access';
export const ALLOWED_PRINCIPALS_METADATA = 'suite:allowed-principals';

export type RouteAccessDeclaration = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'scopes'; scopes: readonly string[] };

/**
 * Records the declaration for the guards and, in the same step, the operation's `security` for the
 * OpenAPI document: one requirement per accepted scope (OpenAPI's way of saying "any one of"), or
 * one with no scope for `@Authenticated`. The document thus cannot state other scopes than the
 * guards enforce (libs/auth/test/openapi-access.spec.ts checks it for every route).
 */
function declare(entry: Exclude<RouteAccessDeclaration, { kind: 'public' }>): ClassDecorator & MethodDecorator {
  const documented =
    entry.kind === 'scopes'
      ? applyDecorators(...entry.scopes.map((scope) => ApiSecurity(SECURITY_SCHEME, [scope])))
      : applyDecorators(ApiSecurity(SECURITY_SCHEME, []));
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? descriptor.value : target;
    const existing: RouteAccessDeclaration[] = Reflect.getOwnMetadata(ROUTE_ACCESS_METADATA, holder) ?? [];
    Reflect.defineMetadata(ROUTE_ACCESS_METADATA, [...existing, entry], holder);
    (documented as (t: object, k?: string | symbol, d?: PropertyDescriptor) => void)(target, key, descriptor);
  };
}

/** Any valid token whose tenant matches the path; no scope needed (AUTH-8). */
export function Authenticated(): ClassDecorator & MethodDecorator {
  return declare({ kind: 'authenticated' });
}

/**
 * The token must hold at least one of `scopes` (any-of, AUTH-8). Scopes are exact,
 * case-sensitive strings; `tenant=…` is not a scope.
 */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  if (scopes.length === 0) throw new Error('@RequireScopes() needs at least one scope; use @Authenticated() for none');
  for (const s of scopes) {
    if (typeof s !== 'string' || s.length === 0 || /\s/.test(s) || s.startsWith('tenant=')) {
      throw new Error(`@RequireScopes(): invalid scope ${JSON.stringify(s)}`);
    }
  }
  return declare({ kind: 'scopes', scopes: Object.freeze([...new Set(scopes)]) });
}

/**
 * Additionally restricts the principal types that may call the route; others get `403 forbidden`.
 * On a handler it replaces a controller-level declaration.
 */
export function AllowedPrincipals(...types: PrincipalType[]): ClassDecorator & MethodDecorator {
  if (types.length === 0) throw new Error('@AllowedPrincipals() needs at least one principal type');
  for (const t of types) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(t)) throw new Error(`@AllowedPrincipals(): unknown principal type ${String(t)}`);
  }
  const value = Object.freeze([...new Set(types)]);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(ALLOWED_PRINCIPALS_METADATA, value, descriptor ? descriptor.value : target);
  };
}

/**
 * Injects the request's `AuthContext`. On a route without a verified token (a `@Public()` route)
 * there is none, which is a programming error: it answers 500 rather than hand out `undefined`.
 */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const auth = ctx.switchToHttp().getRequest<{ auth?: unknown }>().auth;
  if (auth === undefined) throw ApiError.internal(new Error('@Auth() used on a route without a verified token'));
  return auth;
});

/** The declarations on a handler and its controller, handler first. */
export function readRouteAccess(handler: object, controller: object): RouteAccessDeclaration[] {
  const at = (target: object): RouteAccessDeclaration[] => [
    ...(Reflect.getMetadata(PUBLIC_ROUTE_KEY, target) === true ? [{ kind: 'public' as const }] : []),
    ...((Reflect.getMetadata(ROUTE_ACCESS_METADATA, target) as RouteAccessDeclaration[] | undefined) ?? []),
  ];
  return [...at(handler), ...at(controller)];
}

/** Allowed principal types of a route (handler overrides controller), or undefined for all. */
export function readAllowedPrincipals(handler: object, controller: object): readonly PrincipalType[] | undefined {
  return (
    (Reflect.getMetadata(ALLOWED_PRINCIPALS_METADATA, handler) as readonly PrincipalType[] | undefined) ??
    (Reflect.getMetadata(ALLOWED_PRINCIPALS_METADATA, controller) as readonly PrincipalType[] | undefined)
  );
}
