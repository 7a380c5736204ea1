import { trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { observeHttpRequest, UNMATCHED_ROUTE } from './metrics';
import { LoggedRequest, runWithRequest } from './request-context';
import { tracingEnabled } from './tracing';

export interface HttpServerObservability {
  /** Where the one summary line per request goes (`logRequests`). */
  logger: Logger;
  /** Write one `request` line per answered request at info level (default true). */
  logRequests?: boolean;
}

type ObservedRequest = FastifyRequest & LoggedRequest;

/**
 * Per request, on the Fastify instance of an app: the log context (every line written while the
 * request is handled carries `reqId`, and `tenant`, `principalType`, `sub` once the token is
 * verified), the request's span named after its route template (when tracing is on), and, once
 * answered, the HTTP metrics and one `request` log line (method, route template, status, ms).
 * Cheap by design: no allocation beyond the labels and the log line.
 */
export function observeHttpServer(fastify: FastifyInstance, options: HttpServerObservability): void {
  const { logger } = options;
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (tracingEnabled()) nameRequestSpan(req);
    // The rest of the request's handling runs inside: hooks, guards, interceptors, handler, filter.
    runWithRequest(req as ObservedRequest, done);
  });
  const logRequests = options.logRequests !== false;
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? UNMATCHED_ROUTE;
    observeHttpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (logRequests) {
      // Written after the response, possibly outside the request's context: the fields are named here.
      const auth = (req as ObservedRequest).auth;
      logger.info(
        {
          reqId: req.id,
          method: req.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          tenant: auth?.tenant,
          principalType: auth?.principalType,
          sub: auth?.subject,
        },
        'request',
      );
    }
    done();
  });
}

/** The http instrumentation names a server span after the method only; the route template is known here. */
function nameRequestSpan(req: FastifyRequest): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const route = req.routeOptions?.url;
  if (route) {
    span.updateName(`${req.method} ${route}`);
    span.setAttribute('http.route', route);
  }
  span.setAttribute('suite.request_id', req.id);
}
