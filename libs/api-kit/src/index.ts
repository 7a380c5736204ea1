// Public surface of @suite/api-kit. Each area owns its own barrel.
export * from './config';
export * from './domain';
export * from './errors';
export * from './events';
export * from './http';
export * from './http-client';
export * from './i18n';
export * from './query';
export * from './dto';
export * from './openapi';
