import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Optional, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { ApiError, ErrorDetail } from '../errors';
import { TenantLanguages } from '../i18n/tenant-languages';
import { BODY_NOT_OBJECT_MESSAGE, BODY_REQUIRED_MESSAGE, bodyProblemsOf } from './request-body';
import { isPlainObject, validateDto } from './validate-dto';
import { recordValidated, withoutProtoKey } from './validation.pipe';

/**
 * What a request rule may read of the request besides its parts: the tenant of the path (which
 * the guards have matched with the token's, TEN-2) and the raw headers whose meaning depends on
 * the tenant's languages. `RequestContext` of @suite/auth has this shape too.
 */
export interface RuleRequest {
  readonly tenant: string;
  /** LOC-3, raw. */
  readonly acceptLanguage?: string;
  /** LOC-4, raw. */
  readonly contentLanguage?: string;
  readonly contentType?: string;
}

/** The three request parts a route's DTOs are made from. */
export interface RequestParts {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
}

/** What a {@link RequestRule} sees. */
export interface RuleInput {
  readonly ctx: RuleRequest;
  /** The tenant's languages, the default first (LOC-2); empty when the app provides no `TenantLanguages`. */
  readonly languages: readonly string[];
  /** Path parameters as routed. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Query parameters as decoded (one flat string each, HTTP-4). */
  readonly query: Readonly<Record<string, unknown>>;
  /** The body as decoded (after `optionalBody`/`normalizeBody`); not validated, so a rule checks types itself. */
  readonly body: unknown;
  /**
   * The same parts as the handler's DTO parameters: converted like the pipe converts them (the
   * DTO instances, possibly invalid, since rules run when a DTO refused its part too); a part the
   * handler takes no DTO of, as decoded.
   */
  readonly dto: RequestParts;
}

/**
 * A check of the input-validation step (ERR-10 step 6) that no single DTO can make: it needs the
 * tenant's languages (Accept-Language, Content-Language, localized map keys, sort paths), two
 * parts at once (a body id against the path id) or a shape DTOs cannot describe (bulk arrays).
 * Returns its problems, or throws a `validation_failed` whose wording is kept when it is the only
 * problem of the request. Other errors it throws are left to the handler, which meets them again
 * in a later step (`invalid_query`).
 */
export type RequestRule = (input: RuleInput) => readonly ErrorDetail[] | void;

/** The route's own part of the validation step: its rules and the contract's wording. */
export interface RequestValidationOptions {
  rules?: readonly RequestRule[];
  /** The message of every 400 of this step on this route (the contract's wording). */
  message?: string;
  /** The message of a 400 that includes a problem of the body DTO; others keep the default message. */
  bodyMessage?: string;
  /** Prefix of the body DTO's field paths (a contract that names the body, e.g. `searchRequest.categoryIds`). */
  bodyField?: string;
  /** The detail text for a body that is not a JSON object (default: the pipe's). */
  notObjectMessage?: string;
  /** No body is an empty object: the body may be left out (searches, PAG-9; upserts without fields). */
  optionalBody?: boolean;
  /** What to validate and hand on instead of the body as decoded (after `optionalBody`). */
  normalizeBody?: (body: unknown) => unknown;
}

const OPTIONS = Symbol.for('suite.requestValidation');

/** Declares the rules and the contract wording of one handler's input validation ({@link RequestValidationInterceptor}). */
export const ValidateRequest = (options: RequestValidationOptions): MethodDecorator => SetMetadata(OPTIONS, options);

type DtoClass = new () => object;
type Part = keyof RequestParts;

interface DtoParameter {
  part: Part;
  dto: DtoClass;
}

const PARTS: Partial<Record<number, Part>> = {
  [RouteParamtypes.PARAM]: 'params',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.BODY]: 'body',
};
const NOT_DTOS = new Set<unknown>([String, Number, Boolean, Object, Array]);

/** One entry of Nest's route-argument metadata (`<paramtype>:<index>` → this). */
interface RouteArgument {
  index: number;
  data?: unknown;
}

interface RuleOutcome {
  returned: ErrorDetail[];
  thrown: ApiError[];
  /** The `invalid_query` errors the rules threw: left to the handler, which meets them again. */
  deferred: ApiError[];
}

type ValidatedRequest = {
  /** The Node request, whose body problems the decoding step recorded (bodyProblemsOf). */
  raw?: object;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
};

/**
 * ERR-6 with ERR-10 step 6: one `400 validation_failed` lists every problem of the path, the
 * query, the headers and the body. The validation pipe runs per parameter and Nest answers the
 * first refusal, and some rules need the tenant's languages; so this interceptor (registered
 * globally by ApiKitModule right after the request decoding, so after the guards and the body
 * read, ERR-10) validates every whole-object `@Param()`, `@Query()` and `@Body()` DTO of the
 * handler with the pipe's rules (`validateDto`) and runs the route's {@link RequestRule}s
 * ({@link ValidateRequest}), then throws their problems together, deduplicated, with the
 * problems the decoding step found in the body itself (forbidden keys, ERR-8; numbers that are not
 * finite): see {@link mergeBodyProblems}. What it validated it records, and the pipe hands those
 * instances to the handler without validating them again.
 */
@Injectable()
export class RequestValidationInterceptor implements NestInterceptor {
  private readonly parameters = new WeakMap<object, DtoParameter[]>();

  constructor(
    private readonly reflector: Reflector,
    @Optional() private readonly languages?: TenantLanguages,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const options = this.reflector.get<RequestValidationOptions | undefined>(OPTIONS, context.getHandler());
    const parameters = this.dtoParameters(context);
    const req = context.switchToHttp().getRequest<ValidatedRequest>();
    // A route without DTOs or rules (a body read as it is) still refuses a body with problems.
    const bodyProblems = bodyProblemsOf(req.raw);
    if (!options && parameters.length === 0 && bodyProblems.length === 0) return next.handle();
    if (options?.optionalBody && req.body === undefined) req.body = {};
    if (options?.normalizeBody) req.body = options.normalizeBody(req.body);
    this.validate(req, parameters, options ?? {}, bodyProblems);
    return next.handle();
  }

  private validate(
    req: ValidatedRequest,
    parameters: DtoParameter[],
    options: RequestValidationOptions,
    decodedBodyProblems: readonly ErrorDetail[],
  ): void {
    const dtoDetails: ErrorDetail[] = [];
    const dto: Record<Part, unknown> = { params: req.params, query: req.query, body: req.body };
    const instances: Array<{ raw: object; dto: DtoClass; value: object }> = [];
    let bodyProblems = false;
    for (const parameter of parameters) {
      const raw = req[parameter.part];
      const found = parameter.part === 'body' ? this.bodyProblems(parameter.dto, raw, options) : this.partProblems(parameter.dto, raw);
      if (found.value) {
        dto[parameter.part] = found.value;
        if (raw !== null && typeof raw === 'object') instances.push({ raw, dto: parameter.dto, value: found.value });
      }
      if (parameter.part === 'body') bodyProblems ||= found.details.length > 0;
      dtoDetails.push(...found.details);
    }
    const ruled = this.runRules(req, options.rules ?? [], dto as RequestParts);
    const merged = mergeBodyProblems(
      withFieldPrefix(decodedBodyProblems, options.bodyField),
      [...dtoDetails, ...ruled.returned, ...ruled.thrown.flatMap((e) => e.details)],
      ruled.deferred,
    );
    const details = deduplicate(merged.details);
    if (details.length === 0) {
      if (merged.answeredBy) throw merged.answeredBy;
      // Unreachable by construction (a hidden body problem always leaves its reason); fail closed.
      if (decodedBodyProblems.length) throw ApiError.validation([...decodedBodyProblems]);
      for (const { raw, dto: cls, value } of instances) recordValidated(raw, cls, value);
      return;
    }
    // A rule's own 400, alone, keeps its contract wording (e.g. "Accept-Language validation failed.").
    if (dtoDetails.length === 0 && ruled.returned.length === 0 && ruled.thrown.length === 1 && merged.bodyProblems === 0)
      throw ruled.thrown[0];
    throw ApiError.validation(details, options.message ?? (bodyProblems || merged.bodyProblems ? options.bodyMessage : undefined));
  }

  private partProblems(dto: DtoClass, raw: unknown): { value?: object; details: ErrorDetail[] } {
    // HTTP-4: a path or query part has no forbidden keys (ERR-8 is about bodies); `__proto__` is
    // just an unknown parameter.
    return validateDto(dto, withoutProtoKey(isPlainObject(raw) ? raw : {}));
  }

  /** The pipe's body checks, with the route's wording. */
  private bodyProblems(dto: DtoClass, body: unknown, options: RequestValidationOptions): { value?: object; details: ErrorDetail[] } {
    if (body === undefined) return { details: [{ type: 'missing_payload', message: BODY_REQUIRED_MESSAGE }] };
    if (!isPlainObject(body)) return { details: [{ type: 'invalid_type', message: options.notObjectMessage ?? BODY_NOT_OBJECT_MESSAGE }] };
    const { value, details } = validateDto(dto, body);
    return { value, details: withFieldPrefix(details, options.bodyField) };
  }

  private runRules(req: ValidatedRequest, rules: readonly RequestRule[], dto: RequestParts): RuleOutcome {
    const returned: ErrorDetail[] = [];
    const thrown: ApiError[] = [];
    const deferred: ApiError[] = [];
    if (rules.length === 0) return { returned, thrown, deferred };
    const ctx = ruleRequestOf(req);
    const input: RuleInput = {
      ctx,
      languages: this.languages?.languagesOf(ctx.tenant) ?? [],
      params: req.params ?? {},
      query: req.query ?? {},
      body: req.body,
      dto,
    };
    for (const rule of rules) {
      try {
        returned.push(...(rule(input) ?? []));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.errorCode === 'validation_failed') thrown.push(e);
        else if (e.errorCode === 'invalid_query') deferred.push(e);
      }
    }
    return { returned, thrown, deferred };
  }

  /** The handler's whole-object DTO parameters, read once per handler from the route metadata. */
  private dtoParameters(context: ExecutionContext): DtoParameter[] {
    const handler = context.getHandler();
    let found = this.parameters.get(handler);
    if (!found) {
      const controller = context.getClass();
      const args: Record<string, RouteArgument> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {};
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

/** The {@link RuleRequest} of a request; a repeated header is read as its values joined by commas (RFC 9110 §5.3). */
function ruleRequestOf(req: Pick<ValidatedRequest, 'params' | 'headers'>): RuleRequest {
  const headers = req.headers ?? {};
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const tenant = req.params?.tenant;
  return {
    tenant: typeof tenant === 'string' ? tenant : '',
    acceptLanguage: header('accept-language'),
    contentLanguage: header('content-language'),
    contentType: header('content-type'),
  };
}

/** Body field paths under the route's name for the body (`searchRequest.categoryIds`); a body-level problem gets the name itself. */
function withFieldPrefix(details: readonly ErrorDetail[], prefix: string | undefined): ErrorDetail[] {
  return prefix ? details.map((d) => ({ ...d, field: d.field ? `${prefix}.${d.field}` : prefix })) : [...details];
}

/** Whether `field` lies strictly inside `parent` (`q.$ne` or `q[0]` inside `q`). */
function isInside(field: string | undefined, parent: string | undefined): boolean {
  return field !== undefined && parent !== undefined && (field.startsWith(`${parent}.`) || field.startsWith(`${parent}[`));
}

/**
 * ERR-6 for the problems the decoding step found in the body itself (`body`: forbidden keys, ERR-8,
 * and numbers that are not finite) beside the problems of the DTOs and rules (`checked`) and the
 * other 400s the rules threw (`deferred`, `invalid_query`), one detail per problem:
 * - a body problem inside a value refused as a whole for its type is left out: `{"q": {"$ne": ""}}`
 *   is a `q` that is not a string, not a key problem at `q.$ne`;
 * - a check's detail on the very field of a body problem is left out: `1e400` is "not finite",
 *   not also "must be an integer".
 * When only a deferred error hid body problems, that error is the answer (`answeredBy`).
 */
function mergeBodyProblems(
  body: readonly ErrorDetail[],
  checked: readonly ErrorDetail[],
  deferred: readonly ApiError[],
): { details: ErrorDetail[]; bodyProblems: number; answeredBy?: ApiError } {
  if (body.length === 0) return { details: [...checked], bodyProblems: 0 };
  const refusedForType = (d: ErrorDetail) => d.type === 'invalid_type';
  const typeFields = [...checked, ...deferred.flatMap((e) => e.details)].filter(refusedForType).map((d) => d.field);
  const kept = body.filter((p) => !typeFields.some((f) => isInside(p.field, f)));
  const bodyFields = new Set(kept.map((p) => p.field).filter((f) => f !== undefined));
  const details = [...checked.filter((d) => d.field === undefined || !bodyFields.has(d.field)), ...kept];
  const answeredBy =
    kept.length < body.length
      ? deferred.find((e) => e.details.some((d) => refusedForType(d) && body.some((p) => isInside(p.field, d.field))))
      : undefined;
  return { details, bodyProblems: kept.length, answeredBy };
}

/** ERR-6: one detail per field, type and message. */
function deduplicate(details: readonly ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.field ?? ''}\u0000${d.type}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
