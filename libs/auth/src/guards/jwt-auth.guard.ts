import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError, isApiError } from '@suite/api-kit';
import { AuthContext } from '../auth-context';
import { tokenExpired, tokenInvalid, tokenMissing } from '../auth-errors';
import { InvalidClaimsError } from '../claims';
import { JwtStrategy, RAW_TOKEN } from '../jwt.strategy';
import { isPublicRoute } from './route-access.util';

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  auth?: AuthContext;
  [RAW_TOKEN]?: string;
}

/**
 * First global guard (AUTH-8): verifies the bearer token with the passport-jwt strategy and
 * attaches `req.auth`. Every failure becomes an `ApiError` (401 token_missing / token_invalid /
 * token_expired with its WWW-Authenticate header, AUTH-10); passport's own failures never leak out
 * as Nest exceptions. Tokens are never logged (AUTH-14).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly strategy: JwtStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublicRoute(context)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequestLike>();
    const rawToken = extractBearerToken(req.headers.authorization);
    const recent = await this.strategy.recentlyVerified(rawToken);
    if (recent) {
      req.auth = recent;
      return true;
    }
    req[RAW_TOKEN] = rawToken;
    try {
      req.auth = await new Promise<AuthContext>((resolve, reject) => {
        const middleware = this.strategy.passport.authenticate('jwt', { session: false }, (err: unknown, user: unknown, info: unknown) => {
          try {
            resolve(this.handleRequest(err, user, info));
          } catch (e) {
            reject(e);
          }
        });
        middleware(req, http.getResponse(), (err?: unknown) => reject(this.toApiError(err)));
      });
    } finally {
      // The raw token must not outlive verification on the request object (AUTH-14).
      delete req[RAW_TOKEN];
    }
    return true;
  }

  /** Converts passport's (err, user, info) triple into an AuthContext or a 401 `ApiError`. */
  handleRequest(err: unknown, user: unknown, info: unknown): AuthContext {
    if (err) throw this.toApiError(err);
    if (user instanceof AuthContext) return user;
    throw this.toApiError(info);
  }

  private toApiError(failure: unknown): ApiError {
    if (isApiError(failure)) return failure;
    if (failure instanceof InvalidClaimsError) return tokenInvalid(failure.message);
    if (failure instanceof Error) {
      // jsonwebtoken's error classes, recognised by name (it is passport-jwt's dependency, not ours).
      if (failure.name === 'TokenExpiredError') return tokenExpired();
      if (failure.name === 'NotBeforeError') return tokenInvalid('token not yet valid');
      if (failure.name === 'JsonWebTokenError') return tokenInvalid(failure.message);
    }
    // Anything else is unexpected; still fail closed.
    return tokenInvalid('token verification failed');
  }
}

/**
 * Reads the credentials of `Authorization: Bearer <token>`. The scheme is matched
 * case-insensitively (RFC 7235 section 2.1, RFC 6750), so `bearer x` is accepted. A missing or
 * empty header, another scheme, or `Bearer` without credentials is `token_missing`; a value with
 * more than one credential part is `token_invalid`.
 */
export function extractBearerToken(header: string | string[] | undefined): string {
  if (Array.isArray(header)) throw tokenInvalid('several Authorization headers');
  const value = (header ?? '').trim();
  if (value === '') throw tokenMissing('no Authorization header');
  const space = value.search(/\s/);
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw tokenMissing('Authorization scheme is not Bearer');
  const credentials = space === -1 ? '' : value.slice(space).trim();
  if (credentials === '') throw tokenMissing('Bearer without a token');
  if (/\s/.test(credentials)) throw tokenInvalid('malformed bearer credentials');
  return credentials;
}
