import { ApiError, ErrorDetail, flattenValidationErrors, toInstanceKeepingKeys } from '@suite/api-kit';
import { ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Validates one body (or one bulk element) against a class-validator DTO with the pipe's rules:
 * unknown properties are dropped (ERR-7), every violation is reported (ERR-6). Shared by single
 * and bulk operations, so an element of a bulk request is judged exactly like a single body.
 * Keys named like `Object.prototype` members (a mixin called `constructor`) survive the
 * transformation; `__proto__` is `invalid_key` (see toInstanceKeepingKeys).
 */
export function validateDto<T extends object>(cls: ClassConstructor<T>, plain: object): { value: T; details: ErrorDetail[] } {
  const { value, keyProblems } = toInstanceKeepingKeys(cls, plain, { exposeDefaultValues: true });
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: false, validationError: { target: false, value: false } });
  return { value, details: [...flattenValidationErrors(errors), ...keyProblems] };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Runs independent checks of one ERR-10 step and reports all their `validation_failed` details at once (ERR-6). */
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
