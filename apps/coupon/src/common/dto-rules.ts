import { isPlainObject } from '@suite/api-kit';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** Detail types a coupon rule reports (coupon §1.4); `invalid_type` is rendered `invalid_value`. */
export type RuleDetailType = 'missing_value' | 'invalid_value' | 'invalid_type' | 'conflicting_values';

/**
 * A class-validator rule of the coupon contract: `breaks(value, object)` is true when the value
 * breaks it; the detail then has the given type and message. `object` is the DTO the property
 * belongs to, so rules between fields read the other fields there (coupon §4.3, §3.5). Each rule
 * decides itself what an absent or `null` value means. An `invalid_type` rule hides the other
 * rules of its field and the problems inside the value, as a failed type check does (ERR-6: one
 * problem per field and rule).
 */
export function Rule(
  name: string,
  type: RuleDetailType,
  breaks: (value: unknown, object: Record<string, unknown>) => boolean,
  message: string | ((value: unknown, object: Record<string, unknown>) => string),
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => !breaks(value, (args?.object ?? {}) as Record<string, unknown>),
        defaultMessage: (args) =>
          typeof message === 'string' ? message : message(args?.value, (args?.object ?? {}) as Record<string, unknown>),
      },
    },
    { context: { type } },
  );
}

const OWNER = Symbol('coupon.dtoOwner');

/**
 * Links a nested DTO to the body it arrived in, for cross-field rules of the nested object that
 * depend on its parent (`restrictions.segments` on `segmentRestricted`, `discount.currency` on
 * `orderTotal.currency`): class-validator hands a rule only the object the property is on. The
 * link is a non-enumerable symbol, so it is neither validated, whitelisted nor serialized.
 */
export function ownedBy<T>(nested: T, owner: object): T {
  if (isPlainObject(nested)) Object.defineProperty(nested, OWNER, { value: owner, enumerable: false, configurable: true });
  return nested;
}

/** The body a nested DTO arrived in (see {@link ownedBy}); undefined when it has none. */
export function ownerOf(nested: object): Record<string, unknown> | undefined {
  return (nested as { [OWNER]?: Record<string, unknown> })[OWNER];
}

/** class-transformer step of a nested DTO property: links the nested object to its parent body. */
export function LinkOwner(): PropertyDecorator {
  return Transform(({ value, obj }: { value: unknown; obj: object }) => ownedBy(value, obj));
}

/** `null` counts as absent: a nested DTO property is then not validated as an object. */
export function NullAsAbsent(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => value ?? undefined);
}
