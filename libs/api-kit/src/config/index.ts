export * from './base-config';
export * from './rate-limits';
