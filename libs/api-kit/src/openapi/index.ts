export * from './api-errors.decorator';
