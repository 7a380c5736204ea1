import { Injectable, PipeTransform, Type } from '@nestjs/common';
import { ApiError, ErrorDetail, SuiteValidationPipe } from '@suite/api-kit';

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

/**
 * A JSON object body validated against a class-validator DTO by the shared pipe (whitelist, every
 * problem). `crossChecks` adds rules between fields that need no stored data; their details are
 * reported together with the DTO's own, so one `400` lists every problem (ERR-6).
 */
export class DtoBodyPipe<T extends object> implements PipeTransform {
  private readonly inner = new SuiteValidationPipe();
  constructor(
    private readonly dto: Type<T>,
    private readonly crossChecks: (body: Record<string, unknown>) => ErrorDetail[] = () => [],
  ) {}

  async transform(value: unknown): Promise<T> {
    const body = requireJsonObject(value);
    const cross = this.crossChecks(body);
    let dto: T;
    try {
      dto = (await this.inner.transform(body, { type: 'body', metatype: this.dto })) as T;
    } catch (e) {
      if (cross.length && e instanceof ApiError && e.errorCode === 'validation_failed') throw ApiError.validation([...e.details, ...cross]);
      throw e;
    }
    if (cross.length) throw ApiError.validation(cross);
    return dto;
  }
}
