import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, ServiceHttpClient } from '@suite/api-kit';
import { ServiceTokenProvider } from '@suite/auth';
import type { Logger } from 'pino';
import { CATEGORY_HTTP, CategoryClient } from './category.client';

/** Injection token of the configured CATEGORY_URL (undefined when unset). */
export const CATEGORY_URL = Symbol.for('customer-segment.categoryUrl');
/** Injection token of the peer breaker's open window (PEER_BREAKER_OPEN_MS, S2S-13). */
export const PEER_BREAKER_OPEN_MS = Symbol.for('customer-segment.peerBreakerOpenMs');

class CategoryHttpLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CATEGORY_HTTP) private readonly http: ServiceHttpClient | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.http?.close();
  }
}

/**
 * Peer clients (S2S-1): one `ServiceHttpClient` per upstream per process, bound to the configured
 * origin, with this service's own tokens (S2S-3, never the caller's).
 */
@Module({
  providers: [
    {
      provide: CATEGORY_HTTP,
      inject: [CATEGORY_URL, PEER_BREAKER_OPEN_MS, ServiceTokenProvider, LOGGER],
      useFactory: (baseUrl: string | undefined, openMs: number, tokens: ServiceTokenProvider, logger: Logger) =>
        baseUrl
          ? new ServiceHttpClient({ service: 'category', baseUrl, tokenProvider: (tenant, scopes) => tokens.getToken(tenant, scopes), logger, breaker: { openMs } })
          : null,
    },
    { provide: CategoryHttpLifecycle, useClass: CategoryHttpLifecycle },
    CategoryClient,
  ],
  exports: [CategoryClient],
})
export class ClientsModule {}
