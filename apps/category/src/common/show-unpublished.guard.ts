import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthContext } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { missingScope } from './category.errors';

/**
 * §3.10 step 3: `showUnpublished=true` needs `category_read_unpublished`, decided from the query
 * alone and before the body is read (the body decoder runs after guards). Any letter case of
 * `true` counts; other values are left to validation (400). Installed only on the reads that take
 * the parameter (ops 1, 3, 5, 9–11, 19, 21–24): elsewhere it is an unknown parameter and ignored.
 */
@Injectable()
export class ShowUnpublishedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ query?: Record<string, unknown>; auth?: AuthContext }>();
    const value = req.query?.showUnpublished;
    if (typeof value === 'string' && value.toLowerCase() === 'true' && !req.auth?.hasScope(CATEGORY_SCOPES.readUnpublished)) {
      throw missingScope(CATEGORY_SCOPES.readUnpublished);
    }
    return true;
  }
}
