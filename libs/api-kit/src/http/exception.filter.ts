import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, ErrorCode } from '../errors';
import { ErrorProfile, renderError } from './error-profiles';

/** Turns a foreign error (for example a MongoDB error) into the shared model, or passes. */
export type ErrorTranslator = (error: unknown) => ApiError | undefined;

/**
 * The one exception filter (ERR-1): every failure, whatever threw it, leaves as an ApiError rendered
 * in the application's wire profile, with `X-Request-Id`, the error's own headers, and never a stack
 * trace or a database message in the body. Unknown errors are a 500 that names the request id.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly profile: ErrorProfile,
    private readonly translators: ErrorTranslator[],
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const error = this.toApiError(exception, req);
    if (error.httpStatus >= 500) {
      this.logger.error(
        { reqId: req.id, err: exception, errorCode: error.errorCode, tenant: (req as { auth?: { tenant?: string } }).auth?.tenant },
        'request failed',
      );
    } else if (error.httpStatus === 401) {
      // AUTH-10: the internal code is logged, never the token.
      this.logger.info({ reqId: req.id, errorCode: error.errorCode }, 'authentication failed');
    }
    if (reply.sent || reply.raw.headersSent) return;
    reply
      .status(error.httpStatus)
      .headers(error.headers)
      .header('X-Request-Id', req.id)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(renderError(error, this.profile));
  }

  private toApiError(exception: unknown, req: FastifyRequest): ApiError {
    if (exception instanceof ApiError) return exception;
    for (const translate of this.translators) {
      const translated = translate(exception);
      if (translated) return translated;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest answers unmatched routes with a NotFoundException (ERR-10 step 1, no 405 in the suite).
      if (status === 404) return new ApiError('route_not_found', `No route matches ${req.method} ${req.url.split('?')[0]}.`);
      return fromStatus(status, exception.message);
    }
    const status = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return fromStatus(status, 'The request could not be processed.');
    return new ApiError('internal_error', `An unexpected error occurred (request id ${req.id}).`, { cause: exception });
  }
}

function fromStatus(status: number, message: string): ApiError {
  const code: ErrorCode =
    status === 413
      ? 'payload_too_large'
      : status === 415
        ? 'unsupported_media_type'
        : status === 404
          ? 'route_not_found'
          : status === 403
            ? 'forbidden'
            : status === 401
              ? 'token_invalid'
              : status === 503
                ? 'service_unavailable'
                : status < 500
                  ? 'validation_failed'
                  : 'internal_error';
  const safe = status < 500 ? message : 'An unexpected error occurred.';
  return new ApiError(
    code,
    safe,
    code === 'token_invalid' ? { headers: { 'WWW-Authenticate': 'Bearer realm="commerce", error="invalid_token"' } } : {},
  );
}
