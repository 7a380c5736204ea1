import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, ValidationArguments } from 'class-validator';

/**
 * A boolean query parameter (HTTP-4): `true` or `false` in any letter case; any other text is
 * `400 validation_failed` (`invalid_type`, "<name> must be true or false"). Absent stays undefined.
 */
export function IsBooleanQuery(): PropertyDecorator {
  const toBoolean = Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const lower = value.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : value;
  });
  const optional = IsOptional();
  const boolean = IsBoolean({ message: (args: ValidationArguments) => `${args.property} must be true or false` });
  return (target: object, property: string | symbol) => {
    toBoolean(target, property);
    optional(target, property);
    boolean(target, property);
  };
}
