export * from './database';
export * from './http-stub';
export * from './test-app';
export * from './tokens';
export * from './harness';
export * from './windows';
export * from './ports';
