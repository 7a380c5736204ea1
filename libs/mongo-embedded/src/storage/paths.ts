// Dotted-path helpers with MongoDB's array semantics (a path through an array reaches into every
// element), plus a deep clone that keeps BSON value classes intact.

export type Doc = Record<string, unknown>;

function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  if (v instanceof Date || v instanceof RegExp || v instanceof Uint8Array) return false;
  return (v as { _bsontype?: string })._bsontype === undefined;
}

export { isPlainObject };

/**
 * Every value reached by `path` in `doc`, descending into arrays as MongoDB does. The result
 * holds the leaf values as stored (a leaf that is itself an array is returned as the array).
 * `missing` is true when no value was reached at all.
 */
export function pathValues(doc: unknown, parts: readonly string[]): { values: unknown[]; arrays: boolean } {
  const out: unknown[] = [];
  let arrays = false;
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      out.push(v);
      return;
    }
    if (Array.isArray(v)) {
      arrays = true;
      const idx = /^\d+$/.test(parts[i]) ? Number(parts[i]) : -1;
      if (idx >= 0 && idx < v.length) walk(v[idx], i + 1);
      for (const el of v) if (isPlainObject(el)) walk(el, i);
      return;
    }
    if (isPlainObject(v)) {
      const next = v[parts[i]];
      if (next !== undefined) walk(next, i + 1);
    }
  };
  walk(doc, 0);
  return { values: out, arrays };
}

/** The single value at a path without array fan-out (undefined if absent). */
export function getPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const p of path.split('.')) {
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(p)) return undefined;
      v = v[Number(p)];
    } else if (isPlainObject(v)) v = v[p];
    else return undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** Sets a dotted path, creating intermediate objects (used to build upsert documents). */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (isPlainObject(next)) cur = next;
    else {
      const created: Doc = {};
      cur[parts[i]] = created;
      cur = created;
    }
  }
  cur[parts[parts.length - 1]] = value;
}

/**
 * Deep copy of a document. BSON value objects (ObjectId, Binary, Long, ...) are immutable in
 * practice and shared; Dates are copied because JS Dates are mutable.
 */
export function cloneDeep<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneDeep) as unknown as T;
  if (v instanceof Date) return new Date(v.getTime()) as unknown as T;
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = cloneDeep((v as Doc)[k]);
  return out as T;
}

/** Returns the document with `_id` as its first field, as MongoDB stores it. */
export function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}
