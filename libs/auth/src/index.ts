// Public surface of @suite/auth (conventions section 2).
export * from './auth-options';
export * from './auth-context';
export * from './auth-errors';
export { authContextFromClaims, parseScopeClaim, InvalidClaimsError } from './claims';
export * from './decorators';
export * from './dev-token';
export { JwtAuthGuard, extractBearerToken } from './guards/jwt-auth.guard';
export { TenantGuard } from './guards/tenant.guard';
export { ScopeGuard } from './guards/scope.guard';
export { JwtStrategy } from './jwt.strategy';
export { acceptedAlgorithms } from './key-resolver';
export * from './route-access.inspector';
export * from './service-token';
export * from './auth.module';
export * from './request-context';
