import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { ErrorProfile, renderError } from './error-profiles';
import { BODY_LIMIT_BYTES, hasBody } from './request-body';
import { requestIdFrom } from './request-id';

/**
 * Node's limit on the request line plus headers (`maxHeaderSize`), for every app and the gateway:
 * the customer-segment contract (§1.12) allows request headers up to 60 KB and URLs up to 10 KB;
 * Node's default is 16 KiB.
 */
export const MAX_HEADER_BYTES = 70 * 1024;

/**
 * A connection closed after an answer given while the client was still sending its body keeps
 * reading (and discarding) what arrives for at most `LINGER_MS`, and `LINGER_IDLE_MS` without
 * data, before it is closed (the staged close of RFC 9112 §9.6; nginx's lingering close has the
 * same defaults). Closing at once would make the kernel reset the connection under the answer.
 */
export const LINGER_MS = 30_000;
export const LINGER_IDLE_MS = 5_000;

const TOKEN = "[\\w!#$%&'*+.^`|~-]+";
/**
 * A Content-Type whose media type Fastify can parse (`type/subtype`; parameters are not looked
 * at). Fastify answers any other value with its own 415 before the route runs.
 */
const PARSEABLE_CONTENT_TYPE = new RegExp(`^\\s*${TOKEN}/${TOKEN}\\s*(?:;|$)`);
/** The start of a request line: method, spaces, and the path up to the query. */
const REQUEST_LINE = /^[\w!#$%&'*+.^`|~-]+ +(\/[^\s?#]*)/;
/** The path of the request a connection last carried (for the profile of a later head error). */
const LAST_PATH = Symbol('edge.lastPath');

type TrackedSocket = Socket & { [LAST_PATH]?: string };

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
 *
 * {@link EdgeErrors.install} adds what Node and Fastify would otherwise get wrong at the edge of
 * every app and of the gateway: a Content-Type Fastify cannot parse, an unknown `Expect`, and an
 * answer given before the request body has arrived.
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
  readonly onClientError = (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    // A reset or a timed-out connection has no one to answer.
    if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    const apiError =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? headTooLarge()
        : ApiError.validation([{ type: 'syntax_error', message: 'the request is not valid HTTP/1.1' }], 'The request could not be parsed.');
    const body = JSON.stringify(renderError(apiError, this.profileOfHead(error.rawPacket, socket)));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestIdFrom(undefined)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  /**
   * Adds the edge rules to an app's or the gateway's Fastify instance (before it listens):
   *
   * - a Content-Type Fastify cannot parse (empty, `;`, no `type/subtype`) is hidden from Fastify's
   *   own check, so the request reaches the route and its body reader, which answers `415` after
   *   the guards like for any other unsupported media type (ERR-10); `request.raw` keeps the header;
   * - an `Expect` other than `100-continue` is ignored (RFC 9110 §10.1.1) instead of Node's bare 417;
   * - an answer sent before the request body has fully arrived either keeps the connection and
   *   discards the rest of the body (a declared length up to the HTTP-3 limit), or announces
   *   `Connection: close` and closes in stages, so the client reads the answer instead of a reset
   *   and the connection never waits on an unread body;
   * - with `headLimit` (the gateway, whose Node limit is set higher so that it sees the path), a
   *   request line plus headers of `headLimit` bytes or more is answered `400` in the profile of
   *   the addressed service.
   */
  install(fastify: FastifyInstance, options: { headLimit?: number } = {}): void {
    const server = fastify.server;
    server.on('checkExpectation', (req, res) => server.emit('request', req, res));
    fastify.addHook('onRequest', (request, reply, done) => {
      if (this.profileFor) (request.raw.socket as TrackedSocket)[LAST_PATH] = request.url;
      if (options.headLimit !== undefined && headBytes(request.raw) >= options.headLimit) {
        void reply
          .status(400)
          .header('X-Request-Id', request.id)
          .header('Content-Type', 'application/json; charset=utf-8')
          .send(renderError(headTooLarge(), this.profileFor?.(request.url) ?? this.profile));
        return;
      }
      const contentType = request.raw.headers['content-type'];
      const parseable = contentType !== undefined && PARSEABLE_CONTENT_TYPE.test(contentType);
      // Fastify also refuses a QUERY without a parseable Content-Type (RFC 10008) when no route
      // matches; no route of the suite takes QUERY, so it gets the 404 of any unknown method.
      if (request.method === 'QUERY' && request.is404 && !parseable) request.headers = { 'content-type': 'application/octet-stream' };
      else if (contentType !== undefined && !parseable) request.headers = { 'content-type': undefined };
      done();
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      settleUnreadBody(request.raw, reply);
      done(null, payload);
    });
  }

  /** The profile for an unparseable head: by the path of its request line when this process serves several services. */
  private profileOfHead(rawPacket: unknown, socket: Socket): ErrorProfile {
    if (!this.profileFor) return this.profile;
    // Node hands over the bytes it failed on (typed otherwise by Fastify): usually the request line.
    const head = Buffer.isBuffer(rawPacket) ? REQUEST_LINE.exec(rawPacket.toString('latin1', 0, 256))?.[1] : undefined;
    const path = head ?? (socket as TrackedSocket)[LAST_PATH];
    return path === undefined ? this.profile : this.profileFor(path);
  }
}

function headTooLarge(): ApiError {
  return ApiError.validation(
    [{ field: 'headers', type: 'too_long', message: `the request line and headers exceed ${MAX_HEADER_BYTES / 1024} KiB` }],
    'The request headers are too large.',
  );
}

/** The bytes Node's `maxHeaderSize` counts: the request target, header names and values. */
function headBytes(raw: IncomingMessage): number {
  let n = raw.url?.length ?? 0;
  for (const part of raw.rawHeaders) n += part.length;
  return n;
}

/**
 * Called as the answer is sent: if the request body is still arriving, decides what happens to
 * the rest of it (see {@link EdgeErrors.install}). Hand-written: Node's HTTP server either reads
 * an unread body to its end whatever its size, or closes at once (a reset under the answer when
 * the client is still sending); Fastify adds nothing here.
 */
function settleUnreadBody(raw: IncomingMessage, reply: FastifyReply): void {
  if (raw.complete || !raw.socket || !hasBody(raw)) return;
  const declared = Number(raw.headers['content-length']);
  const closing = /\bclose\b/i.test(String(reply.getHeader('connection') ?? ''));
  if (closing || !(declared <= BODY_LIMIT_BYTES)) {
    void reply.header('Connection', 'close');
    raw.socket.destroySoon = () => lingeringClose(raw);
    return;
  }
  reply.raw.once('finish', () => {
    // Whoever read the body (the gateway's upstream request) has stopped: the rest is discarded
    // and the connection then serves the next request.
    raw.unpipe();
    raw.resume();
  });
}

/**
 * What the server does instead of `socket.destroySoon()` after an answer with `Connection: close`
 * while the body is still arriving: end the sending side, keep reading and discarding, and close
 * once the body has arrived, the client has closed, or the linger time is over.
 */
function lingeringClose(raw: IncomingMessage): void {
  const socket = raw.socket;
  if (raw.complete || socket.destroyed) {
    Socket.prototype.destroySoon.call(socket);
    return;
  }
  socket.end();
  const close = () => socket.destroy();
  const total = setTimeout(close, LINGER_MS);
  const idle = setTimeout(close, LINGER_IDLE_MS);
  total.unref();
  idle.unref();
  socket.once('close', () => {
    clearTimeout(total);
    clearTimeout(idle);
  });
  raw.once('end', close);
  raw.on('data', () => idle.refresh());
  raw.unpipe();
  raw.resume();
}
