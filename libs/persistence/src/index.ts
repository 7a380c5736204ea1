export * from './mongo-errors';
export * from './outbox';
export * from './paging';
export * from './persistence.module';
export * from './tenant';
export * from './tenant-model-registry';
export * from './versioned-writes';
export * from './tenant-repository';
