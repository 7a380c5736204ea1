import { ValidationOptions, registerDecorator } from 'class-validator';

/** HTTP-10: date-time input must carry an explicit offset (`Z` or `±hh:mm`). */
const DATE_TIME_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * HTTP-10 input check. Every part must exist on the calendar and the clock: `Date.parse` alone
 * rolls `2025-02-30` over to March 2 and `T24:00` to the next day, and a validity window or an
 * event time must never move silently.
 */
export function isDateTimeWithOffset(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_TIME_WITH_OFFSET.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = m.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
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
