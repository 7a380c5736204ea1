import { ArgumentsHost, Catch, ExceptionFilter, Inject, Injectable } from '@nestjs/common';
import { ApiError, ApiExceptionFilter, LOGGER } from '@suite/api-kit';
import { translateMongoError } from '@suite/persistence';
import type { Logger } from 'pino';
import { missingScope } from './category.errors';

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
    if (
      exception instanceof ApiError &&
      exception.errorCode === 'insufficient_scope' &&
      exception.message !== 'You need a scope for this action.'
    ) {
      const scopes = exception.details[0]?.message.replace(/^Required scope\(s\): /, '').split(' or ') ?? [];
      this.inner.catch(missingScope(...scopes), host);
      return;
    }
    this.inner.catch(exception, host);
  }
}
