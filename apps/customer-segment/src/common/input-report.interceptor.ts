import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA, RouteParamtypes } from '@nestjs/common/internal';
import { Reflector } from '@nestjs/core';
import { ApiError, BODY_NOT_OBJECT_MESSAGE, BODY_REQUIRED_MESSAGE, ErrorDetail, isPlainObject, validateDto } from '@suite/api-kit';
import { RequestContext, requestContextOf } from '@suite/auth';
import { Observable, catchError, throwError } from 'rxjs';
import { SEGMENT_SETTINGS, SegmentSettings } from './settings';

/**
 * A route's input as an input check sees it: every DTO parameter transformed like the pipe does
 * (and possibly invalid, since a check also runs when the pipe refused the input), other
 * parameters as sent.
 */
export interface RouteInput {
  readonly ctx: RequestContext;
  /** The tenant's languages, first the default (LOC-2). */
  readonly languages: readonly string[];
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
}

/** A step-6 rule the pipe cannot run; it throws `400 validation_failed` like the service does. */
export type InputCheck = (input: RouteInput) => unknown;

const INPUT_CHECKS = 'customer-segment:input-checks';
const OPTIONAL_BODY = 'customer-segment:optional-body';

/**
 * Names the route's rules that live in its service (the tenant's languages in headers and
 * localized values, `sort`/`fields`/`q`, bulk arrays, a body id against the path id), so that
 * {@link InputReportInterceptor} reports their problems together with the pipe's (ERR-6).
 */
export function InputChecks(...checks: InputCheck[]): MethodDecorator {
  return SetMetadata(INPUT_CHECKS, checks);
}

/** The body is optional: none is `{}` (assignment upserts, segment §3.15; searches, PAG-9). */
export function OptionalBody(): MethodDecorator {
  return SetMetadata(OPTIONAL_BODY, true);
}

type InputRequest = Parameters<typeof requestContextOf>[0] & { body?: unknown; query?: unknown; params?: unknown };

// Nest's own parameter kinds, as its route-argument metadata records them.
const SOURCES: Partial<Record<number, 'body' | 'query' | 'params'>> = {
  [RouteParamtypes.BODY]: 'body',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.PARAM]: 'params',
};
const NOT_DTOS = new Set<unknown>([String, Boolean, Number, Array, Object, undefined]);

/**
 * ERR-6 with ERR-10 step 6: path, query, headers and body are judged in one step, and one
 * `400 validation_failed` lists every problem of it. Nest runs the validation pipe once per
 * parameter and answers the first refusal, and the rules that need the tenant (its languages) or
 * a free-form shape (bulk arrays) run in the services. So when the input of a route is refused,
 * this interceptor judges all of it: every DTO parameter with the pipe's rules (`validateDto`)
 * and the route's {@link InputChecks}, and answers their problems together. A refusal from a
 * later step (ERR-10 step 8, the handler) gains nothing: the input passed all of them then.
 *
 * Applied per controller, so it runs inside the shared request decoding (ERR-10 step 5), whose
 * own `400`s it never extends, and before the pipes (for {@link OptionalBody} and the query
 * parameter `__proto__`).
 */
@Injectable()
export class InputReportInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<InputRequest>();
    if (req.body === undefined && this.reflector.get<boolean>(OPTIONAL_BODY, context.getHandler())) req.body = {};
    // HTTP-4: parameters an operation does not know are ignored, whatever their name; the pipe's
    // `__proto__` key rule (ERR-8) is about bodies and must not turn one into a 400.
    if (isPlainObject(req.query) && Object.prototype.hasOwnProperty.call(req.query, '__proto__')) delete req.query['__proto__'];
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.complete(error, context, req))));
  }

  private complete(error: unknown, context: ExecutionContext, req: InputRequest): unknown {
    if (!(error instanceof ApiError) || error.errorCode !== 'validation_failed') return error;
    const { input, details } = this.revalidate(context, req);
    for (const check of this.reflector.get<InputCheck[] | undefined>(INPUT_CHECKS, context.getHandler()) ?? []) {
      try {
        check(input);
      } catch (e) {
        // Only the problems of this step; a check's other errors (`invalid_query`) come later.
        if (!(e instanceof ApiError)) throw e;
        if (e.errorCode === 'validation_failed') details.push(...e.details);
      }
    }
    const seen = new Set(error.details.map(key));
    const added = details.filter((d) => !seen.has(key(d)) && seen.add(key(d)));
    return added.length ? ApiError.validation([...error.details, ...added]) : error;
  }

  /** Every DTO parameter of the handler, judged like the pipe judges it. */
  private revalidate(context: ExecutionContext, req: InputRequest): { input: RouteInput; details: ErrorDetail[] } {
    const controller = context.getClass();
    const method = context.getHandler().name;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
    const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as unknown[];
    const values: Record<'body' | 'query' | 'params', unknown> = { body: req.body, query: req.query, params: req.params };
    const details: ErrorDetail[] = [];
    for (const [key, arg] of Object.entries(args)) {
      const source = SOURCES[Number(key.split(':')[0])];
      const dto = types[arg.index];
      if (source === undefined || arg.data !== undefined || NOT_DTOS.has(dto)) continue;
      const value = values[source];
      if (source === 'body' && value === undefined) details.push({ type: 'missing_payload', message: BODY_REQUIRED_MESSAGE });
      else if (source === 'body' && !isPlainObject(value)) details.push({ type: 'invalid_type', message: BODY_NOT_OBJECT_MESSAGE });
      else {
        const result = validateDto(dto as new () => object, (value ?? {}) as object);
        values[source] = result.value;
        details.push(...result.details);
      }
    }
    const ctx = requestContextOf(req);
    return { input: { ctx, languages: this.settings.languages.languagesOf(ctx.tenant), ...values }, details };
  }
}

function key(d: ErrorDetail): string {
  return `${d.field ?? ''}\u0000${d.type}\u0000${d.message}`;
}
