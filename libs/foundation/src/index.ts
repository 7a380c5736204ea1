// Public surface of @suite/foundation: what every service's root module is made of (apps only).
export * from './service-module';
export * from './rate-limit/tenant-rate-limit.module';
export * from './event-publishing';
export * from './app-host';
export * from './periodic-pass';
