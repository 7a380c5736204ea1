import { parseIsoDate } from '../query/scalar-values';
import { ValidationOptions, registerDecorator } from 'class-validator';

/**
 * HTTP-10 input check: a date-time with an explicit offset (`Z` or `±hh:mm`) whose every part exists
 * on the calendar and the clock. `Date.parse` alone rolls `2025-02-30` over to March 2 and `T24:00`
 * to the next day, and a validity window or an event time must never move silently; the q
 * language's parser already range-checks every field, so both read dates the same way.
 */
export function isDateTimeWithOffset(value: unknown): value is string {
  if (typeof value !== 'string' || value.length <= 10) return false;
  const instant = parseIsoDate(value);
  if (instant === undefined) return false;
  // Written back as YYYY-MM-DDTHH:mm:ss.SSSZ, so the UTC instant must stay within years 0000-9999
  // (`9999-12-31T23:59:59-14:00` is in year 10000 in UTC).
  const year = instant.getUTCFullYear();
  return year >= 0 && year <= 9999;
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
      options: {
        message: `${String(propertyName)} must be an ISO 8601 date-time with offset`,
        context: { type: 'invalid_format' },
        ...options,
      },
      validator: { validate: (value: unknown) => isDateTimeWithOffset(value) },
    });
  };
}
