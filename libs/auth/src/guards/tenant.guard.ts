import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthContext, isValidTenant } from '../auth-context';
import { tenantMismatch, tokenMissing } from '../auth-errors';
import { isPublicRoute } from './route-access.util';

/**
 * Second global guard (TEN-2): the `:tenant` path parameter must equal the token's tenant byte for
 * byte, else `403 tenant_mismatch` — also for a path tenant violating TEN-1 and for a protected
 * route without a `:tenant` parameter (fail closed; the boot check rejects such routes anyway).
 * Runs before any body is read (ERR-10).
 */
@Injectable()
export class TenantGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (isPublicRoute(context)) return true;
    const req = context.switchToHttp().getRequest<{ auth?: AuthContext; params?: Record<string, unknown> }>();
    // JwtAuthGuard runs first; a missing context means the chain was misconfigured.
    if (!req.auth) throw tokenMissing('no verified token before TenantGuard');
    const pathTenant = req.params?.tenant;
    if (!isValidTenant(pathTenant) || pathTenant !== req.auth.tenant) throw tenantMismatch();
    return true;
  }
}
