// @suite/api-kit/edge: what a plain Fastify server in front of the apps (tools/gateway.ts) needs to
// answer in the services' error profiles, without loading Nest, class-validator or Swagger (the
// full @suite/api-kit takes about a second to load; this about 50 ms: `npm start` loads the gateway
// while the apps boot). Everything here is also exported by @suite/api-kit.
export * from './errors';
export { EdgeErrors, MAX_HEADER_BYTES } from './http/edge-errors';
export { ErrorProfile, renderError } from './http/error-profiles';
export { ProxyTrust } from './http/proxy-trust';
export { hasBody } from './http/request-body';
export { requestIdFrom } from './http/request-id';
export { readTrustProxy } from './config/rate-limits';
export { readShutdownSettings } from './config/base-config';
