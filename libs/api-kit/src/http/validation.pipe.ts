import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidationError, validate } from 'class-validator';
import { ApiError, ErrorDetail } from '../errors';
import { toInstanceKeepingKeys } from './prototype-keys';
import { BODY_NOT_OBJECT_MESSAGE, BODY_REQUIRED_MESSAGE } from './request-body';

// The DTO instances the request validation step made, by the request part they came from and
// their class (see recordValidated).
const VALIDATED = new WeakMap<object, Map<object, object>>();

/**
 * Records that `raw` (a request's `params`, `query` or `body` object) was validated as `dto` into
 * `instance` (by RequestValidationInterceptor), so that the pipe hands `instance` to the handler
 * instead of validating the part a second time.
 */
export function recordValidated(raw: object, dto: object, instance: object): void {
  let byClass = VALIDATED.get(raw);
  if (!byClass) VALIDATED.set(raw, (byClass = new Map()));
  byClass.set(dto, instance);
}

/** A copy of a path or query part without a `__proto__` parameter, which is just an unknown one there (HTTP-4). */
export function withoutProtoKey(part: object): object {
  if (!Object.prototype.hasOwnProperty.call(part, '__proto__')) return part;
  return Object.fromEntries(Object.entries(part).filter(([key]) => key !== '__proto__'));
}

/**
 * The one validation pipe (STYLE "a request's way through"): class-validator with whitelist, so
 * unknown body properties are dropped silently (ERR-7), transform on, and every violation reported
 * (ERR-6) with dotted/indexed field paths and the detail types of ERR-5. Path parameters and query
 * parameters go through it too; the key rule of ERR-8 (`__proto__`) applies to bodies only, and an
 * unknown query parameter of any name is ignored (HTTP-4).
 *
 * In an HTTP request the global RequestValidationInterceptor has already validated every DTO
 * parameter together (ERR-6); the pipe then returns its instances as they are. Other input (no
 * interceptor, unit uses) it validates itself.
 *
 * A decorator may pin its detail type with `context: { type: 'invalid_format' }`; otherwise the
 * type follows from the constraint name (see CONSTRAINT_TYPES).
 */
@Injectable()
export class SuiteValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (!metatype || PRIMITIVES.has(metatype as unknown as FunctionConstructor)) return value;
    const validated = value !== null && typeof value === 'object' ? VALIDATED.get(value)?.get(metatype) : undefined;
    if (validated) return validated;
    if (metadata.type === 'body') {
      if (value === undefined) {
        throw ApiError.validation([{ type: 'missing_payload', message: BODY_REQUIRED_MESSAGE }]);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw ApiError.validation([{ type: 'invalid_type', message: BODY_NOT_OBJECT_MESSAGE }]);
      }
    }
    if (metadata.type === 'custom') return value;
    // ERR-8 is about bodies: a `__proto__` path or query parameter is just an unknown one (HTTP-4).
    const plain = metadata.type === 'body' || value === null || typeof value !== 'object' ? value : withoutProtoKey(value);
    const dto = metatype as new () => object;
    const { value: instance, keyProblems } = toInstanceKeepingKeys(dto, plain ?? {}, { exposeDefaultValues: true });
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: false,
      forbidUnknownValues: false,
      validationError: VALIDATION_ERROR_OPTIONS,
    });
    if (errors.length || keyProblems.length) throw ApiError.validation([...flattenValidationErrors(errors), ...keyProblems]);
    return instance;
  }
}

/** Errors keep the failed value (never the target) for rules that report their own details ({@link RuleContext}). */
export const VALIDATION_ERROR_OPTIONS = { target: false, value: true } as const;

/**
 * The `context` of a class-validator decorator as {@link flattenValidationErrors} reads it: `type`
 * pins the detail type (ERR-5); `details` replaces the rule's one detail by the details it returns
 * for the failed value, at the field or below it (`mixins.<name>`, `list[2]`), for rules over
 * free-form maps and lists, which class-validator can only report on the property itself.
 */
export interface RuleContext {
  type?: string;
  details?: (value: unknown, field: string) => ErrorDetail[];
}

const PRIMITIVES = new Set<FunctionConstructor>([String, Boolean, Number, Array, Object] as unknown as FunctionConstructor[]);

const CONSTRAINT_TYPES: Record<string, string> = {
  isDefined: 'missing_value',
  isNotEmpty: 'missing_value',
  isNotEmptyObject: 'missing_value',
  isString: 'invalid_type',
  isInt: 'invalid_type',
  isNumber: 'invalid_type',
  isBoolean: 'invalid_type',
  isBooleanString: 'invalid_type',
  isNumberString: 'invalid_type',
  isObject: 'invalid_type',
  isArray: 'invalid_type',
  nestedValidation: 'invalid_type',
  isDate: 'invalid_type',
  matches: 'invalid_format',
  isISO8601: 'invalid_format',
  isDateString: 'invalid_format',
  isUrl: 'invalid_format',
  isEmail: 'invalid_format',
  isUUID: 'invalid_format',
  min: 'out_of_range',
  max: 'out_of_range',
  isPositive: 'out_of_range',
  maxLength: 'too_long',
  minLength: 'invalid_value',
  arrayMaxSize: 'too_many_items',
  arrayMinSize: 'missing_value',
  isIn: 'invalid_value',
  isEnum: 'invalid_value',
  whitelistValidation: 'invalid_key',
};

/** Turns class-validator's error tree into ERR-6 details (`a.b`, `list[2].c`). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const error of errors) {
    const isIndex = /^\d+$/.test(error.property);
    const field = prefix ? (isIndex ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`) : error.property;
    const constraints = error.constraints ?? {};
    const contexts = (error.contexts ?? {}) as Record<string, RuleContext | undefined>;
    const names = Object.keys(constraints);
    // A missing value makes every other rule on the same field noise, and so does a wrong type
    // for range and length rules.
    const typeFailures = names.filter((n) => (contexts[n]?.type ?? CONSTRAINT_TYPES[n]) === 'invalid_type');
    // A value of the wrong type (`validity: "x"`, `items: {}`) also fails @ValidateNested, which
    // repeats the problem ("nested property ... must be either object or array") or checks the
    // members of what it was turned into: one detail per field and rule (ERR-6), so those go.
    const ownTypeFailures = typeFailures.filter((n) => n !== 'nestedValidation');
    const reported = names.includes('isDefined')
      ? ['isDefined']
      : ownTypeFailures.length
        ? ownTypeFailures
        : typeFailures.length
          ? typeFailures
          : names;
    for (const name of reported) {
      const details = contexts[name]?.details;
      if (details) out.push(...details(error.value, field));
      else out.push({ field, type: contexts[name]?.type ?? CONSTRAINT_TYPES[name] ?? 'invalid_value', message: constraints[name] });
    }
    if (error.children?.length && !names.includes('isDefined') && ownTypeFailures.length === 0)
      out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}
