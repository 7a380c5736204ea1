import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import { AuthContext } from '../auth-context';
import { insufficientScope, principalNotAllowed, tokenMissing } from '../auth-errors';
import { readAllowedPrincipals } from '../decorators';
import { routeAccessOf } from './route-access.util';

/**
 * Third global guard (AUTH-8, AUTH-11): `@AllowedPrincipals` (else `403 forbidden`), then
 * `@RequireScopes` any-of (else `403 insufficient_scope`). A route without exactly one access
 * declaration is refused (deny by default, STYLE habit 1).
 */
@Injectable()
export class ScopeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const access = routeAccessOf(context);
    if (access?.kind === 'public') return true;
    const auth = context.switchToHttp().getRequest<{ auth?: AuthContext }>().auth;
    if (!auth) throw tokenMissing('no verified token before ScopeGuard');
    if (!access) throw ApiError.forbidden('The route declares no access rule.');
    const principals = readAllowedPrincipals(context.getHandler(), context.getClass());
    if (principals && !principals.includes(auth.principalType)) throw principalNotAllowed();
    if (access.kind === 'scopes' && !auth.hasAnyScope(...access.scopes)) throw insufficientScope(access.scopes);
    return true;
  }
}
