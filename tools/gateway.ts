/**
 * The one base URL of the suite: routes /customer-segment/*, /coupon/*, /category/* and /webhook/* to the
 * four apps with @fastify/http-proxy, balancing over the instances of each app when there are
 * several (least busy first), and answers /health/live and /health/ready (ready when every service
 * has at least one ready instance). Used by the launcher (`npm start`) and, as its own process
 * (`node dist/tools/gateway.js`), by docker-compose.
 */
import { PassThrough, finished } from 'node:stream';
import fastifyProxy from '@fastify/http-proxy';
import {
  ApiError,
  EdgeErrors,
  ErrorProfile,
  MAX_HEADER_BYTES,
  ProxyTrust,
  hasBody,
  readShutdownSettings,
  readTrustProxy,
  renderError,
  requestIdFrom,
} from '@suite/api-kit/edge';
import Fastify, { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SERVICES, ServiceName } from './services';

export { SERVICES, ServiceName };

export interface GatewayOptions {
  port: number;
  host: string;
  /** The base URL of each service's app, or of each of its instances (balanced by {@link UpstreamPool}). */
  upstreams: Record<ServiceName, string | readonly string[]>;
  /** How long an instance that failed a proxied request is passed over (default 1000 ms). */
  downMs?: number;
  /**
   * Proxies in front of the gateway (a TLS-terminating load balancer) whose X-Forwarded-For it
   * believes, as TRUST_PROXY entries; default none: the gateway is the edge and the socket peer is
   * the client. Whatever it works out is what it forwards to the apps.
   */
  trustProxy?: readonly string[];
}

/**
 * The instances of one service. Each request goes to the instance with the fewest requests in
 * flight through the gateway, round-robin among equals, so a slow instance gets less and equal
 * ones alternate. An instance that could not be reached (or failed a health probe) is passed over
 * for `downMs` while another one is up; when all are down, requests still go to one of them, so
 * the answer is the app's own or the gateway's 503 and a restarted instance is found again.
 *
 * Hand-written: @fastify/reply-from's own balancing (an undici BalancedPool for an upstream list)
 * is reachable only through the upstream option, which @fastify/http-proxy resolves as one URL;
 * its documented `getUpstream` hook is where the choice is made instead.
 */
export class UpstreamPool {
  private readonly inFlight: number[];
  private readonly downUntil: number[];
  private next = 0;

  constructor(
    readonly urls: readonly string[],
    private readonly downMs = 1000,
  ) {
    if (!urls.length) throw new Error('an upstream pool needs at least one URL');
    this.inFlight = urls.map(() => 0);
    this.downUntil = urls.map(() => 0);
  }

  /** Takes an instance for one request; `release` must be called once when the request is over. */
  acquire(): { index: number; url: string; release: () => void } {
    const index = this.pick();
    this.inFlight[index]++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight[index]--;
    };
    return { index, url: this.urls[index], release };
  }

  /** Passes over this instance for a while (it refused a connection, timed out or failed a probe). */
  markDown(index: number): void {
    this.downUntil[index] = Date.now() + this.downMs;
  }

  markUp(index: number): void {
    this.downUntil[index] = 0;
  }

  /** Requests in flight per instance (diagnostics and tests). */
  load(): number[] {
    return [...this.inFlight];
  }

  private pick(): number {
    const now = Date.now();
    const n = this.urls.length;
    let best = -1;
    for (const onlyUp of [true, false]) {
      for (let k = 0; k < n; k++) {
        const i = (this.next + k) % n;
        if (onlyUp && this.downUntil[i] > now) continue;
        if (best < 0 || this.inFlight[i] < this.inFlight[best]) best = i;
      }
      if (best >= 0) break;
    }
    this.next = (best + 1) % n;
    return best;
  }
}

const asList = (u: string | readonly string[]): readonly string[] => (typeof u === 'string' ? [u] : u);

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1500) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** A 503 body; in the profile of the service concerned, or the base shape for the gateway's own health. */
function unavailable(message: string, profile: ErrorProfile = 'segment') {
  return renderError(new ApiError('service_unavailable', message), profile);
}

/** The error profile of the service a path belongs to (ERR-2), for errors the gateway answers itself. */
function profileOf(path: string): ErrorProfile {
  if (path.startsWith('/coupon/')) return 'coupon';
  if (path.startsWith('/category/')) return 'category';
  if (path.startsWith('/webhook/')) return 'webhook';
  return 'segment';
}

/**
 * Hop-by-hop request headers (RFC 9110 §7.6.1) and `Expect` concern the client's connection to
 * the gateway only. undici refuses to send `Expect`, `Keep-Alive`, `Upgrade` and
 * `Transfer-Encoding` (the request then failed as a 503: curl sends `Expect: 100-continue` with
 * bodies over 1 MB); Node has already answered `100-continue` to the client itself. The headers
 * that `Connection` names are removed by @fastify/reply-from.
 */
const HOP_BY_HOP_REQUEST = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
];
/** The app's connection to the gateway is not the client's: the gateway decides `Connection` itself. */
const HOP_BY_HOP_RESPONSE = ['connection', 'keep-alive', 'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade'];

/** The headers an app receives: the client's, without hop-by-hop ones, with the gateway's request id (HTTP-9). */
function forwardedHeaders(request: FastifyRequest, headers: Record<string, unknown>): Record<string, unknown> {
  const forwarded = { ...headers };
  for (const name of HOP_BY_HOP_REQUEST) delete forwarded[name];
  // The gateway's own answers and the app's carry the same X-Request-Id.
  forwarded['x-request-id'] = request.id;
  return forwarded;
}

/**
 * How @fastify/http-proxy refuses a path with a `..` segment (raw, percent-encoded or with
 * backslashes) before proxying it: an error without a code, whose message is all there is to go by.
 */
const DESTINATION_REFUSED = 'source/request contain invalid characters';

function routeNotFound(request: FastifyRequest): ApiError {
  return new ApiError('route_not_found', `No route matches ${request.method} ${request.url.split('?')[0]}.`);
}

/** An error the gateway itself raised, in the shared model (ERR-3). */
function gatewayError(error: FastifyError, request: FastifyRequest): ApiError {
  // A path the gateway will not route is a path no route matches (ERR-10 step 1, before any guard).
  if (error.message === DESTINATION_REFUSED) return routeNotFound(request);
  const status = error.statusCode ?? 500;
  if (status === 404) return routeNotFound(request);
  if (status === 413) return new ApiError('payload_too_large', 'The request body is too large.');
  if (status === 415) return new ApiError('unsupported_media_type', 'The request body has an unsupported media type.');
  if (status >= 400 && status < 500) return ApiError.validation([], 'The request could not be processed.');
  return new ApiError('internal_error', `An unexpected error occurred (request id ${request.id}).`);
}

/**
 * The gateway's edge (ERR-2, ERR-2b, HTTP-3): every answer it gives itself, for an unknown method
 * or path, a path it will not route, an unreachable app or a head beyond MAX_HEADER_BYTES, is in
 * the profile of the service the path addresses and carries X-Request-Id; a body streams to the
 * app in a stream of its own; the rules of {@link EdgeErrors.install} apply as in every app.
 */
function installEdge(app: FastifyInstance, edge: EdgeErrors): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (!hasBody(request.raw)) return done(null, payload);
    // undici destroys the body stream it was given when the app answers before reading all of it
    // (an early 403, a 413); destroyed, the client's request stream would take the client's
    // connection down under that answer. undici gets a stream of its own; a client that goes away
    // still ends the upstream request.
    const body = new PassThrough();
    // undici listens for the stream's errors only while it sends it: a client that aborts before
    // (or after) would otherwise leave this error unhandled and take the whole gateway down.
    body.on('error', () => undefined);
    payload.pipe(body);
    finished(payload, (err) => {
      if (err) body.destroy(err);
    });
    done(null, body);
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const name of HOP_BY_HOP_RESPONSE) reply.removeHeader(name);
    done(null, payload);
  });
  // Node's own limit is set higher (startGateway) so that a head over the limit is answered with
  // its path known, in its service's profile.
  edge.install(app, { headLimit: MAX_HEADER_BYTES });
  const answer = (request: FastifyRequest, reply: FastifyReply, error: ApiError) =>
    reply
      .status(error.httpStatus)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(renderError(error, profileOf(request.url)));
  // Unknown paths and methods (TRACE, PROPFIND, ...), which Fastify answers in its own format.
  app.setNotFoundHandler((request, reply) => answer(request, reply, routeNotFound(request)));
  app.setErrorHandler((error: FastifyError, request, reply) => answer(request, reply, gatewayError(error, request)));
}

export async function startGateway(options: GatewayOptions): Promise<{ url: string; app: FastifyInstance }> {
  // A path that is not valid percent-encoding, or headers beyond MAX_HEADER_BYTES, never reach an app:
  // answered here in that app's error profile with X-Request-Id (ERR-2b), like the apps do.
  const edge = new EdgeErrors();
  edge.profileFor = profileOf;
  const trust = new ProxyTrust();
  trust.set(options.trustProxy ?? []);
  const app: FastifyInstance = Fastify({
    logger: false,
    trustProxy: (address: string) => trust.trusts(address),
    routerOptions: { maxParamLength: MAX_HEADER_BYTES },
    // Node's limit is a multiple of MAX_HEADER_BYTES, which installEdge enforces with the path known.
    http: { maxHeaderSize: 4 * MAX_HEADER_BYTES },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    frameworkErrors: edge.onFrameworkError,
    clientErrorHandler: edge.onClientError,
  });
  installEdge(app, edge);
  const pools = Object.fromEntries(SERVICES.map((n) => [n, new UpstreamPool(asList(options.upstreams[n]), options.downMs)])) as Record<
    ServiceName,
    UpstreamPool
  >;
  // The instance each proxied request went to: released when its response is over (sent or aborted).
  const taken = new WeakMap<FastifyRequest, { service: ServiceName; index: number; release: () => void }>();
  app.addHook('onRequest', (request, reply, done) => {
    reply.raw.once('close', () => taken.get(request)?.release());
    done();
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    // Ready when every service has at least one ready instance: the pool passes over the others.
    const states = await Promise.all(
      SERVICES.map(async (n) => {
        const probes = await Promise.all(pools[n].urls.map((url) => isReady(url)));
        probes.forEach((ok, i) => (ok ? pools[n].markUp(i) : pools[n].markDown(i)));
        return probes.some(Boolean);
      }),
    );
    const notReady = SERVICES.filter((_, i) => !states[i]);
    if (!notReady.length) return { status: 'ok' };
    return reply.status(503).send(unavailable(`Not ready: ${notReady.join(', ')}.`));
  });
  for (const name of SERVICES) {
    await app.register(fastifyProxy, {
      // No fixed upstream: `getUpstream` picks an instance per request (with a fixed one,
      // @fastify/reply-from would send every request to it whatever getUpstream says).
      upstream: '',
      prefix: `/${name}`,
      rewritePrefix: `/${name}`,
      // The gateway never retries: @fastify/reply-from would retry a GET answered 503 up to ten
      // times (and read Retry-After in ms), multiplying load on a failing path and delaying the
      // fail-closed answer the apps give. Retries belong to the apps' peer clients (S2S-7).
      retryMethods: [],
      // Bodies stream through untouched: each app enforces media types and the 10 MiB limit after
      // its guards (ERR-10), so the gateway must not parse or limit them first.
      replyOptions: {
        // The client's address for the apps (TRUST_PROXY trusts this hop): the socket peer,
        // replacing whatever the client sent, so no client can choose the address the apps key
        // their guessing throttle on.
        rewriteRequestHeaders: (request: FastifyRequest, headers: Record<string, unknown>) => ({
          ...forwardedHeaders(request, headers),
          'x-forwarded-for': request.ip,
        }),
        getUpstream: (request: FastifyRequest) => {
          const instance = pools[name].acquire();
          taken.set(request, { service: name, ...instance });
          return instance.url;
        },
        onError: (reply: {
          request: FastifyRequest;
          code: (n: number) => { header: (k: string, v: string) => { send: (b: unknown) => void } };
        }) => {
          const instance = taken.get(reply.request);
          if (instance) pools[instance.service].markDown(instance.index);
          reply
            .code(503)
            .header('content-type', 'application/json; charset=utf-8')
            .send(unavailable(`The ${name} service is not reachable.`, profileOf(`/${name}/`)));
        },
      },
    } as Parameters<typeof fastifyProxy>[1]);
  }
  const url = await app.listen({ port: options.port, host: options.host });
  return { url, app };
}

/**
 * The gateway's own settings: TRUST_PROXY (unset means none: the gateway is the edge) and
 * SHUTDOWN_DRAIN_MS, read as the apps read them; every bad value is reported at once and ends the start.
 */
function gatewaySettings(env: NodeJS.ProcessEnv): { trustProxy: string[]; drainMs: number } {
  const problems: string[] = [];
  const trustProxy = env.TRUST_PROXY ? readTrustProxy(env, problems) : [];
  const { drainMs } = readShutdownSettings(env, problems);
  if (problems.length) {
    process.stderr.write(`gateway failed to start: ${problems.join('; ')}\n`);
    process.exit(1);
  }
  return { trustProxy, drainMs };
}

/**
 * On SIGTERM or SIGINT the gateway on its own (compose, Kubernetes) stops as the apps do: it refuses
 * new connections, answers what is in flight (Fastify's close: idle keep-alive connections are
 * closed at once, a busy one after its response), and exits 0 once the last response is sent;
 * connections still open `drainMs` after the signal are closed. It has no SHUTDOWN_DELAY_MS: put a
 * load balancer's deregistration in front of it. The launcher (`npm start`) closes the gateway it
 * hosts itself.
 */
function closeOnSignal(app: FastifyInstance, drainMs: number): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    const cut = setTimeout(() => app.server.closeAllConnections(), drainMs);
    app.close().then(
      () => {
        clearTimeout(cut);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  const env = process.env;
  const { trustProxy, drainMs } = gatewaySettings(env);
  // One URL per service, or several separated by commas (the instances of a scaled-out service).
  const upstream = (name: string, fallback: string) =>
    (env[name] ?? fallback)
      .split(',')
      .map((u) => u.trim().replace(/\/+$/, ''))
      .filter(Boolean);
  startGateway({
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '0.0.0.0',
    upstreams: {
      'customer-segment': upstream('CUSTOMER_SEGMENT_URL', 'http://customer-segment:3001'),
      coupon: upstream('COUPON_URL', 'http://coupon:3002'),
      category: upstream('CATEGORY_URL', 'http://category:3003'),
      webhook: upstream('WEBHOOK_URL', 'http://webhook:3004'),
    },
    trustProxy,
  })
    .then(({ url, app }) => {
      closeOnSignal(app, drainMs);
      process.stdout.write(`gateway listening on ${url}\n`);
    })
    .catch((e) => {
      process.stderr.write(`gateway failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}
