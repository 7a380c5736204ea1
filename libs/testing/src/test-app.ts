import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, listen } from '@suite/api-kit';
import pino, { Logger } from 'pino';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Builds an app with the production bootstrap (`createApp`) and listens on a free loopback port, so
 * tests go over real HTTP exactly as clients do. Logs are silent unless TEST_LOG_LEVEL is set.
 */
export async function startTestApp(build: (logger: Logger) => DynamicModule | Type, service: string): Promise<TestApp> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = await createApp(build(logger), { service, logger, logRequests: false });
  const url = await listen(app, 0);
  return { app, url, logger, close: () => app.close() };
}
