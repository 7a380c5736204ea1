export * from './base-config';
