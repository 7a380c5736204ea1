import { integerText } from '@suite/api-kit';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Min, ValidateBy } from 'class-validator';

// Query parameters arrive as one flat string each (HTTP-4). These decorators give them the
// category wording of §3.7 and §5.1; the `@ApiProperty` of each parameter stays beside it.

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}

/** §3.7: `true`/`false` in any letter case becomes a boolean; any other text is `invalid_value` "must be true or false". */
export function BooleanText(): PropertyDecorator {
  return compose(
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const lower = value.toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : value;
    }),
    IsOptional(),
    IsBoolean({ message: 'must be true or false', context: { type: 'invalid_value' } }),
  );
}

/** An integer parameter of at least `min`: `invalid_type` "must be an integer", `out_of_range` "must be at least <min>". */
export function IntegerText(min: number): PropertyDecorator {
  return compose(
    Transform(integerText),
    IsOptional(),
    IsInt({ message: 'must be an integer' }),
    Min(min, { message: `must be at least ${min}` }),
  );
}

/** §3.7 lists: comma-separated, trimmed, empty entries dropped, duplicates collapsed; at most `max` entries. */
export function ListText(options: { max?: number; maxMessage?: string } = {}): PropertyDecorator {
  const decorators = [
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string'
        ? [
            ...new Set(
              value
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== ''),
            ),
          ]
        : value,
    ),
    IsOptional(),
    IsArray(),
    IsString({ each: true }),
  ];
  if (options.max !== undefined) decorators.push(ArrayMaxSize(options.max, { message: options.maxMessage }));
  return compose(...decorators);
}

/** §5.1 date filters: `yyyy-MM-dd`, a day that exists; `invalid_format` "must be a date yyyy-MM-dd". */
export function DateText(): PropertyDecorator {
  return compose(
    IsOptional(),
    ValidateBy(
      {
        name: 'isCalendarDate',
        validator: {
          validate: (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && isCalendarDay(value),
          defaultMessage: () => 'must be a date yyyy-MM-dd',
        },
      },
      { context: { type: 'invalid_format' } },
    ),
  );
}

function isCalendarDay(text: string): boolean {
  const d = new Date(`${text}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** A plain text parameter (filters, `q`, `sort`): any text; only its meaning is checked later. */
export function Text(): PropertyDecorator {
  return compose(IsOptional(), IsString());
}

/** A text that must match `pattern`, with the category's `invalid_value` wording. */
export function TextMatching(pattern: RegExp, message: string): PropertyDecorator {
  return compose(IsOptional(), Matches(pattern, { message, context: { type: 'invalid_value' } }));
}
