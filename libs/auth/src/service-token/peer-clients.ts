import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, ServiceHttpClient, ServiceHttpClientOptions } from '@suite/api-kit';
import type { Logger } from 'pino';
import { ServiceTokenProvider } from './service-token.provider';

/**
 * The one place peer clients are made (S2S-1): one `ServiceHttpClient` per upstream and process,
 * carrying this service's own tokens (S2S-3, never the caller's), and closed with the application
 * so no connection pool outlives it. Without a configured origin there is no client: callers fail
 * closed (S2S-11).
 */
@Injectable()
export class PeerClients implements OnApplicationShutdown {
  private readonly open = new Set<ServiceHttpClient>();

  constructor(
    private readonly tokens: ServiceTokenProvider,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A client of `options.service` at `options.baseUrl`, or `undefined` when no origin is configured. */
  create(
    options: Omit<ServiceHttpClientOptions, 'tokenProvider' | 'baseUrl'> & { baseUrl: string | undefined },
  ): ServiceHttpClient | undefined {
    if (!options.baseUrl) return undefined;
    const client = new ServiceHttpClient({
      logger: this.logger,
      ...options,
      baseUrl: options.baseUrl,
      tokenProvider: (tenant, scopes) => this.tokens.getToken(tenant, scopes),
    });
    this.open.add(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = [...this.open];
    this.open.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}
