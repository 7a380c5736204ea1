import { parseIsoDate } from '../query/scalar-values';
import { ValidationOptions, registerDecorator } from 'class-validator';

/**
 * HTTP-10 input check: a date-time with an explicit offset (`Z` or `±hh:mm`) whose every part exists
 * on the calendar and the clock. `Date.parse` alone rolls `2025-02-30` over to March 2 and `T24:00`
 * to the next day, and a validity window or an event time must never move silently; the q
 * language's parser already range-checks every field, so both read dates the same way.
 */
export function isDateTimeWithOffset(value: unknown): value is string {
  return typeof value === 'string' && value.length > 10 && parseIsoDate(value) !== undefined;
}

/** Parses a validated date-time string to a Date (offsets normalised to UTC on storage). */
export function parseDateTime(value: string): Date {
  return new Date(value);
}

/** HTTP-10: every date-time the suite writes is `YYYY-MM-DDTHH:mm:ss.SSSZ`. */
export function toIsoString(value: Date | string | number): string {
  return new Date(value).toISOString();
}

/** class-validator decorator for HTTP-10 inputs; reports detail type `invalid_format`. */
export function IsDateTimeWithOffset(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isDateTimeWithOffset',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an ISO 8601 date-time with offset`, context: { type: 'invalid_format' }, ...options },
      validator: { validate: (value: unknown) => isDateTimeWithOffset(value) },
    });
  };
}
