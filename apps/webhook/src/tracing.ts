// Imported first by main.ts, before Nest, mongoose or the MongoDB driver are loaded, so that the
// OpenTelemetry instrumentations patch them as they load. Traces are exported only when
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise this does nothing.
import { startTracing } from '@suite/observability';

startTracing('webhook');
