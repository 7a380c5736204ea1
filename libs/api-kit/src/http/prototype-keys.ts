import { ClassConstructor, ClassTransformOptions, plainToInstance } from 'class-transformer';
import type { ErrorDetail } from '../errors';

/**
 * `plainToInstance` for request data whose free-form parts (mixins, schema links, localized maps)
 * may use keys named like `Object.prototype` members: a mixin may be called `constructor`
 * (META-8), and class-transformer crashes on such keys (a `500`). They are escaped around the
 * transformation and restored afterwards as own data properties. `__proto__` cannot be kept as a
 * property by a plain copy (it would set a prototype), so it is reported as `invalid_key` instead
 * (the body reader already refuses it, ERR-8; this covers data from elsewhere, such as one element
 * of a bulk body).
 */
export function toInstanceKeepingKeys<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  options?: ClassTransformOptions,
): { value: T; keyProblems: ErrorDetail[] } {
  const keyProblems: ErrorDetail[] = [];
  const escaped = escapeKeys(plain, '', keyProblems);
  const value = plainToInstance(cls, escaped, options) as T;
  return { value: restoreKeys(value) as T, keyProblems };
}

const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype).filter((k) => k !== '__proto__'));
// ERR-8 refuses NUL in body keys before this runs, so no real key starts with it.
const ESCAPE = '\0';

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Recursive: request bodies are at most 32 levels deep by then (MAX_BODY_DEPTH).
function escapeKeys(v: unknown, path: string, problems: ErrorDetail[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => escapeKeys(x, `${path}[${i}]`, problems));
  if (!isPlainRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const field = path ? `${path}.${key}` : key;
    if (key === '__proto__') {
      problems.push({ field, type: 'invalid_key', message: '__proto__ is not allowed as a key' });
      continue;
    }
    out[PROTOTYPE_KEYS.has(key) ? ESCAPE + key : key] = escapeKeys(v[key], field, problems);
  }
  return out;
}

/** Undoes {@link escapeKeys}: plain objects are rebuilt in key order, DTO instances fixed in place. */
function restoreKeys(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = restoreKeys(v[i]);
    return v;
  }
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  const record = v as Record<string, unknown>;
  if (Object.getPrototypeOf(v) !== Object.prototype) {
    for (const key of Object.keys(record)) record[key] = restoreKeys(record[key]);
    return v;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    // defineProperty: an own data property whatever the name, never a write through a prototype setter.
    Object.defineProperty(out, key.startsWith(ESCAPE) ? key.slice(1) : key, {
      value: restoreKeys(record[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
