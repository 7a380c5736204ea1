/** A typed scalar as it reaches MongoDB. */
export type QScalar = string | number | boolean | Date | null;

export type ComparisonOperator = '$gt' | '$gte' | '$lt' | '$lte';

/**
 * A single-field condition after typing, as handed to a `FieldSpec.compile` hook (for derived
 * fields such as the coupon `status`). `bounds` holds one or two comparisons (at most one lower,
 * one upper bound); `in` comes from a list.
 */
export type FieldCondition =
  | { kind: 'null' }
  | { kind: 'exists' }
  | { kind: 'missing' }
  | { kind: 'eq'; value: QScalar }
  | { kind: 'in'; values: QScalar[] }
  | { kind: 'compare'; bounds: Partial<Record<ComparisonOperator, QScalar>> }
  | { kind: 'regex'; pattern: string; caseInsensitive: boolean };
