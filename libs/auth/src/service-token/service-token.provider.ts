import { isValidTenant } from '../auth-context';

/** A token and the moment (ms since the epoch) it expires. */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Refresh this long before `exp` so that a token never expires in flight (S2S-4). */
export const REFRESH_MARGIN_MS = 60_000;
const MAX_CACHED_TOKENS = 10_000;

/**
 * Obtains this service's own tokens for calls to peer services (S2S-3, S2S-4):
 * `principalType: service`, `client_id` = this service, the given tenant and only the given scopes.
 * Tokens are cached per (tenant, sorted scope set) and renewed 60 s before `exp`; concurrent
 * requests for the same key share one issuance.
 */
export abstract class ServiceTokenProvider {
  private readonly cache = new Map<string, IssuedToken>();
  private readonly pending = new Map<string, Promise<IssuedToken>>();

  protected constructor(protected readonly now: () => number = Date.now) {}

  /** A bearer token for `tenant` holding exactly `scopes` (possibly none). */
  async getToken(tenant: string, scopes: readonly string[] = []): Promise<string> {
    // Tokens are per tenant (TEN-8, S2S-2); a malformed tenant must never reach the issuer.
    if (!isValidTenant(tenant)) throw new Error('ServiceTokenProvider: invalid tenant');
    for (const s of scopes) {
      if (typeof s !== 'string' || s.length === 0 || /\s/.test(s) || s.startsWith('tenant=')) {
        throw new Error(`ServiceTokenProvider: invalid scope ${JSON.stringify(s)}`);
      }
    }
    const sorted = [...new Set(scopes)].sort();
    const key = `${tenant} ${sorted.join(' ')}`;
    const cached = this.cache.get(key);
    if (cached && this.now() < cached.expiresAt - REFRESH_MARGIN_MS) return cached.token;

    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.issue(tenant, sorted).finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    const issued = await inFlight;
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, issued);
    return issued.token;
  }

  /** Issues a fresh token; implementations must not cache. */
  protected abstract issue(tenant: string, scopes: readonly string[]): Promise<IssuedToken>;
}
