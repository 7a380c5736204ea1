import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-jwt';
import { AUTH_OPTIONS, ResolvedAuthOptions } from './auth-options';
import { AuthContext } from './auth-context';
import { authContextFromClaims } from './claims';
import { acceptedAlgorithms, VerificationKeyResolver } from './key-resolver';
import { VerifiedTokenCache } from './verified-token-cache';

const instances = new WeakMap<object, passport.PassportStatic>();

/** The request property the guard leaves the raw token on, for the extractor below. */
export const RAW_TOKEN = Symbol('suite.rawToken');
/** The key that verified this request's token, from the key provider to `validate`. */
const VERIFYING_KEY = Symbol('suite.verifyingKey');

type StrategyRequest = Record<symbol, unknown>;

/**
 * passport-jwt strategy `jwt` (AUTH-2). Signature, `iss`, `aud`, `exp` and `nbf` (30 s leeway) are
 * checked by jsonwebtoken inside passport-jwt; the header (`alg`, `kid`, `crit`) by the key
 * resolver; the claims of AUTH-3..AUTH-6 by `validate`.
 *
 * It registers on its own `Passport` instance rather than the process-wide one: with the global
 * registry, a second app in the same process (tests, a launcher) would replace this app's strategy
 * and its keys would verify this app's tokens.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  readonly passport: passport.PassportStatic;
  private readonly resolver: VerificationKeyResolver;
  private readonly verified: VerifiedTokenCache;

  constructor(@Inject(AUTH_OPTIONS) options: ResolvedAuthOptions) {
    const resolver = new VerificationKeyResolver(options);
    super({
      // The guard has already parsed the Authorization header (and nothing else: never cookies or
      // query parameters); the strategy reads what it found.
      jwtFromRequest: (req: StrategyRequest) => (req[RAW_TOKEN] as string | undefined) ?? null,
      secretOrKeyProvider: (req: StrategyRequest, rawToken: string, done: (err: unknown, key?: unknown) => void) => {
        resolver.resolve(rawToken).then(
          (key) => {
            req[VERIFYING_KEY] = key;
            done(null, key);
          },
          (err: unknown) => done(err),
        );
      },
      passReqToCallback: true,
      algorithms: acceptedAlgorithms(options),
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: options.clockToleranceSec },
    } as never);
    this.passport = this.getPassportInstance() as passport.PassportStatic;
    this.resolver = resolver;
    this.verified = new VerifiedTokenCache();
  }

  /**
   * The context of a token verified in full shortly before, if it still resolves to the key that
   * verified it (see VerifiedTokenCache); `undefined` means "verify in full".
   */
  async recentlyVerified(rawToken: string): Promise<AuthContext | undefined> {
    const hit = this.verified.lookup(rawToken);
    if (!hit) return undefined;
    const key = await this.resolver.resolve(rawToken).catch(() => undefined);
    if (key !== hit.key) {
      this.verified.forget(rawToken);
      return undefined;
    }
    return hit.auth;
  }

  getPassportInstance(): passport.PassportStatic {
    // Called from the mixin's constructor, before this class's fields exist, hence the WeakMap.
    let own = instances.get(this);
    if (!own) {
      own = new passport.Passport() as passport.PassportStatic;
      instances.set(this, own);
    }
    return own;
  }

  validate(req: StrategyRequest, payload: Record<string, unknown>): AuthContext {
    const auth = authContextFromClaims(payload);
    const rawToken = req[RAW_TOKEN];
    if (typeof rawToken === 'string' && req[VERIFYING_KEY] !== undefined)
      this.verified.remember(rawToken, auth, req[VERIFYING_KEY], payload.exp as number);
    delete req[VERIFYING_KEY];
    return auth;
  }
}
