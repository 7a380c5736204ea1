import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsOptional, ValidateNested } from 'class-validator';

export interface NestedObjectOptions {
  /** Absent is refused (`@IsDefined`) instead of skipped (`@IsOptional`); documented as required. */
  required?: boolean;
  /** The message when the value is not an object (and, when required, absent); class-validator's by default. */
  message?: string;
  /** More of its OpenAPI description (description, nullable, example, ...). */
  doc?: ApiPropertyOptions;
}

/**
 * A property holding one nested DTO: it must be an object, and that object is validated with the
 * rules of `type` (problems at `<property>.<field>`). Optional unless `required`; documented as
 * the nested DTO's schema.
 */
export function NestedObject(type: () => new () => object, options: NestedObjectOptions = {}): PropertyDecorator {
  const message = options.message === undefined ? undefined : { message: options.message };
  // A thunk declared as `type: () => …`: @nestjs/swagger knows a lazy type by that function name.
  const doc = { type: () => type(), ...options.doc } as ApiPropertyOptions;
  return applyDecorators(
    options.required ? ApiProperty(doc) : ApiPropertyOptional(doc),
    options.required ? IsDefined(message) : IsOptional(),
    IsObject(message),
    ValidateNested(),
    Type(type),
  );
}
