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
  return { value, details: withoutEchoes(flattenValidationErrors(errors)) };
}

/**
 * ERR-6 asks for one detail per (field, violated rule). A property of the wrong type (`validity: "x"`,
 * `items: {}`) also fails `@ValidateNested`, and class-validator then reports the same problem again
 * ("nested property … must be either object or array") or checks the members of what it turned into
 * an object. Those echoes are dropped; the type error of the property itself stays.
 */
function withoutEchoes(details: ErrorDetail[]): ErrorDetail[] {
  const wrongType = details.filter((d) => d.type === 'invalid_type' && d.field !== undefined && !d.message.includes('nested property'));
  if (wrongType.length === 0) return details;
  const fields = new Set(wrongType.map((d) => d.field as string));
  return details.filter((d) => {
    if (d.field === undefined || wrongType.includes(d)) return true;
    if (fields.has(d.field)) return !d.message.includes('nested property');
    return ![...fields].some((f) => d.field!.startsWith(`${f}.`) || d.field!.startsWith(`${f}[`));
  });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
