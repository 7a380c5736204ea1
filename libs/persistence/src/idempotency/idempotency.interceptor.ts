import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import { catchError, defer, finalize, from, mergeMap, Observable, of, switchMap, throwError } from 'rxjs';
import { idempotencyKeyInUse, idempotencyKeyReused } from './idempotency-errors';
import { Claim, HeldKey, IdempotencyKeys } from './idempotency-keys';
import { IdempotencyCaller, idempotencyKeyOf, idempotencyRecordId, requestFingerprint } from './idempotency-request';
import { errorOutcome, replay, responseOutcome } from './stored-outcome';

/** What the interceptor reads of the request (Fastify's, after the guards and the body decoding). */
interface KeyedRequest {
  method: string;
  url: string;
  query?: unknown;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** The verified caller the auth guard attached (AUTH-7). */
  auth?: IdempotencyCaller;
}

/**
 * The route interceptor of {@link Idempotent}. Route interceptors run after the guards and after
 * the global ones (body decoding, request validation), so a request reaches it authorised and
 * valid: a refused or invalid request never claims a key. Without an `Idempotency-Key` header the
 * request passes untouched. With one, the request either runs (and its outcome is stored: any 2xx,
 * or an `ApiError` with a 4xx status; anything else releases the key so that a retry runs again),
 * or gets the stored outcome again, or is refused (`422` for a key used with another request, `409`
 * when the first request is still running after the wait).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly keys: IdempotencyKeys) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<KeyedRequest>();
    const key = idempotencyKeyOf(req.headers);
    if (key === undefined) return next.handle();
    const caller = req.auth;
    if (!caller) throw ApiError.internal(new Error('@Idempotent() used on a route without a verified token'));
    const id = idempotencyRecordId(caller, key);
    const fingerprint = requestFingerprint(req.method, req.url.split('?', 1)[0], req.query, req.body);
    const reply = http.getResponse<{ statusCode: number }>();
    return from(this.keys.claim(caller.tenant, id, fingerprint)).pipe(switchMap((claim) => this.answer(claim, next, reply)));
  }

  private answer(claim: Claim, next: CallHandler, reply: { statusCode: number }): Observable<unknown> {
    switch (claim.kind) {
      case 'replay':
        return defer(() => of(replay(claim.outcome)));
      case 'mismatch':
        return throwError(() => idempotencyKeyReused());
      case 'busy':
        return throwError(() => idempotencyKeyInUse());
      case 'acquired':
        return this.run(claim.held, next, reply);
    }
  }

  private run(held: HeldKey, next: CallHandler, reply: { statusCode: number }): Observable<unknown> {
    return next.handle().pipe(
      // The route's status (`@HttpCode()` or the method's default) is on the reply before the
      // handler runs; an Outcome's own status is written only after this interceptor.
      mergeMap(async (value: unknown) => {
        await held.complete(responseOutcome(value, reply.statusCode));
        return value;
      }),
      catchError((error: unknown) => {
        const outcome = errorOutcome(error);
        return from(outcome ? held.complete(outcome) : held.release()).pipe(mergeMap(() => throwError(() => error)));
      }),
      finalize(() => held.abandon()),
    );
  }
}
