import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Observable, from, switchMap } from 'rxjs';
import { ApiError } from '../errors';
import { QUERY_PROBLEMS, ParsedQuery } from './query-string';
import { readJsonBody, readNdjsonLines } from './request-body';

const NDJSON_BODY = 'suite:ndjsonBody';

/**
 * The route takes `application/x-ndjson`: its body arrives as the lines' text (`string[]`, see
 * `readNdjsonLines`) instead of parsed JSON, at most `maxLines` of them (a longer body is `400`
 * before it is split); everything else about ERR-10 is unchanged.
 */
export const NdjsonBody = (options: { maxLines: number }): MethodDecorator => SetMetadata(NDJSON_BODY, options);

/**
 * Request decoding, step 5 of ERR-10. Interceptors run after the guards and before the pipes, so
 * an unauthenticated or unauthorised request is answered before its body is read (the adapter's
 * own body parsing is off). Order: 415, 413, malformed JSON, then query parameter names and
 * repetitions (HTTP-4).
 */
@Injectable()
export class RequestDecodingInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    // A read has no body to wait for: its query is checked at once (no promise, no extra operator).
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      checkQuery(req);
      return next.handle();
    }
    const ndjson = this.reflector.get<{ maxLines: number } | undefined>(NDJSON_BODY, context.getHandler());
    return from(this.decode(req, ndjson)).pipe(switchMap(() => next.handle()));
  }

  private async decode(req: FastifyRequest, ndjson: { maxLines: number } | undefined): Promise<void> {
    (req as { body: unknown }).body = ndjson ? await readNdjsonLines(req.raw, ndjson.maxLines) : await readJsonBody(req.raw);
    checkQuery(req);
  }
}

/** The query's parameter names and repetitions (HTTP-4), as the query-string parser recorded them. */
function checkQuery(req: FastifyRequest): void {
  const problems = (req.query as ParsedQuery | undefined)?.[QUERY_PROBLEMS];
  if (problems?.length) throw ApiError.validation(problems);
}
