import { isPlainObject } from '../http/validate-dto';
import { ApiError, ErrorDetail } from '../errors';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * META-7: RFC 7386 JSON Merge Patch. Present properties replace, nested objects merge recursively,
 * `null` removes, arrays replace wholesale. Returns a new value; the target is not modified.
 */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  if (!isPlainObject(patch)) return structuredClone(patch) as T;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value)) out[key] = applyMergePatch(out[key], value);
    else out[key] = structuredClone(value);
  }
  return out as T;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** Paths the client may never write through JSON Patch (META-6). */
const READ_ONLY_PATHS = ['/id', '/metadata/version', '/metadata/createdAt', '/metadata/modifiedAt'];
const VERSION_PATH = '/metadata/version';

/**
 * META-6: validates an RFC 6902 body. Accepted operations: add, remove, replace, and `test` on
 * `/metadata/version` only. Every problem is reported (ERR-6), with fields like `[2].path`.
 */
export function validateJsonPatch(body: unknown): JsonPatchOperation[] {
  if (!Array.isArray(body))
    throw ApiError.validation([{ type: 'invalid_type', message: 'a JSON Patch body must be an array of operations' }]);
  if (body.length === 0) throw ApiError.validation([{ type: 'missing_value', message: 'the patch contains no operation' }]);
  const details: ErrorDetail[] = [];
  body.forEach((raw, i) => {
    if (!isPlainObject(raw)) {
      details.push({ field: `[${i}]`, type: 'invalid_type', message: 'an operation must be an object' });
      return;
    }
    const { op, path } = raw;
    if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) {
      details.push({ field: `[${i}].path`, type: 'invalid_format', message: 'path must be a JSON Pointer' });
    }
    if (op !== 'add' && op !== 'remove' && op !== 'replace' && op !== 'test') {
      details.push({ field: `[${i}].op`, type: 'invalid_value', message: 'op must be add, remove, replace or test' });
      return;
    }
    if (typeof path !== 'string') return;
    if (op === 'test') {
      if (path !== VERSION_PATH)
        details.push({ field: `[${i}].path`, type: 'invalid_value', message: `test is supported only on ${VERSION_PATH}` });
      else if (typeof raw.value !== 'number' || !Number.isInteger(raw.value))
        details.push({ field: `[${i}].value`, type: 'invalid_type', message: 'the tested version must be an integer' });
      return;
    }
    if (path === '' || READ_ONLY_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) {
      details.push({ field: `[${i}].path`, type: 'read_only', message: `${path || '/'} cannot be changed` });
    }
    if ((op === 'add' || op === 'replace') && !('value' in raw)) {
      details.push({ field: `[${i}].value`, type: 'missing_value', message: 'value is required' });
    }
  });
  if (details.length) throw ApiError.validation(details);
  return body as JsonPatchOperation[];
}

function decodePointer(path: string): string[] {
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Applies validated operations to a copy of `doc`. Returns the patched copy and the version a
 * `test` operation demanded (the caller turns it into the guarded write's precondition, META-5).
 * A path that does not resolve is a 400 naming the operation.
 */
export function applyJsonPatch<T extends object>(doc: T, ops: JsonPatchOperation[]): { doc: T; expectedVersion?: number } {
  const root = structuredClone(doc) as unknown as Record<string, Json>;
  let expectedVersion: number | undefined;
  ops.forEach((op, i) => {
    if (op.op === 'test') {
      expectedVersion = op.value as number;
      return;
    }
    const tokens = decodePointer(op.path);
    const last = tokens.pop()!;
    let parent: unknown = root;
    for (const t of tokens) {
      if (Array.isArray(parent)) parent = parent[Number(t)];
      else if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, t)) parent = parent[t];
      else if (isPlainObject(parent) && op.op === 'add') {
        // Convenience beyond RFC 6902: `add` creates missing intermediate objects (e.g. /mixins/x/y).
        parent[t] = {};
        parent = parent[t];
      } else throw unresolved(i, op.path);
    }
    if (last === '__proto__' || last === 'constructor' || last === 'prototype') throw unresolved(i, op.path);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!/^(\d+|-)$/.test(last) || index > parent.length || (op.op !== 'add' && index >= parent.length)) throw unresolved(i, op.path);
      if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value) as Json);
      else if (op.op === 'remove') parent.splice(index, 1);
      else parent[index] = structuredClone(op.value) as Json;
    } else if (isPlainObject(parent)) {
      const exists = Object.prototype.hasOwnProperty.call(parent, last);
      if (op.op !== 'add' && !exists) throw unresolved(i, op.path);
      if (op.op === 'remove') delete parent[last];
      else parent[last] = structuredClone(op.value) as Json;
    } else throw unresolved(i, op.path);
  });
  return { doc: root as unknown as T, expectedVersion };
}

function unresolved(i: number, path: string): ApiError {
  return ApiError.validation([{ field: `[${i}].path`, type: 'invalid_value', message: `${path} does not exist in the resource` }]);
}
