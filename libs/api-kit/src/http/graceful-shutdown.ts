import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { Lifecycle } from './health.controller';

/** When an app stops (the `shutdown` part of BaseConfig). */
export interface ShutdownOptions {
  /**
   * SHUTDOWN_DRAIN_MS: the longest a stop may take, counted from the signal. Connections still open
   * then are closed, cutting the requests on them; 0 closes them at once.
   */
  drainMs: number;
  /**
   * SHUTDOWN_DELAY_MS: how long the app keeps accepting new connections, and serves them as usual,
   * after readiness turned 503, so that a load balancer notices before connections are refused.
   */
  delayMs: number;
}

export const DEFAULT_SHUTDOWN: ShutdownOptions = { drainMs: 10000, delayMs: 0 };

/** Past the drain window, the time Nest's shutdown hooks get before the process gives up (exit 1). */
export const SHUTDOWN_HOOKS_GRACE_MS = 5000;

export interface GracefulShutdownHooks {
  signals?: NodeJS.Signals[];
  /** Ends the process (tests replace it). */
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown, hand-written over Node's own server API because Nest's `enableShutdownHooks`
 * closes the listener and the database in one sequence with no drain window, and re-raises the
 * signal (exit code 143 instead of 0). On the first SIGTERM or SIGINT:
 *
 * 1. readiness answers 503 (Lifecycle) and every response from now on carries `Connection: close`,
 *    so keep-alive connections end after their current request;
 * 2. for `delayMs` new connections are still accepted and served as usual (a load balancer or
 *    Kubernetes endpoints controller has time to stop routing here);
 * 3. the listener closes (new connections are refused) and idle keep-alive connections are closed;
 *    requests in flight finish with their normal answer;
 * 4. `drainMs` after the signal, connections still open are closed (their requests are cut);
 * 5. Nest's shutdown hooks run (background work stops, the HTTP server is disposed, then the Mongo
 *    connection closes) and the process exits 0. Further signals are ignored meanwhile.
 *
 * Returns a function that removes the signal handlers (also done when the app is closed otherwise).
 */
export function enableGracefulShutdown(
  app: INestApplication,
  options: ShutdownOptions,
  logger: Pick<Logger, 'info' | 'warn' | 'error'>,
  hooks: GracefulShutdownHooks = {},
): () => void {
  const signals = hooks.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = hooks.exit ?? ((code: number) => process.exit(code));
  const server = app.getHttpServer() as Server;
  const lifecycle = lifecycleOf(app);
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  // First among the server's request listeners, so the header is set before anything is written.
  const track = (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (draining) res.setHeader('Connection', 'close');
  };
  server.prependListener('request', track);

  const shutdown = async (signal: NodeJS.Signals) => {
    if (draining) {
      logger.info({ signal }, 'already shutting down; signal ignored');
      return;
    }
    draining = true;
    if (lifecycle) lifecycle.shuttingDown = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    logger.info({ signal, ...options, inFlight: inFlight.size }, 'shutting down: readiness answers 503, draining requests');

    const cut = setTimeout(() => {
      if (inFlight.size) logger.warn({ inFlight: inFlight.size, drainMs: options.drainMs }, 'drain window over: closing open connections');
      server.closeAllConnections();
    }, options.drainMs);
    const giveUp = setTimeout(() => {
      logger.error({ drainMs: options.drainMs }, 'shutdown hooks did not finish in time; exiting');
      exit(1);
    }, options.drainMs + SHUTDOWN_HOOKS_GRACE_MS);
    giveUp.unref();

    await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    server.close();
    // A keep-alive connection that turns idle after its last response is closed at once.
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    try {
      await app.close();
      logger.info({ signal }, 'stopped');
      exit(0);
    } catch (e) {
      logger.error({ err: e }, 'shutdown failed');
      exit(1);
    } finally {
      clearTimeout(cut);
      clearTimeout(giveUp);
      clearInterval(reaper);
    }
  };

  const handlers = signals.map((signal) => {
    const handler = () => void shutdown(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const unsubscribe = () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    server.removeListener('request', track);
  };
  // An app closed without a signal (tests, tools) leaves no handler behind.
  server.once('close', () => {
    if (!draining) unsubscribe();
  });
  return unsubscribe;
}

function lifecycleOf(app: INestApplication): Lifecycle | undefined {
  try {
    return app.get(Lifecycle, { strict: false });
  } catch {
    return undefined;
  }
}
