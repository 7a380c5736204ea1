import { Logger } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import { ResolvedAuthOptions } from '../auth-options';
import { ClientCredentialsTokenProvider } from './client-credentials-token.provider';
import { LocalServiceTokenProvider } from './local-service-token.provider';
import { IssuedToken, ServiceTokenProvider } from './service-token.provider';

export * from './service-token.provider';
export * from './local-service-token.provider';
export * from './client-credentials-token.provider';

/** Used when no way to obtain service tokens is configured: every peer call fails closed. */
export class UnconfiguredServiceTokenProvider extends ServiceTokenProvider {
  private readonly logger = new Logger('ServiceTokenProvider');

  constructor() {
    super();
  }

  protected issue(): Promise<IssuedToken> {
    this.logger.error('no service token source: set AUTH_TOKEN_URL, SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET');
    return Promise.reject(ApiError.upstreamUnavailable('auth'));
  }
}

/**
 * Picks the implementation by configuration: client credentials when a token URL (with id and
 * secret) is configured; otherwise, outside production, local HS256 signing; otherwise none.
 */
export function createServiceTokenProvider(options: ResolvedAuthOptions): ServiceTokenProvider {
  if (options.tokenUrl && options.clientId && options.clientSecret) {
    return new ClientCredentialsTokenProvider({
      tokenUrl: options.tokenUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
    });
  }
  if (!options.production && options.hs256Secret) {
    return new LocalServiceTokenProvider({
      serviceName: options.serviceName,
      secret: options.hs256Secret,
      issuer: options.issuer,
      audience: options.audience,
      ttlSec: options.localTokenTtlSec,
    });
  }
  return new UnconfiguredServiceTokenProvider();
}
export * from './peer-clients';
