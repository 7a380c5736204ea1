import 'reflect-metadata';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiKitModule, ERROR_PROFILE, SERVICE_NAME, TenantLanguages, TOTAL_COUNT_HEADERS } from '@suite/api-kit';
import { AuthModule, authOptionsFromEnv } from '@suite/auth';
import { PersistenceModule, translateMongoError } from '@suite/persistence';
import { EventPublishingModule } from './event-publishing';
import { TenantRateLimitModule } from './rate-limit/tenant-rate-limit.module';
import { serviceModule, ServiceGlobalsModule } from './service-module';

class AppSettings {}

@Module({})
class RootModule {}

@Module({})
class FeatureModule {}

const config = {
  mongodbUri: 'mongodb://127.0.0.1:9',
  serverSelectionTimeoutMS: 100,
  languages: ['en', 'de'],
  tenantLanguages: { acme: ['fr'] },
  rateLimits: { default: { limit: 600, windowMs: 60_000 }, tenants: {}, exemptClients: [] },
  trustProxy: ['loopback'],
  auth: authOptionsFromEnv({ AUTH_HS256_SECRET: 'service-module-spec', NODE_ENV: 'development' }, 'demo'),
};

function valueOf(module: DynamicModule, token: unknown): unknown {
  const provider = module.providers?.find((p: Provider) => typeof p === 'object' && 'provide' in p && p.provide === token);
  return (provider as { useValue?: unknown } | undefined)?.useValue;
}

describe('serviceModule: the root module of a service', () => {
  const root = serviceModule(RootModule, { name: 'demo', database: 'demo_db', errorProfile: 'coupon' }, config, undefined, {
    totalCountHeaders: ['X-Total-Count', 'Items-Count'],
    imports: [FeatureModule],
    global: [AppSettings, { provide: 'CONFIG', useValue: { a: 1 } }],
  });
  const imports = root.imports as DynamicModule[];

  it('imports the foundation first (api-kit, persistence, auth, event publishing, the rate limit after auth), then its own modules', () => {
    expect(root.module).toBe(RootModule);
    expect(imports.map((m) => m.module ?? m)).toEqual([
      ApiKitModule,
      PersistenceModule,
      AuthModule,
      EventPublishingModule,
      TenantRateLimitModule,
      ServiceGlobalsModule,
      FeatureModule,
    ]);
  });

  it('hands the identity and the service’s pipeline options to api-kit, with Mongo errors translated', () => {
    const apiKit = imports[0];
    expect(valueOf(apiKit, SERVICE_NAME)).toBe('demo');
    expect(valueOf(apiKit, ERROR_PROFILE)).toBe('coupon');
    expect(valueOf(apiKit, TOTAL_COUNT_HEADERS)).toEqual(['X-Total-Count', 'Items-Count']);
    // The filter keeps its translators private; what matters is that Mongo's are among them (ERR-11).
    const filter = valueOf(apiKit, APP_FILTER) as { translators?: unknown[] };
    expect(filter.translators).toEqual([translateMongoError]);
  });

  it('provides the tenant languages (LOC-2) and the service’s global providers, and exports them all', () => {
    const globals = imports[5];
    expect((valueOf(globals, TenantLanguages) as TenantLanguages).languagesOf('acme')).toEqual(['fr']);
    expect(valueOf(globals, 'CONFIG')).toEqual({ a: 1 });
    expect(globals.exports).toEqual([TenantLanguages, AppSettings, 'CONFIG']);
  });
});
