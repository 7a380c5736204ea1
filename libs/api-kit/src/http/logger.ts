import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/**
 * JSON logs through pino. A thin LoggerService adapter is hand-written because nestjs-pino does not
 * support NestJS 12 yet; it only forwards Nest's own messages. Request logs are written by the
 * bootstrap's onResponse hook with tenant, principal and request id (AUTH-14: never tokens).
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token'], remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
