export * from './bulk';
export * from './dates';
export * from './ids';
export * from './metadata';
export * from './patch';
export * from './tenant';
