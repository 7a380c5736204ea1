// Idempotency keys for write operations (`@Idempotent()`), shared by every service.
export * from './idempotency-errors';
export * from './idempotency-key.repository';
export * from './idempotency-key.schema';
export * from './idempotency-keys';
export * from './idempotency-request';
export * from './idempotency.interceptor';
export * from './idempotent.decorator';
export * from './stored-outcome';
