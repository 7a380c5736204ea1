import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable, from, switchMap } from 'rxjs';
import { ApiError } from '../errors';
import { QUERY_PROBLEMS, ParsedQuery } from './query-string';
import { readJsonBody } from './request-body';

/**
 * Request decoding, step 5 of ERR-10. Interceptors run after the guards and before the pipes, so
 * an unauthenticated or unauthorised request is answered before its body is read (the adapter's
 * own body parsing is off). Order: 415, 413, malformed JSON, then query parameter names and
 * repetitions (HTTP-4).
 */
@Injectable()
export class RequestDecodingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    // A read has no body to wait for: its query is checked at once (no promise, no extra operator).
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      checkQuery(req);
      return next.handle();
    }
    return from(this.decode(req)).pipe(switchMap(() => next.handle()));
  }

  private async decode(req: FastifyRequest): Promise<void> {
    (req as { body: unknown }).body = await readJsonBody(req.raw);
    checkQuery(req);
  }
}

/** The query's parameter names and repetitions (HTTP-4), as the query-string parser recorded them. */
function checkQuery(req: FastifyRequest): void {
  const problems = (req.query as ParsedQuery | undefined)?.[QUERY_PROBLEMS];
  if (problems?.length) throw ApiError.validation(problems);
}
