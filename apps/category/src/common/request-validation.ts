import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { ApiError, ErrorDetail, isPlainObject, TenantLanguages, validateDto } from '@suite/api-kit';
import { RequestContext, requestContextOf } from '@suite/auth';
import type { Observable } from 'rxjs';

/** What a request rule sees: the request context, the tenant's languages and the raw request parts. */
export interface RuleInput {
  ctx: RequestContext;
  /** The tenant's languages, default first (LOC-2). */
  languages: readonly string[];
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, unknown>>;
  /** The body as decoded (after `normalizeBody`); not validated yet, so rules check types themselves. */
  body: unknown;
}

/**
 * A check of step 5 that no single DTO can make: it needs the tenant's languages (Accept-Language,
 * Content-Language, localized map keys, sort paths) or two parts of the request at once (`publish`
 * against the body's `published`). Returns its problems, or throws a `validation_failed` whose
 * wording is kept when it is the only problem of the request.
 */
export type RequestRule = (input: RuleInput) => ErrorDetail[];

export interface RequestValidationOptions {
  rules?: RequestRule[];
  /** The message of every 400 of this route (the contract's wording, e.g. "Constraint validation failed"). */
  message?: string;
  /** The message of a 400 that includes a body problem; others keep the default message. */
  bodyMessage?: string;
  /** Prefix of the body's field paths (Emporix names some bodies, e.g. `searchRequest.categoryIds`). */
  bodyField?: string;
  /** The detail text for a body that is not a JSON object (default: the pipe's). */
  notObjectMessage?: string;
  /**
   * For bodies the contract lets the client leave out: what to validate (and hand to the pipe)
   * instead of the body as sent, e.g. `{}` for an absent one.
   */
  normalizeBody?: (body: unknown) => unknown;
}

const OPTIONS = Symbol.for('category.requestValidation');

/** Declares the request rules and contract wording of one handler's validation step. */
export const ValidateRequest = (options: RequestValidationOptions) => SetMetadata(OPTIONS, options);

type DtoClass = new () => object;

interface DtoParameter {
  part: 'params' | 'query' | 'body';
  dto: DtoClass;
}

const PARTS: Partial<Record<number, DtoParameter['part']>> = {
  [RouteParamtypes.PARAM]: 'params',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.BODY]: 'body',
};
const NOT_DTOS = new Set<unknown>([String, Number, Boolean, Object, Array]);

/**
 * Step 5 of the check order (category §3.10, ERR-10): every 400 problem of the path, the query,
 * the headers and the body in one answer (ERR-6). The global `SuiteValidationPipe` validates each
 * DTO parameter on its own, and Nest answers the first one that fails; so this interceptor, which
 * runs after the body was read and before the pipes, validates every whole-object `@Param()`,
 * `@Query()` and `@Body()` DTO of the handler with the same rules (`validateDto`) together with the
 * route's {@link RequestRule}s, and throws one `400 validation_failed`. When it lets a request
 * through, the pipe only converts the parts into the DTO instances the controller receives.
 */
@Injectable()
export class RequestValidationInterceptor implements NestInterceptor {
  private readonly parameters = new WeakMap<object, DtoParameter[]>();

  constructor(
    private readonly reflector: Reflector,
    private readonly languages: TenantLanguages,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const options = this.reflector.get<RequestValidationOptions | undefined>(OPTIONS, context.getHandler()) ?? {};
    const req = context.switchToHttp().getRequest<{ params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown }>();
    if (options.normalizeBody) req.body = options.normalizeBody(req.body);
    // HTTP-4: unknown query parameters are ignored whatever their name; the `__proto__` key rule of
    // the DTO conversion (ERR-8) is about bodies and must not turn one into a 400.
    if (isPlainObject(req.query) && Object.prototype.hasOwnProperty.call(req.query, '__proto__')) delete req.query['__proto__'];
    this.check(context, options, req);
    return next.handle();
  }

  private check(context: ExecutionContext, options: RequestValidationOptions, req: { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown }): void {
    const details: ErrorDetail[] = [];
    let bodyProblems = false;
    for (const { part, dto } of this.dtoParameters(context)) {
      if (part !== 'body') {
        details.push(...validateDto(dto, req[part] ?? {}).details);
        continue;
      }
      const found = this.bodyProblems(dto, req.body, options);
      bodyProblems ||= found.length > 0;
      details.push(...found);
    }
    let thrown: ApiError | undefined;
    let thrownCount = 0;
    if (options.rules?.length) {
      const ctx = requestContextOf(context.switchToHttp().getRequest());
      const input: RuleInput = { ctx, languages: this.languages.languagesOf(ctx.tenant), params: req.params ?? {}, query: req.query ?? {}, body: req.body };
      for (const rule of options.rules) {
        try {
          details.push(...rule(input));
        } catch (e) {
          if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') throw e;
          details.push(...e.details);
          thrown = e;
          thrownCount++;
        }
      }
    }
    if (details.length === 0) return;
    // A rule's own 400 alone keeps its contract wording (e.g. "Accept-Language validation failed.").
    if (thrown && thrownCount === 1 && details.length === thrown.details.length) throw thrown;
    throw ApiError.validation(details, options.message ?? (bodyProblems ? options.bodyMessage : undefined));
  }

  /** The pipe's body checks, with the route's wording. */
  private bodyProblems(dto: DtoClass, body: unknown, options: RequestValidationOptions): ErrorDetail[] {
    if (body === undefined) return [{ type: 'missing_payload', message: 'a request body is required' }];
    if (!isPlainObject(body)) return [{ type: 'invalid_type', message: options.notObjectMessage ?? 'the request body must be a JSON object' }];
    const { details } = validateDto(dto, body);
    const prefix = options.bodyField;
    return prefix ? details.map((d) => ({ ...d, field: d.field ? `${prefix}.${d.field}` : prefix })) : details;
  }

  /** The handler's whole-object DTO parameters, read once from the route metadata. */
  private dtoParameters(context: ExecutionContext): DtoParameter[] {
    const handler = context.getHandler();
    let found = this.parameters.get(handler);
    if (!found) {
      const controller = context.getClass();
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, { index: number; data?: unknown }>;
      const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler.name) ?? []) as unknown[];
      found = [];
      for (const [key, { index, data }] of Object.entries(args)) {
        const part = PARTS[Number(key.split(':')[0])];
        const dto = types[index];
        if (part && data === undefined && typeof dto === 'function' && !NOT_DTOS.has(dto)) found.push({ part, dto: dto as DtoClass });
      }
      this.parameters.set(handler, found);
    }
    return found;
  }
}
