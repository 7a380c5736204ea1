import { ErrorDetail, flattenValidationErrors } from '@suite/api-kit';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Validates one body (or one bulk element) against a class-validator DTO with the pipe's rules:
 * unknown properties are dropped (ERR-7), every violation is reported (ERR-6). Shared by single
 * and bulk operations, so an element of a bulk request is judged exactly like a single body.
 */
export function validateDto<T extends object>(cls: ClassConstructor<T>, plain: object): { value: T; details: ErrorDetail[] } {
  const value = plainToInstance(cls, plain, { exposeDefaultValues: true });
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: false, validationError: { target: false, value: false } });
  return { value, details: flattenValidationErrors(errors) };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
