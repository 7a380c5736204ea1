import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { IssuedToken, ServiceTokenProvider } from './service-token.provider';

export interface LocalServiceTokenSettings {
  serviceName: string;
  secret: string;
  issuer: string;
  audience: string;
  ttlSec: number;
}

/**
 * Development/test provider: signs HS256 service tokens locally with the configured secret, which
 * the guards of the peer apps accept outside production (S2S-4 "the test implementation signs
 * locally").
 */
export class LocalServiceTokenProvider extends ServiceTokenProvider {
  constructor(
    private readonly settings: LocalServiceTokenSettings,
    now?: () => number,
  ) {
    super(now);
  }

  protected async issue(tenant: string, scopes: readonly string[]): Promise<IssuedToken> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.settings.ttlSec;
    const token = await new SignJWT({
      tenant,
      scope: scopes.join(' '),
      principalType: 'service',
      client_id: this.settings.serviceName,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(this.settings.serviceName)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(this.settings.secret));
    return { token, expiresAt: exp * 1000 };
  }
}
