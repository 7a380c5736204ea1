// Also @suite/observability/tracing, a light entry point: the launcher reads tracingConfigured from
// here without loading Nest (tools/start.ts), so this file imports nothing at its top.
/** What {@link startTracing} started: flushes and stops it. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

let active: TracingHandle | undefined;

type Env = Record<string, string | undefined>;

/** Where spans go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`); none turns tracing off. */
export function tracingConfigured(env: Env = process.env): boolean {
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  return !disabled && Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/**
 * Starts OpenTelemetry tracing for this process when an OTLP endpoint is configured, and does
 * nothing otherwise (returns false). Call it before anything else is loaded: each app's
 * `src/tracing.ts` does, and `main.ts` imports that file first, so the http, undici and mongodb
 * instrumentations patch those modules as they load. Spans: one per incoming request (named after
 * the route template), one per peer call attempt, one per database command; exported with the OTLP
 * protobuf exporter in batches; `traceparent` is read from requests and written on peer calls
 * (W3C trace context). The standard `OTEL_*` variables (service name, sampler, batch delays,
 * headers) apply.
 */
export function startTracing(service: string, env: Env = process.env): boolean {
  if (active) return true;
  if (!tracingConfigured(env)) return false;
  // Loaded only now: the SDK takes about a second to load, which no process without tracing
  // (and no test) should pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./tracing-sdk') as typeof import('./tracing-sdk');
  active = sdk.startTracingSdk(env.OTEL_SERVICE_NAME || service);
  return true;
}

/** True once {@link startTracing} has started tracing in this process. */
export function tracingEnabled(): boolean {
  return active !== undefined;
}

/** Exports the spans still buffered and stops tracing; a no-op when tracing is off. Called at application shutdown. */
export async function stopTracing(): Promise<void> {
  const handle = active;
  active = undefined;
  await handle?.shutdown();
}
