// DTO building blocks shared by the services (metadata, mixins, localized maps, money, paging
// queries, ...): one class or decorator per concept, used by every app's `dto/` folder.
export {};
