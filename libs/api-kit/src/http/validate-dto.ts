import type { ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiError, ErrorDetail } from '../errors';
import { toInstanceKeepingKeys } from './prototype-keys';
import { flattenValidationErrors, VALIDATION_ERROR_OPTIONS } from './validation.pipe';

/**
 * The one "validate the whole document" step (STYLE: rules that need the whole document live in
 * one place): validates a value against a class-validator DTO with exactly the rules of the
 * global pipe (unknown properties dropped, ERR-7; every violation reported, ERR-6). Used for what
 * the pipe cannot see at the edge: the result of a merge patch or a JSON Patch, and each element of
 * a bulk body, so an element is judged exactly like a single body. Keys named like
 * `Object.prototype` members survive; `__proto__` is `invalid_key`.
 */
export function validateDto<T extends object>(cls: ClassConstructor<T>, plain: object): { value: T; details: ErrorDetail[] } {
  const { value, keyProblems } = toInstanceKeepingKeys(cls, plain, { exposeDefaultValues: true });
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: false,
    validationError: VALIDATION_ERROR_OPTIONS,
  });
  return { value, details: [...flattenValidationErrors(errors), ...keyProblems] };
}

/** {@link validateDto}, throwing one `400 validation_failed` with every problem. */
export function validateDtoOrThrow<T extends object>(cls: ClassConstructor<T>, plain: object): T {
  const { value, details } = validateDto(cls, plain);
  if (details.length) throw ApiError.validation(details);
  return value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Runs independent checks of one ERR-10 step and reports all their `validation_failed` details
 * at once (ERR-6); another error is rethrown after the checks ran.
 */
export function validateAll<T extends unknown[]>(...checks: { [K in keyof T]: () => T[K] }): T {
  const details: ErrorDetail[] = [];
  let other: ApiError | undefined;
  const results = checks.map((check) => {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.errorCode === 'validation_failed') details.push(...e.details);
      else other ??= e;
      return undefined;
    }
  });
  if (details.length) throw ApiError.validation(details);
  if (other) throw other;
  return results as T;
}
