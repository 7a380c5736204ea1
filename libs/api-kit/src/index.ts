// Public surface of @suite/api-kit. Each area owns its own barrel.
export * from './errors';
export * from './http';
