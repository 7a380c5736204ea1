import { ValidateBy, ValidationOptions } from 'class-validator';

// Field rules of the category bodies that class-validator has no decorator for, each with the
// category's wording and ERR-5 detail type. Combine with `@IsOptional()` (absent and `null` skip).

/**
 * A count: an integer `>= 0` that a JSON number holds exactly (`position`, `metadata.version`).
 * `1e20` is an integer to JavaScript but would be stored rounded, so it is refused too.
 */
export function IsCount(message: string, type: 'invalid_value' | 'invalid_type'): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCount',
      validator: { validate: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, defaultMessage: () => message },
    },
    { context: { type } },
  );
}

/** A string with at least one non-blank character; anything else is `invalid_value`. */
export function IsNonBlankString(message: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNonBlankString',
      validator: { validate: (v: unknown) => typeof v === 'string' && v.trim() !== '', defaultMessage: () => message },
    },
    { context: { type: 'invalid_value' }, ...options },
  );
}

/**
 * Present (not absent; `null` counts as present): `missing_value`. For fields where `null` is a
 * wrong value rather than a missing one, beside {@link MatchesIfPresent}.
 */
export function IsPresent(message: string): PropertyDecorator {
  return ValidateBy(
    { name: 'isPresent', validator: { validate: (v: unknown) => v !== undefined, defaultMessage: () => message } },
    { context: { type: 'missing_value' } },
  );
}

/** A string matching `pattern` unless absent: `invalid_format`. */
export function MatchesIfPresent(pattern: RegExp, message: string): PropertyDecorator {
  return ValidateBy(
    {
      name: 'matchesIfPresent',
      validator: { validate: (v: unknown) => v === undefined || (typeof v === 'string' && pattern.test(v)), defaultMessage: () => message },
    },
    { context: { type: 'invalid_format' } },
  );
}

/** One of `values` (strings, compared after `normalize`): `invalid_value`. */
export function IsOneOf(values: readonly string[], message: string, normalize: (s: string) => string = (s) => s): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isOneOf',
      validator: { validate: (v: unknown) => typeof v === 'string' && values.includes(normalize(v)), defaultMessage: () => message },
    },
    { context: { type: 'invalid_value' } },
  );
}
