import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { applicationOptions, configureApp, createAdapter, listen } from '@suite/api-kit';
import { createLogger } from '@suite/observability';
import type { Logger } from 'pino';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Builds an app through `@nestjs/testing` with the production adapter and request handling
 * (`createAdapter`, `applicationOptions`, `configureApp`, exactly what `createApp` uses) and listens
 * on a free loopback port, so tests go over real HTTP as clients do. `override` may replace
 * providers (never mongoose models: tests run on the embedded database). Logs are silent unless
 * TEST_LOG_LEVEL is set.
 */
export async function startTestApp(
  build: (logger: Logger) => DynamicModule | Type,
  service: string,
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder,
): Promise<TestApp> {
  // The production logger (request context on every line, redaction), silent unless asked for.
  const logger = createLogger(service, process.env.TEST_LOG_LEVEL ?? 'silent');
  let builder = Test.createTestingModule({ imports: [build(logger)] });
  if (override) builder = override(builder);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), applicationOptions(logger)), {
    service,
    logger,
    logRequests: false,
  });
  const url = await listen(app, 0);
  return { app, url, logger, close: () => app.close() };
}
