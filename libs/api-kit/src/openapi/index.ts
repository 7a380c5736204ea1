export * from './api-errors.decorator';
export * from './document';
export * from './documentation.controller';
export * from './error-schemas';
export * from './openapi-settings';
