import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TracingHandle } from './tracing';

/** Probes and scrapes are not traced: they would outnumber the requests worth reading. */
function isOperationalRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return url === '/metrics' || url.startsWith('/health/');
}

/**
 * The OpenTelemetry Node SDK with traces only (metrics are Prometheus, through prom-client; logs
 * are pino lines carrying `trace_id`): incoming requests and outgoing `node:http` calls, undici
 * (the peer clients), and the MongoDB driver's commands. Loaded by `startTracing` only.
 */
export function startTracingSdk(service: string): TracingHandle {
  const sdk = new NodeSDK({
    serviceName: service,
    traceExporter: new OTLPTraceExporter(),
    // Traces only: without these the SDK would also start OTLP metric and log exporters from the environment.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: isOperationalRequest }),
      new UndiciInstrumentation(),
      new MongoDBInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
