import { DynamicModule, InjectionToken, Module, ModuleMetadata, OptionalFactoryDependency, Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AUTH_OPTIONS, AuthModuleOptions, resolveAuthOptions } from './auth-options';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { ScopeGuard } from './guards/scope.guard';
import { TenantGuard } from './guards/tenant.guard';
import { JwtStrategy } from './jwt.strategy';
import { RouteAccessInspector } from './route-access.inspector';
import { createServiceTokenProvider, PeerClients, ServiceTokenProvider } from './service-token';

export interface AuthModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: any[]) => AuthModuleOptions | Promise<AuthModuleOptions>;
}

const commonProviders: Provider[] = [
  JwtStrategy,
  RouteAccessInspector,
  PeerClients,
  { provide: ServiceTokenProvider, useFactory: createServiceTokenProvider, inject: [AUTH_OPTIONS] },
  // Order matters (AUTH-8, ERR-10): token (401) → tenant (403) → scopes/principals (403).
  { provide: APP_GUARD, useClass: JwtAuthGuard },
  { provide: APP_GUARD, useClass: TenantGuard },
  { provide: APP_GUARD, useClass: ScopeGuard },
];

const exported = [AUTH_OPTIONS, ServiceTokenProvider, RouteAccessInspector, PeerClients];

/**
 * Authentication and authorization for one app (conventions section 2): registers the passport-jwt
 * strategy `jwt`, the three global guards, the boot-time route check and the
 * `ServiceTokenProvider` with the `PeerClients` made from it. Invalid options stop the app at boot.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const resolved = resolveAuthOptions(options);
    return {
      module: AuthModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: AUTH_OPTIONS, useValue: resolved }, ...commonProviders],
      exports: exported,
    };
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        {
          provide: AUTH_OPTIONS,
          useFactory: async (...args: unknown[]) => resolveAuthOptions(await options.useFactory(...args)),
          inject: options.inject ?? [],
        },
        ...commonProviders,
      ],
      exports: exported,
    };
  }
}
