import { DynamicModule, Global, Module, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { ApiKitModule, ApiKitOptions, BaseConfig, createLogger, ErrorProfile, startService, TenantLanguages } from '@suite/api-kit';
import { AuthModule, AuthModuleOptions } from '@suite/auth';
import { PersistenceModule, translateMongoError } from '@suite/persistence';
import { EventPublishingModule } from './event-publishing';
import { databaseGate, reportListening } from './launcher-link';
import { TenantRateLimitModule } from './rate-limit/tenant-rate-limit.module';
import type { Logger } from 'pino';

/** Who a service is: what its root module needs to know of it besides the configuration. */
export interface ServiceIdentity {
  /** `customer-segment`, `coupon` or `category`: logs, events, peer calls, documentation routes. */
  name: string;
  /** TEN-3: the service's own database. */
  database: string;
  /** ERR-2: the error wire profile of the service's contract. */
  errorProfile: ErrorProfile;
}

/** What the foundation reads of a service's validated configuration. */
export type FoundationConfig = Pick<
  BaseConfig,
  'mongodbUri' | 'serverSelectionTimeoutMS' | 'languages' | 'tenantLanguages' | 'rateLimits' | 'trustProxy'
> &
  Partial<Pick<BaseConfig, 'outboxLease' | 'outboxPollMs' | 'mongodbCommandMetrics' | 'peers'>> & {
    auth: AuthModuleOptions;
  };

/** The service's own part of its root module: its request-pipeline options and its modules. */
export interface ServiceModuleOptions extends Pick<ApiKitOptions, 'totalCountHeaders' | 'openapi'> {
  imports: NonNullable<ModuleMetadata['imports']>;
  /**
   * App-wide providers every feature may inject (the validated configuration, settings): provided
   * globally and exported; a class provider's dependencies resolve among them and the foundation.
   */
  global?: Provider[];
}

/** The global providers of a service: the tenant languages (LOC-2) and the service's own {@link ServiceModuleOptions.global}. */
@Global()
@Module({})
export class ServiceGlobalsModule {
  static forRoot(config: FoundationConfig, providers: Provider[] = []): DynamicModule {
    const all: Provider[] = [{ provide: TenantLanguages, useValue: TenantLanguages.fromConfig(config) }, ...providers];
    return { module: ServiceGlobalsModule, providers: all, exports: all.map((p) => (typeof p === 'function' ? p : p.provide)) };
  }
}

/**
 * The root module of a service (`AppModule.forRoot`): first the foundation every service shares,
 * in this order: the api-kit request pipeline, with the Mongo errors of @suite/persistence
 * translated (ERR-11); the connection to the service's own database (TEN-3); the guards of
 * @suite/auth; the per-tenant rate limit (a guard after them); the global providers
 * ({@link ServiceGlobalsModule}). Then the service's own modules.
 */
export function serviceModule(
  root: Type,
  service: ServiceIdentity,
  config: FoundationConfig,
  logger: Logger | undefined,
  options: ServiceModuleOptions,
): DynamicModule {
  const { imports, global, ...api } = options;
  const { mongodbUri: uri, serverSelectionTimeoutMS, outboxLease, outboxPollMs } = config;
  const errorTranslators = [translateMongoError];
  return {
    module: root,
    imports: [
      ApiKitModule.forRoot({
        ...api,
        service: service.name,
        errorProfile: service.errorProfile,
        errorTranslators,
        logger,
        trustProxy: config.trustProxy,
      }),
      PersistenceModule.forRoot({
        uri,
        dbName: service.database,
        serverSelectionTimeoutMS,
        outboxLease,
        outboxPollMs,
        commandMetrics: config.mongodbCommandMetrics,
      }),
      AuthModule.forRoot(config.auth),
      // The outbox's events go to the webhook service (its own outbox stays local: it emits none).
      EventPublishingModule.forRoot(service.name === 'webhook' ? undefined : config.peers?.webhookUrl),
      // After the auth guards (global guards run in registration order): only verified tenants are counted.
      TenantRateLimitModule.forRoot(config.rateLimits),
      ServiceGlobalsModule.forRoot(config, global),
      ...imports,
    ],
  };
}

/** What {@link runService} reads of a service's validated configuration to start it. */
export type StartConfig = Pick<BaseConfig, 'logLevel' | 'port' | 'host' | 'corsOrigins' | 'shutdown'>;

/**
 * What runs a service: its name, its root module and how its configuration is read from an
 * environment. Each app exports one from its `app.module.ts` (`SERVICE_DEFINITION`): its `main.ts`
 * runs it in a process of its own ({@link runService}); `npm start` can run the four side by side in
 * one process (tools/app-host.ts, ./app-host).
 */
export interface ServiceDefinition<C extends StartConfig = StartConfig> {
  name: string;
  root: { forRoot(config: C, logger?: Logger): DynamicModule };
  loadConfig(env: NodeJS.ProcessEnv): C;
}

/**
 * Reads and validates a service's configuration from `env`, makes its logger and starts its root
 * module on the configured port; a failure to start is logged and ends the process. `exit` replaces
 * `process.exit` at the end of its graceful shutdown (several services in one process exit together).
 */
export function startDefinedService<C extends StartConfig>(
  definition: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv,
  exit?: (code: number) => void,
): ReturnType<typeof startService> {
  const config = definition.loadConfig(env);
  const logger = createLogger(definition.name, config.logLevel);
  const { port, host, corsOrigins, shutdown } = config;
  const module = definition.root.forRoot(config, logger);
  return startService(module, { service: definition.name, logger, port, host, corsOrigins, shutdown, exit });
}

/**
 * A service's `main.ts`: starts it from this process's environment (see {@link startDefinedService}).
 * Started by the suite launcher, it connects once the launcher's database listens and tells the
 * launcher when it listens itself (./launcher-link).
 */
export function runService<C extends StartConfig>(definition: ServiceDefinition<C>): ReturnType<typeof startService> {
  return databaseGate().then(async () => {
    const app = await startDefinedService(definition, process.env);
    reportListening();
    return app;
  });
}
