// Public surface of @suite/observability: logs, metrics and traces of every service, in one place.
// Nothing here may load mongoose or the MongoDB driver: apps import it before anything else to
// start tracing (see startTracing).
export * from './http-server';
export * from './logger';
export * from './metrics';
export * from './observability.module';
export * from './request-context';
export * from './tracing';
