import { trace } from '@opentelemetry/api';
import pino, { DestinationStream, Logger } from 'pino';
import { requestLogFields } from './request-context';
import { tracingEnabled } from './tracing';

/** The field that names the request id on every log line (HTTP-9), the same one Fastify and pino-http use. */
export const REQUEST_ID_LOG_FIELD = 'reqId';

/**
 * AUTH-14: what is never written, wherever it appears in a line. Tokens never reach a log call in
 * this code; the paths catch a header object or a token handed over by mistake.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'req.headers.cookie',
  'headers.cookie',
];

/**
 * The request context of the line being written (see `requestLogFields`), plus the trace and span
 * ids when tracing is on. A mixin rather than child loggers bound per request: pino merges the
 * mixin into the line's own object, where a field the line names itself (a `tenant` many lines
 * pass, because the same code also runs outside requests) wins, so no key is ever written twice.
 * Child-logger bindings cannot be merged that way, and a JSON line with a duplicate key is refused
 * by some log stores.
 */
function contextMixin(): Record<string, string> {
  const fields = requestLogFields();
  if (tracingEnabled()) {
    const span = trace.getActiveSpan();
    if (span) {
      const { traceId, spanId } = span.spanContext();
      return { ...fields, trace_id: traceId, span_id: spanId };
    }
  }
  return fields ?? NO_FIELDS;
}

/** What the mixin returns outside a request: nothing to merge, so nothing is allocated. */
const NO_FIELDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** pino's own strategy (the line's fields win over the mixin's), without a copy when the mixin adds nothing. */
function mergeContext(mergeObject: object, mixinObject: object): object {
  return mixinObject === NO_FIELDS ? mergeObject : Object.assign(mixinObject, mergeObject);
}

/**
 * The logger of one service process: JSON lines through pino with `service`, an ISO time, the
 * request context of the line (`reqId`, `tenant`, `principalType`, `sub`) and the AUTH-14
 * redaction. Nest's own messages reach it through nestjs-pino (see `ObservabilityModule`).
 * `destination` defaults to stdout; tests pass a stream to read the lines.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACTED_LOG_PATHS, remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: contextMixin,
    mixinMergeStrategy: mergeContext,
  };
  return destination ? pino(options, destination) : pino(options);
}
