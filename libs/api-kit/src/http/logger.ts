// The service logger lives in @suite/observability with the metrics and the tracing; re-exported
// here because the apps' bootstrap has always taken it from api-kit.
export { createLogger } from '@suite/observability';
