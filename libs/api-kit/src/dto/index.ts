// DTO building blocks shared by the services (metadata, mixins, localized maps, money, paging
// queries, ...): one class or decorator per concept, used by every app's `dto/` folder.
export * from './paging-query.dto';
export * from './boolean-query';
export * from './tenant-params.dto';
export * from './validate-details';
export * from './mixins';
export * from './custom-id';
export * from './nested-object';
export * from './metadata.response.dto';
