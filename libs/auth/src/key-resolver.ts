import { createSecretKey, KeyObject, webcrypto } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { ApiError } from '@suite/api-kit';
import { ResolvedAuthOptions } from './auth-options';
import { tokenInvalid } from './auth-errors';

/** Algorithms this process accepts (AUTH-2): RS256/ES256 via JWKS, HS256 only outside production. */
export function acceptedAlgorithms(options: ResolvedAuthOptions): Array<'RS256' | 'ES256' | 'HS256'> {
  const algs: Array<'RS256' | 'ES256' | 'HS256'> = [];
  if (options.jwksUri) algs.push('RS256', 'ES256');
  if (!options.production && options.hs256Secret) algs.push('HS256');
  return algs;
}

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;

/**
 * Picks the verification key for one raw token by its header: the HS256 secret, or the JWKS key
 * named by `kid`. The key is chosen by the algorithm the server allows, never by trusting the
 * header alone: an HS256 header in production, or with no secret configured, is refused before any
 * key is handed out, which is what defeats "HS256 signed with the RS256 public key".
 */
export class VerificationKeyResolver {
  private readonly jwks?: RemoteJwks;
  private readonly algorithms: ReadonlySet<string>;
  private readonly keyObjects = new WeakMap<object, KeyObject>();
  // A KeyObject rather than the string: jsonwebtoken first tries to parse a string secret as a
  // PEM public key, which costs about 1 ms per request; with a secret KeyObject it is ~50 µs.
  private readonly hsKey?: KeyObject;

  constructor(private readonly options: ResolvedAuthOptions) {
    this.algorithms = new Set(acceptedAlgorithms(options));
    if (!options.production && options.hs256Secret) this.hsKey = createSecretKey(Buffer.from(options.hs256Secret, 'utf8'));
    if (options.jwksUri) {
      // jose refetches on an unknown kid, but not more than once per cooldown (AUTH-2: 30 s).
      this.jwks = createRemoteJWKSet(new URL(options.jwksUri), {
        cooldownDuration: options.jwksRefreshCooldownSec * 1000,
        cacheMaxAge: 10 * 60 * 1000,
        timeoutDuration: 5000,
      });
    }
  }

  /** Resolves the key or throws an `ApiError` (401 token_invalid, or 503 when the JWKS cannot be loaded). */
  async resolve(rawToken: string): Promise<string | KeyObject> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(rawToken);
    } catch {
      throw tokenInvalid('malformed token header');
    }
    // RFC 7515 §4.1.11: a recipient must refuse a token naming a critical extension it does not
    // understand. jsonwebtoken (which verifies the signature) ignores `crit`, and this service
    // understands no JWS extension, so any `crit` refuses the token (an empty list is forbidden).
    // Checked here because every verification, full or from the cache, resolves the key first.
    if (header.crit !== undefined) throw tokenInvalid('unsupported critical header extension');
    const alg = header.alg;
    if (typeof alg !== 'string' || !this.algorithms.has(alg)) throw tokenInvalid('algorithm not accepted');
    if (alg === 'HS256') {
      if (!this.hsKey) throw tokenInvalid('algorithm not accepted');
      return this.hsKey;
    }
    if (!this.jwks) throw tokenInvalid('no JWKS configured');
    try {
      const key = await this.jwks({ alg, kid: header.kid }, undefined as never);
      // jsonwebtoken (inside passport-jwt) takes KeyObjects, jose yields WebCrypto keys; jose keeps
      // the same key objects until the set is refetched, so the conversion is cached per key.
      if (key instanceof KeyObject) return key;
      let converted = this.keyObjects.get(key as object);
      if (!converted) {
        converted = KeyObject.from(key as webcrypto.CryptoKey);
        this.keyObjects.set(key as object, converted);
      }
      return converted;
    } catch (e) {
      if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWKSMultipleMatchingKeys) {
        throw tokenInvalid('no matching key in JWKS');
      }
      // The key set itself is unavailable: our infrastructure is at fault, not the caller's token.
      throw new ApiError('service_unavailable', 'The token verification keys are unavailable.', { cause: e });
    }
  }
}
