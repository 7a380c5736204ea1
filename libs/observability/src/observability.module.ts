import { DynamicModule, Injectable, LoggerService, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { collectProcessMetrics } from './metrics';
import { stopTracing } from './tracing';

/** Process metrics from the start; the spans still buffered are exported when the application shuts down. */
@Injectable()
class ObservabilityLifecycle implements OnModuleInit, OnApplicationShutdown {
  onModuleInit(): void {
    collectProcessMetrics();
  }

  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}

export interface ObservabilityOptions {
  /** The service's logger (`createLogger`): Nest's own messages and `PinoLogger` write to it. */
  logger: Logger;
}

/**
 * Logging, metrics and tracing of a Nest application, in one module (ApiKitModule imports it).
 * nestjs-pino offers `PinoLogger` for injection, writing to the service's pino logger; Nest's own
 * messages go there too ({@link nestLoggerFor}). Its per-request middleware is
 * not mounted (`forRoutes: []`): the request context of every line comes from the logger's mixin
 * (see `createLogger`), set up per request by `observeHttpServer`, so a line never carries a field
 * twice and no child logger is built per request.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: options.logger }, forRoutes: [] })],
      providers: [ObservabilityLifecycle],
    };
  }
}

/**
 * Nest's own messages (boot, routes, errors Nest logs itself) as nestjs-pino writes them, to the
 * service's logger: the `logger` of the Nest application options (api-kit's `applicationOptions`).
 * Given at creation rather than with `bufferLogs` and `app.useLogger(app.get(Logger))`, so the
 * messages of a start that fails before the application exists are not lost. nestjs-pino keeps
 * one root logger per process: with several applications in one process (tests only), Nest's
 * messages and `PinoLogger` lines of the later ones go to the first one's logger.
 */
export function nestLoggerFor(logger: Logger): LoggerService {
  const params = { pinoHttp: { logger } };
  return new NestPinoLogger(new PinoLogger(params), params);
}
