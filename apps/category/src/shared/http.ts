import { ArgumentsHost, CanActivate, Catch, ExceptionFilter, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError, ApiExceptionFilter, LOGGER } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { translateMongoError } from '@suite/persistence';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { CATEGORY_SCOPES } from '../category.scopes';
import { missingScope } from './category.errors';
import type { PageResult } from './read-context';

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

/**
 * The shared filter with the category wording of a missing scope (§3.2): message "You need a
 * scope for this action." and "Required scope(s): a, b". Everything else passes unchanged.
 */
@Catch()
@Injectable()
export class CategoryExceptionFilter implements ExceptionFilter {
  private readonly inner: ApiExceptionFilter;

  constructor(@Inject(LOGGER) logger: Logger) {
    this.inner = new ApiExceptionFilter('category', [translateMongoError], logger);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof ApiError && exception.errorCode === 'insufficient_scope' && exception.message !== 'You need a scope for this action.') {
      const scopes = exception.details[0]?.message.replace(/^Required scope\(s\): /, '').split(' or ') ?? [];
      this.inner.catch(missingScope(...scopes), host);
      return;
    }
    this.inner.catch(exception, host);
  }
}

/** Sets `X-Total-Count` when the count was asked for (PAG-6) and returns the page's items. */
export function withTotal<T>(reply: FastifyReply, page: PageResult<T>): T[] {
  if (page.total !== undefined) reply.header('X-Total-Count', String(page.total));
  return page.items;
}

/** 201 with `Location` (HTTP-6) and `{id}`. */
export function created(reply: FastifyReply, location: string, id: string): { id: string } {
  reply.status(201).header('Location', location);
  return { id };
}
