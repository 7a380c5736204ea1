/**
 * The one base URL of the suite: routes /customer-segment/*, /coupon/* and /category/* to the
 * three apps with @fastify/http-proxy, and answers /health/live and /health/ready (ready when all
 * three apps are). Used by the launcher (`npm start`) and, as its own process
 * (`node dist/tools/gateway.js`), by docker-compose.
 */
import fastifyProxy from '@fastify/http-proxy';
import { EdgeErrors, ErrorProfile, MAX_HEADER_BYTES, requestIdFrom } from '@suite/api-kit';
import Fastify, { FastifyInstance } from 'fastify';

export const SERVICES = ['customer-segment', 'coupon', 'category'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface GatewayOptions {
  port: number;
  host: string;
  upstreams: Record<ServiceName, string>;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1500) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function unavailable(message: string) {
  return { code: 503, status: 'Service Unavailable', errorCode: 'service_unavailable', message, details: [] };
}

/** The error profile of the service a path belongs to (ERR-2), for errors the gateway answers itself. */
function profileOf(path: string): ErrorProfile {
  if (path.startsWith('/coupon/')) return 'coupon';
  if (path.startsWith('/category/')) return 'category';
  return 'segment';
}

export async function startGateway(options: GatewayOptions): Promise<{ url: string; app: FastifyInstance }> {
  // A path that is not valid percent-encoding, or headers beyond MAX_HEADER_BYTES, never reach an app:
  // answered here in that app's error profile with X-Request-Id (ERR-2b), like the apps do.
  const edge = new EdgeErrors();
  edge.profileFor = profileOf;
  const app: FastifyInstance = Fastify({
    logger: false,
    routerOptions: { maxParamLength: MAX_HEADER_BYTES },
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    frameworkErrors: edge.onFrameworkError,
    clientErrorHandler: edge.onClientError,
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const states = await Promise.all(SERVICES.map((n) => isReady(options.upstreams[n])));
    const notReady = SERVICES.filter((_, i) => !states[i]);
    if (!notReady.length) return { status: 'ok' };
    return reply.status(503).send(unavailable(`Not ready: ${notReady.join(', ')}.`));
  });
  for (const name of SERVICES) {
    await app.register(fastifyProxy, {
      upstream: options.upstreams[name],
      prefix: `/${name}`,
      rewritePrefix: `/${name}`,
      // The gateway never retries: @fastify/reply-from would retry a GET answered 503 up to ten
      // times (and read Retry-After in ms), multiplying load on a failing path and delaying the
      // fail-closed answer the apps give. Retries belong to the apps' peer clients (S2S-7).
      retryMethods: [],
      // Bodies stream through untouched: each app enforces media types and the 10 MiB limit after
      // its guards (ERR-10), so the gateway must not parse or limit them first.
      replyOptions: {
        onError: (reply: { code: (n: number) => { header: (k: string, v: string) => { send: (b: unknown) => void } } }) => {
          reply
            .code(503)
            .header('content-type', 'application/json; charset=utf-8')
            .send(unavailable(`The ${name} service is not reachable.`));
        },
      },
    } as Parameters<typeof fastifyProxy>[1]);
  }
  const url = await app.listen({ port: options.port, host: options.host });
  return { url, app };
}

if (require.main === module) {
  const env = process.env;
  const upstream = (name: string, fallback: string) => (env[name] ?? fallback).replace(/\/+$/, '');
  startGateway({
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '0.0.0.0',
    upstreams: {
      'customer-segment': upstream('CUSTOMER_SEGMENT_URL', 'http://customer-segment:3001'),
      coupon: upstream('COUPON_URL', 'http://coupon:3002'),
      category: upstream('CATEGORY_URL', 'http://category:3003'),
    },
  })
    .then(({ url }) => process.stdout.write(`gateway listening on ${url}\n`))
    .catch((e) => {
      process.stderr.write(`gateway failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}
