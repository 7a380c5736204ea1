import { ValidationOptions, registerDecorator } from 'class-validator';

/** HTTP-10: date-time input must carry an explicit offset (`Z` or `±hh:mm`). */
const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isDateTimeWithOffset(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME_WITH_OFFSET.test(value) && !Number.isNaN(Date.parse(value));
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
