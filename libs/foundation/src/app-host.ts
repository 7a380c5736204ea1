import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { databaseGate, onHostRequest, reportListening, reportStopped } from './launcher-link';
import { ServiceDefinition, startDefinedService } from './service-module';

/** One app of a hosting process and its port. */
export interface HostedService {
  definition: ServiceDefinition;
  port: number;
  /** Not started with the others (the launcher had stopped it deliberately); a `start-service` request starts it. */
  stopped?: boolean;
}

/**
 * Runs several apps in this process, each on its own port with its own Nest application, database
 * connection and configuration (read from `env` with its own PORT): `npm start`'s default
 * (tools/app-host.ts), because four processes loading the same ~1,700 modules take three times the CPU of
 * one loading them once. Apps share the process's Prometheus registry; tracing stays off (its
 * resource names one service per process: the launcher runs a process per app when it is configured).
 *
 * With the suite launcher: connects once the launcher says the database listens, tells it when each
 * app listens, and closes or starts one app when asked (./launcher-link). On SIGTERM or SIGINT every
 * running app drains and closes, one still starting once it has started; the process exits when the
 * last has (with the worst exit code), at once when none listens yet.
 */
export async function hostServices(services: HostedService[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const running = new Map<string, Promise<NestFastifyApplication>>();
  // The exit code each app's graceful shutdown ended with; the process ends when every running app's has.
  const exitCodes = new Map<string, number>();
  const exited = (name: string) => (code: number) => {
    exitCodes.set(name, Math.max(code, exitCodes.get(name) ?? 0));
    if ([...running.keys()].every((n) => exitCodes.has(n))) process.exit(Math.max(...exitCodes.values()));
  };
  // A signal drains each listening app through its own handlers (graceful shutdown). An app still
  // starting has none yet: it is closed once it has started (else it would keep the process alive);
  // with no app listening, there is nothing to drain and the process ends at once.
  const listening = new Set<string>();
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    if (listening.size === 0) process.exit(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const byName = new Map(services.map((s) => [s.definition.name, s]));
  const start = (hosted: HostedService): Promise<NestFastifyApplication> => {
    const name = hosted.definition.name;
    const app = startDefinedService(hosted.definition, { ...env, PORT: String(hosted.port) }, exited(name)).then(async (started) => {
      if (stopping) {
        await started.close();
        exited(name)(0);
      } else {
        listening.add(name);
        reportListening(name);
      }
      return started;
    });
    running.set(name, app);
    return app;
  };
  // One request at a time per app: a start asked during a stop waits for it, and the other way round.
  const queues = new Map<string, Promise<unknown>>();
  onHostRequest(({ kind, service }) => {
    const hosted = byName.get(service);
    if (!hosted) return;
    const next = (queues.get(service) ?? Promise.resolve()).then(async () => {
      const app = running.get(service);
      if (kind === 'stop-service') {
        running.delete(service);
        listening.delete(service);
        await (await app)?.close();
        reportStopped(service);
      } else if (!app) {
        await start(hosted);
      } else {
        // Running (or still starting): it says so once it listens.
        await app;
        reportListening(service);
      }
    });
    queues.set(
      service,
      next.catch(() => undefined),
    );
  });
  await databaseGate(env);
  await Promise.all(services.filter((s) => !s.stopped).map(start));
}
