import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { ErrorProfile, renderError } from './error-profiles';
import { requestIdFrom } from './request-id';

/**
 * Node's limit on the request line plus headers (`maxHeaderSize`), for every app and the gateway:
 * the customer-segment contract (§1.12) allows request headers up to 60 KB and URLs up to 10 KB;
 * Node's default is 16 KiB.
 */
export const MAX_HEADER_BYTES = 70 * 1024;

/**
 * Failures Fastify and Node answer themselves, before any route, hook or exception filter runs:
 * a path that is not valid percent-encoding (`FST_ERR_BAD_URL`) and a request line plus headers
 * beyond {@link MAX_HEADER_BYTES} (`HPE_HEADER_OVERFLOW`) or otherwise unparseable. Their
 * own bodies follow neither the service's error profile nor ERR-2b (`X-Request-Id`), so the
 * adapter routes them here. The profile is the application's, known only once the application is
 * built (`configureApp`); until then the `segment` profile (the conventions' base shape) is used.
 *
 * Both become `400 validation_failed`: the shared catalogue (ERR-3) has no `414`/`431`, and a
 * given failure has one status in every profile.
 */
export class EdgeErrors {
  profile: ErrorProfile = 'segment';
  /** For a process serving several services (the gateway): the profile by request path. */
  profileFor?: (path: string) => ErrorProfile;

  /** Fastify's `frameworkErrors` option. */
  readonly onFrameworkError = (error: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply): void => {
    const apiError =
      error.code === 'FST_ERR_BAD_URL'
        ? ApiError.validation(
            [{ field: 'path', type: 'invalid_format', message: 'the path is not valid percent-encoded UTF-8' }],
            'The request URL could not be decoded.',
          )
        : new ApiError('internal_error', `An unexpected error occurred (request id ${req.id}).`);
    void reply
      .status(apiError.httpStatus)
      .header('X-Request-Id', req.id)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(renderError(apiError, this.profileFor?.(req.url) ?? this.profile));
  };

  /** Fastify's `clientErrorHandler` option: the request never became a request, so the socket is answered directly. */
  readonly onClientError = (error: Error & { code?: string }, socket: Socket): void => {
    // A reset or a timed-out connection has no one to answer.
    if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    const apiError =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ApiError.validation(
            [{ field: 'headers', type: 'too_long', message: `the request line and headers exceed ${MAX_HEADER_BYTES / 1024} KiB` }],
            'The request headers are too large.',
          )
        : ApiError.validation([{ type: 'syntax_error', message: 'the request is not valid HTTP/1.1' }], 'The request could not be parsed.');
    const body = JSON.stringify(renderError(apiError, this.profile));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestIdFrom(undefined)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
