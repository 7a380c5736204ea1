/** A MongoDB filter document as produced by `compileQ` (plain data, no class instances but `Date`). */
export type MongoFilter = { [key: string]: unknown };

/** The only operator keys the compiler may emit. */
export const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  '$and',
  '$or',
  '$in',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$exists',
  '$ne',
  '$regex',
  '$options',
]);

const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/**
 * Builds an object with one own property. Computed keys in a literal define an own property even
 * for `__proto__`, unlike assignment, so no key can ever touch a prototype.
 */
export function entry(key: string, value: unknown): MongoFilter {
  return { [key]: value };
}

/**
 * Walks a filter and throws a plain `Error` when it holds anything `compileQ` must never emit
 * an operator outside `ALLOWED_OPERATORS`, a field key outside the path syntax, a
 * `RegExp`, function, symbol, bigint, non-finite number or non-plain object, `$regex` that is not
 * a string, `$options` other than `"i"`, or a nesting depth above 64. Used by tests and as a
 * guard on custom field compilers.
 */
export function assertNoForbiddenOperators(filter: unknown): void {
  walk(filter, '$', 0);
}

function walk(value: unknown, where: string, depth: number): void {
  if (depth > 64) throw new Error(`filter nests too deeply at ${where}`);
  if (value === null) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`non-finite number at ${where}`);
      return;
    case 'object':
      break;
    default:
      throw new Error(`forbidden ${typeof value} value at ${where}`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error(`invalid Date at ${where}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${where}[${i}]`, depth + 1));
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Error(`non-plain object at ${where}`);
  if (Object.getOwnPropertySymbols(value).length) throw new Error(`symbol key at ${where}`);
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (key.startsWith('$')) {
      if (!ALLOWED_OPERATORS.has(key)) throw new Error(`forbidden operator ${key} at ${where}`);
      if (key === '$regex' && typeof v !== 'string') throw new Error(`$regex must be a string at ${where}`);
      if (key === '$options' && v !== 'i') throw new Error(`$options must be "i" at ${where}`);
      if ((key === '$and' || key === '$or') && (!Array.isArray(v) || v.length === 0)) {
        throw new Error(`${key} must be a non-empty array at ${where}`);
      }
      if (key === '$in' && !Array.isArray(v)) throw new Error(`$in must be an array at ${where}`);
      if (key === '$exists' && typeof v !== 'boolean') throw new Error(`$exists must be a boolean at ${where}`);
    } else if (!FIELD_KEY.test(key)) {
      throw new Error(`forbidden field key ${JSON.stringify(key)} at ${where}`);
    }
    walk(v, `${where}.${key}`, depth + 1);
  }
}
