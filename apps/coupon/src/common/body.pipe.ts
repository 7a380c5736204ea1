import { Injectable, PipeTransform, Type } from '@nestjs/common';
import { ApiError, SuiteValidationPipe } from '@suite/api-kit';

/**
 * Coupon §1.4 body rules the shared pipe renders differently: a missing or empty body is
 * `missing_payload`, a body that is JSON but not an object is `malformed_payload` (the shared
 * pipe reports `invalid_type`, which the coupon profile would render as `invalid_value`).
 * Handler parameters using it are typed `unknown` so the global pipe passes them through.
 */
export function requireJsonObject(value: unknown): Record<string, unknown> {
  if (value === undefined) throw ApiError.validation([{ type: 'missing_payload', message: 'A request body is required.' }]);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.validation([{ type: 'malformed_payload', message: 'The request body must be a JSON object.' }]);
  }
  return value as Record<string, unknown>;
}

/** A body that must be a JSON object; its content is validated by the service (coupon writes). */
@Injectable()
export class JsonObjectBodyPipe implements PipeTransform {
  transform(value: unknown): Record<string, unknown> {
    return requireJsonObject(value);
  }
}

/** A JSON object body validated against a class-validator DTO by the shared pipe (whitelist, every problem). */
export class DtoBodyPipe<T extends object> implements PipeTransform {
  private readonly inner = new SuiteValidationPipe();
  constructor(private readonly dto: Type<T>) {}

  async transform(value: unknown): Promise<T> {
    requireJsonObject(value);
    return (await this.inner.transform(value, { type: 'body', metatype: this.dto })) as T;
  }
}
