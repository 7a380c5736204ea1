import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-jwt';
import { AUTH_OPTIONS, ResolvedAuthOptions } from './auth-options';
import { AuthContext } from './auth-context';
import { authContextFromClaims } from './claims';
import { acceptedAlgorithms, VerificationKeyResolver } from './key-resolver';

const instances = new WeakMap<object, passport.PassportStatic>();

/** The request property the guard leaves the raw token on, for the extractor below. */
export const RAW_TOKEN = Symbol('suite.rawToken');

/**
 * passport-jwt strategy `jwt` (AUTH-2). Signature, `iss`, `aud`, `exp` and `nbf` (30 s leeway) are
 * checked by jsonwebtoken inside passport-jwt; the claims of AUTH-3..AUTH-6 by `validate`.
 *
 * It registers on its own `Passport` instance rather than the process-wide one: with the global
 * registry, a second app in the same process (tests, a launcher) would replace this app's strategy
 * and its keys would verify this app's tokens.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  readonly passport: passport.PassportStatic;

  constructor(@Inject(AUTH_OPTIONS) options: ResolvedAuthOptions) {
    const resolver = new VerificationKeyResolver(options);
    super({
      // The guard has already parsed the Authorization header (and nothing else: never cookies or
      // query parameters); the strategy reads what it found.
      jwtFromRequest: (req: Record<symbol, unknown>) => (req[RAW_TOKEN] as string | undefined) ?? null,
      secretOrKeyProvider: (_req: unknown, rawToken: string, done: (err: unknown, key?: unknown) => void) => {
        resolver.resolve(rawToken).then(
          (key) => done(null, key),
          (err: unknown) => done(err),
        );
      },
      algorithms: acceptedAlgorithms(options),
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: options.clockToleranceSec },
    } as never);
    this.passport = this.getPassportInstance() as passport.PassportStatic;
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

  validate(payload: Record<string, unknown>): AuthContext {
    return authContextFromClaims(payload);
  }
}
