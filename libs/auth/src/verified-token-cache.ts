import { createHash } from 'node:crypto';
import { AuthContext } from './auth-context';

interface Entry {
  auth: AuthContext;
  /** The key that verified the signature; a hit needs the token to resolve to this same key. */
  key: unknown;
  /** Epoch ms after which the entry is not used (at most the token's `exp`, never the leeway). */
  until: number;
}

/**
 * Tokens whose signature and claims were verified recently, so a client sending the same token on
 * every request (the normal case) is not verified from scratch each time. Bounded in size and age,
 * keyed by the token's SHA-256 (the raw token is never kept, AUTH-14). An entry is used only:
 * - before the token's own `exp` (without the clock tolerance, so a hit never accepts a token the
 *   full check would refuse) and at most `maxAgeMs` after it was verified;
 * - while the token still resolves to the very key object that verified it: a JWKS refresh that
 *   retires or replaces the key makes the next request verify in full (and fail if it must).
 * Failures are never cached.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The verified context of `rawToken` if an entry holds, with the key it must still resolve to. */
  lookup(rawToken: string, now = Date.now()): { auth: AuthContext; key: unknown } | undefined {
    if (this.maxEntries === 0) return undefined;
    const id = digest(rawToken);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Records a successful verification; `expSec` is the token's verified `exp` claim. */
  remember(rawToken: string, auth: AuthContext, key: unknown, expSec: number, now = Date.now()): void {
    if (this.maxEntries === 0) return;
    const until = Math.min(expSec * 1000, now + this.maxAgeMs);
    if (!(until > now)) return;
    const id = digest(rawToken);
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { auth, key, until });
  }

  /** Drops the entry of `rawToken` (its key no longer matches). */
  forget(rawToken: string): void {
    this.entries.delete(digest(rawToken));
  }
}

function digest(rawToken: string): string {
  return createHash('sha256').update(rawToken).digest('base64');
}
