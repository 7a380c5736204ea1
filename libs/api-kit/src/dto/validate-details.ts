import { ValidateBy, ValidationOptions } from 'class-validator';
import type { ErrorDetail } from '../errors';
import type { RuleContext } from '../http/validation.pipe';

/**
 * A class-validator rule that reports its own details (ERR-6): `check(value, field)` returns every
 * problem of the value at `field`, `[]` when it is valid. Made for free-form maps and lists (mixin
 * names, list items), whose problems belong below the property (`mixins.<name>`, `list[2]`) where
 * class-validator itself can only name the property. Absent and `null` values are checked like any
 * other value; combine with `@IsOptional()` to skip them.
 */
export function ValidateDetails(
  name: string,
  check: (value: unknown, field: string) => ErrorDetail[],
  options?: ValidationOptions,
): PropertyDecorator {
  const context: RuleContext = { ...(options?.context as RuleContext | undefined), details: check };
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => check(value, args?.property ?? '').length === 0,
        defaultMessage: (args) => `${args?.property ?? 'the value'} is invalid`,
      },
    },
    { ...options, context },
  );
}
