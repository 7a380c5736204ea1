import { IsString, Matches, ValidateBy, ValidationArguments } from 'class-validator';
import { CUSTOM_ID_PATTERN } from '../domain/ids';

export interface CustomIdOptions {
  /** Literal path segments beside the id parameter (ID-3), or a function of the whole object. */
  reserved?: readonly string[] | ((object: object) => readonly string[]);
  pattern?: RegExp;
}

/**
 * ID-3 for an id a client chooses in a create or upsert (a body property or a path parameter),
 * with the types and messages of `assertCustomId`: not a string `invalid_type`, malformed
 * `invalid_format`, reserved `invalid_value`. Combine with `@IsOptional()` or `@IsDefined()`.
 */
export function IsCustomId(options: CustomIdOptions = {}): PropertyDecorator {
  const pattern = options.pattern ?? CUSTOM_ID_PATTERN;
  const reservedOf = (object: object): readonly string[] =>
    typeof options.reserved === 'function' ? options.reserved(object) : (options.reserved ?? []);
  const decorators = [
    IsString({ message: (args: ValidationArguments) => `${args.property} must be a string` }),
    Matches(pattern, { message: (args: ValidationArguments) => `${args.property} must match ${pattern.source}` }),
    ValidateBy(
      {
        name: 'isNotReservedId',
        validator: {
          validate: (value: unknown, args?: ValidationArguments) =>
            typeof value !== 'string' || !reservedOf(args?.object ?? {}).includes(value),
          defaultMessage: (args?: ValidationArguments) => `${args?.property} '${String(args?.value)}' is reserved`,
        },
      },
      { context: { type: 'invalid_value' } },
    ),
  ];
  return (target: object, property: string | symbol) => {
    for (const decorate of decorators) decorate(target, property);
  };
}
