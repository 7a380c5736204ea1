export * from './api-errors.decorator';
export * from './document';
export * from './documentation.controller';
export * from './error-schemas';
export * from './openapi-settings';
export * from './operation.decorator';
export * from './common-headers';
