import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { TenantRateLimits } from '@suite/api-kit';
import { WindowCounters, windowCountersProvider } from '@suite/persistence';
import { MongoThrottlerStorage } from './mongo-throttler.storage';
import { TenantThrottlerGuard, tenantThrottlerOptions } from './tenant-throttler.guard';

/** The shared collection of the tenant counters in the service's own database (TEN-3; no underscore, like `outbox`). */
export const RATE_LIMIT_COLLECTION = 'ratelimits';
const TENANT_RATE_COUNTERS = Symbol.for('suite.tenantRateCounters');

@Module({
  providers: [windowCountersProvider(TENANT_RATE_COUNTERS, RATE_LIMIT_COLLECTION)],
  exports: [TENANT_RATE_COUNTERS],
})
class TenantRateCountersModule {}

/**
 * Per-tenant rate limits for every protected route of a service (RATE_LIMIT_PER_TENANT,
 * RATE_LIMIT_TENANTS): @nestjs/throttler with {@link TenantThrottlerGuard} and its counters in
 * MongoDB ({@link MongoThrottlerStorage}), so every instance of the service counts against the
 * same limit. Import it after AuthModule: global guards run in the order they are registered.
 */
@Module({})
export class TenantRateLimitModule {
  static forRoot(limits: TenantRateLimits): DynamicModule {
    return {
      module: TenantRateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          imports: [TenantRateCountersModule],
          inject: [TENANT_RATE_COUNTERS],
          useFactory: (counters: WindowCounters) => tenantThrottlerOptions(limits, new MongoThrottlerStorage(counters)),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: TenantThrottlerGuard }],
    };
  }
}
