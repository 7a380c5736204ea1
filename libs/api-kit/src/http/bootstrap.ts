import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, nestLoggerFor, observeHttpServer } from '@suite/observability';
import type { Logger } from 'pino';
import { OpenApiDocuments } from '../openapi/documentation.controller';
import { ERROR_PROFILE } from './api-kit.module';
import { EdgeErrors, MAX_HEADER_BYTES } from './edge-errors';
import type { ErrorProfile } from './error-profiles';
import { DEFAULT_SHUTDOWN, enableGracefulShutdown, ShutdownOptions } from './graceful-shutdown';
import { ProxyTrust, TRUSTED_PROXIES } from './proxy-trust';
import { parseQueryString } from './query-string';
import { requestIdFrom } from './request-id';

/** Longer than any URL Node accepts (MAX_HEADER_BYTES), so the router never answers 414 itself. */
export const MAX_PARAM_LENGTH = MAX_HEADER_BYTES;

/** HTTP-12: headers a browser client may read. */
export const EXPOSED_HEADERS = ['X-Total-Count', 'Items-Count', 'Location', 'X-Request-Id', 'Idempotent-Replayed', 'Retry-After'];

export interface CreateAppOptions {
  service: string;
  logger?: Logger;
  /** Allowed CORS origins (`*` for any); CORS is off when empty or absent. */
  corsOrigins?: string[];
  /** Log every request at info level (default true). */
  logRequests?: boolean;
}

/**
 * Builds a Nest application on Fastify configured so the conventions hold whatever Fastify's
 * defaults are: no adapter body parsing (the body is read after the guards, ERR-10), flat
 * query strings (HTTP-4), path parameters up to 512 characters (ID-3 needs 150), request ids
 * (HTTP-9). Every `main.ts` and every test app goes through here.
 */
export async function createApp(module: Type | ReturnType<typeof Object>, options: CreateAppOptions): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(options.service);
  const app = await NestFactory.create<NestFastifyApplication>(module as Type, createAdapter(), applicationOptions(logger));
  return configureApp(app, { ...options, logger });
}

/** Per adapter: where Fastify's and Node's own error answers go (see EdgeErrors). */
const edgeErrors = new WeakMap<object, EdgeErrors>();
/** Per adapter: whose X-Forwarded-For `request.ip` believes; set from the app's TRUST_PROXY in configureApp. */
const proxyTrusts = new WeakMap<object, ProxyTrust>();

/** The Fastify adapter with the settings the conventions need (also for `@nestjs/testing` apps). */
export function createAdapter(): FastifyAdapter {
  const edge = new EdgeErrors();
  const trust = new ProxyTrust();
  const options = {
    logger: false,
    // `request.ip` is the client as the trusted proxies (TRUST_PROXY) report it, else the socket peer.
    trustProxy: (address: string) => trust.trusts(address),
    // Path parameters of any length reach the handlers (ID-3: an overlong id is a 404 in a read
    // path and a 400 in a create), instead of Fastify's own 414 outside the error profile; Node's
    // header limit (MAX_HEADER_BYTES) bounds the URL anyway.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, querystringParser: (s: string) => parseQueryString(s) },
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(req.headers['x-request-id']),
    // Keep-alive connections are closed on shutdown once idle (graceful drain).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // ERR-2/ERR-2b also for what Fastify and Node answer before any route runs.
    frameworkErrors: edge.onFrameworkError,
    clientErrorHandler: edge.onClientError,
  };
  const adapter = new FastifyAdapter(options as ConstructorParameters<typeof FastifyAdapter>[0]) as FastifyAdapter;
  edgeErrors.set(adapter, edge);
  proxyTrusts.set(adapter, trust);
  return adapter;
}

/** The profile ApiKitModule was given, if the application imports it. */
function errorProfileOf(app: NestFastifyApplication): ErrorProfile | undefined {
  try {
    return app.get<ErrorProfile>(ERROR_PROFILE, { strict: false });
  } catch {
    return undefined;
  }
}

/** The TRUST_PROXY entries ApiKitModule was given; nobody is trusted without them. */
function trustedProxiesOf(app: NestFastifyApplication): readonly string[] {
  try {
    return app.get<readonly string[]>(TRUSTED_PROXIES, { strict: false });
  } catch {
    return [];
  }
}

/** The documentation routes' document source, if the application imports ApiKitModule. */
function openApiDocumentsOf(app: NestFastifyApplication): OpenApiDocuments | undefined {
  try {
    return app.get(OpenApiDocuments, { strict: false });
  } catch {
    return undefined;
  }
}

/** Nest application options: no adapter body parsing (ERR-10), Nest's messages to the service's logger, errors reach the caller. */
export function applicationOptions(logger: Logger) {
  return { bodyParser: false, logger: nestLoggerFor(logger), abortOnError: false };
}

/**
 * Applies the suite's request handling to an application built on `createAdapter()` with
 * `applicationOptions()`: by `createApp`, or by a test through `@nestjs/testing`. It also hands the
 * application to the documentation routes, which build the OpenAPI document from it on first use.
 */
export function configureApp(app: NestFastifyApplication, options: CreateAppOptions & { logger: Logger }): NestFastifyApplication {
  const logger = options.logger;
  openApiDocumentsOf(app)?.attach(app);
  const edge = edgeErrors.get(app.getHttpAdapter());
  if (edge) edge.profile = errorProfileOf(app) ?? edge.profile;
  proxyTrusts.get(app.getHttpAdapter())?.set(trustedProxiesOf(app));
  const fastify = app.getHttpAdapter().getInstance();
  // ERR-10: no adapter-level parsing or content-type checks; the stream stays unread until the
  // request decoding interceptor runs after the guards.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_req: unknown, _payload: unknown, done: (err: Error | null, body?: unknown) => void) =>
    done(null, undefined),
  );
  // Unparseable Content-Type, unknown Expect, answers sent before the body has arrived (EdgeErrors).
  edge?.install(fastify);
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    if (req.headers.traceparent) reply.header('traceparent', req.headers.traceparent);
    done();
  });
  // The request's log context, span name, HTTP metrics and `request` line (@suite/observability).
  observeHttpServer(fastify, { logger, logRequests: options.logRequests });
  if (options.corsOrigins?.length) {
    app.enableCors({ origin: options.corsOrigins.includes('*') ? true : options.corsOrigins, exposedHeaders: EXPOSED_HEADERS });
  }
  // Signals are handled by startService (enableGracefulShutdown): a drain window, then Nest's hooks.
  return app;
}

/** Starts an app on a port (0 for a free one) and returns its base URL. */
export async function listen(app: INestApplication, port: number, host = '127.0.0.1'): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return `http://${host}:${actual}`;
}

export interface StartServiceOptions extends CreateAppOptions {
  port: number;
  host: string;
  /** The drain window on SIGTERM/SIGINT (SHUTDOWN_DRAIN_MS, SHUTDOWN_DELAY_MS); default 10 s, no delay. */
  shutdown?: ShutdownOptions;
  /** Called instead of `process.exit` once the graceful shutdown is over (several apps in one process). */
  exit?: (code: number) => void;
}

/**
 * What every `main.ts` does: build the app, listen, log the address. A failure to start (bad
 * configuration, database unreachable at boot, a route without an access decorator) exits with
 * code 1 and the reason, never a half-started process.
 */
export async function startService(
  module: Type | ReturnType<typeof Object>,
  options: StartServiceOptions,
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(options.service);
  try {
    const app = await createApp(module, { ...options, logger });
    const url = await listen(app, options.port, options.host);
    enableGracefulShutdown(app, options.shutdown ?? DEFAULT_SHUTDOWN, logger, { exit: options.exit });
    logger.info({ url }, `${options.service} listening on ${url}`);
    return app;
  } catch (e) {
    logger.fatal({ err: e }, `${options.service} failed to start`);
    process.exit(1);
  }
}
