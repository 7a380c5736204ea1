import { Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { ApiError } from '@suite/api-kit';
import { IssuedToken, ServiceTokenProvider } from './service-token.provider';

export interface ClientCredentialsSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

/**
 * Production provider: OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) against
 * AUTH_TOKEN_URL, asking for `scope=tenant=<t> <scopes>` (the Emporix convention, S2S-4). Client
 * authentication is HTTP Basic (RFC 6749 section 2.3.1). Any failure is `503 upstream_unavailable`:
 * the peer call cannot be made, and the caller fails closed (S2S-10).
 */
export class ClientCredentialsTokenProvider extends ServiceTokenProvider {
  private readonly logger = new Logger('ServiceTokenProvider');

  constructor(
    private readonly settings: ClientCredentialsSettings,
    now?: () => number,
  ) {
    super(now);
  }

  protected async issue(tenant: string, scopes: readonly string[]): Promise<IssuedToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: [`tenant=${tenant}`, ...scopes].join(' ') });
    const basic = Buffer.from(`${encodeURIComponent(this.settings.clientId)}:${encodeURIComponent(this.settings.clientSecret)}`).toString(
      'base64',
    );
    let json: unknown;
    try {
      const res = await fetch(this.settings.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${basic}`,
        },
        body: body.toString(),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 5000),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`token endpoint answered ${res.status}`);
      }
      json = await res.json();
    } catch (e) {
      // Never log the response body or credentials: only what went wrong, and the tenant (TEN-8).
      this.logger.error(`service token for tenant ${tenant} failed: ${e instanceof Error ? e.message : 'unknown error'}`);
      throw ApiError.upstreamUnavailable('auth');
    }
    const accessToken = (json as { access_token?: unknown } | null)?.access_token;
    const expiresIn = (json as { expires_in?: unknown } | null)?.expires_in;
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      this.logger.error(`service token for tenant ${tenant} failed: no access_token in the response`);
      throw ApiError.upstreamUnavailable('auth');
    }
    let expiresAt: number | undefined;
    if (typeof expiresIn === 'number' && expiresIn > 0) expiresAt = this.now() + expiresIn * 1000;
    else {
      try {
        const exp = decodeJwt(accessToken).exp;
        if (typeof exp === 'number') expiresAt = exp * 1000;
      } catch {
        // Opaque token without expires_in: handled below.
      }
    }
    // Without a known lifetime, use it once and never cache it past the refresh margin.
    return { token: accessToken, expiresAt: expiresAt ?? this.now() };
  }
}
