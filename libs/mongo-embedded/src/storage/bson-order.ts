// Value comparison with MongoDB's BSON semantics. Index keys, sorts, `distinct` and uniqueness all
// go through here so that `"1"` and `1` differ, `1`, `1.0` and `Long(1)` are equal, and mixed types
// order as MongoDB orders them (MinKey < null < numbers < strings < objects < arrays < binData <
// ObjectId < bool < date < timestamp < regex < MaxKey).

/** Sort rank of each BSON type class, as MongoDB's comparison order defines it. */
export const enum TypeRank {
  MinKey = 1,
  Null = 2,
  Number = 3,
  String = 4,
  Object = 5,
  Array = 6,
  Binary = 7,
  ObjectId = 8,
  Boolean = 9,
  Date = 10,
  Timestamp = 11,
  RegExp = 12,
  MaxKey = 13,
}

/**
 * A bound that sorts before (or after) every value of one type class. Index range scans use it to
 * stay within a type bracket: `{a: {$gt: 5}}` only matches numbers, so the scan stops at the end
 * of the numbers instead of running on into strings.
 */
export class TypeBound {
  constructor(
    readonly rank: number,
    readonly high: boolean,
  ) {}
}

export const MIN_BOUND = new TypeBound(0, false);
export const MAX_BOUND = new TypeBound(100, true);

function bsonType(v: object): string | undefined {
  return (v as { _bsontype?: string })._bsontype;
}

/** The type class rank of a value (missing/undefined counts as null, as in MongoDB's indexes). */
export function typeRank(v: unknown): number {
  if (v === null || v === undefined) return TypeRank.Null;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return TypeRank.Number;
    case 'string':
      return TypeRank.String;
    case 'boolean':
      return TypeRank.Boolean;
    case 'object':
      break;
    default:
      return TypeRank.Object;
  }
  if (Array.isArray(v)) return TypeRank.Array;
  if (v instanceof Date) return TypeRank.Date;
  if (v instanceof RegExp) return TypeRank.RegExp;
  if (v instanceof TypeBound) return v.rank;
  if (v instanceof Uint8Array) return TypeRank.Binary;
  switch (bsonType(v as object)) {
    case 'ObjectId':
      return TypeRank.ObjectId;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return TypeRank.Number;
    case 'Timestamp':
      return TypeRank.Timestamp;
    case 'Binary':
      return TypeRank.Binary;
    case 'BSONRegExp':
      return TypeRank.RegExp;
    case 'MinKey':
      return TypeRank.MinKey;
    case 'MaxKey':
      return TypeRank.MaxKey;
    case 'BSONSymbol':
      return TypeRank.String;
    default:
      return TypeRank.Object;
  }
}

/** A JS number for any BSON numeric value (Long/Decimal128 beyond 2^53 lose precision). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonType(v as object);
  if (t === 'Long') return (v as { toNumber(): number }).toNumber();
  if (t === 'Int32' || t === 'Double') return (v as { valueOf(): number }).valueOf();
  if (t === 'Decimal128') return Number.parseFloat(String(v));
  return Number.NaN;
}

function compareNumbers(a: number, b: number): number {
  // MongoDB sorts NaN before every other number.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer?: Uint8Array; id?: Uint8Array };
  return (bsonType(v as object) === 'ObjectId' ? b.id : b.buffer) ?? new Uint8Array(0);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

/** bson 7 keeps an ObjectId as four 24-bit numbers, in byte order; its `id` getter allocates. */
interface ObjectIdWords {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

function isObjectId(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'ObjectId';
}

function compareObjectIds(a: unknown, b: unknown): number {
  const x = a as ObjectIdWords;
  const y = b as ObjectIdWords;
  if (typeof x.i0 === 'number' && typeof y.i0 === 'number') return x.i0 - y.i0 || x.i1 - y.i1 || x.i2 - y.i2 || x.i3 - y.i3;
  return compareBytes(bytesOf(a), bytesOf(b));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two BSON values in MongoDB's total order; returns <0, 0 or >0. */
export function compareValues(a: unknown, b: unknown): number {
  // Index keys are mostly strings or numbers compared with their own kind (every B+tree step).
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (isObjectId(a) && isObjectId(b)) return compareObjectIds(a, b);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (a instanceof TypeBound) return b instanceof TypeBound && b.high === a.high ? 0 : a.high ? 1 : -1;
  if (b instanceof TypeBound) return b.high ? -1 : 1;
  switch (ra) {
    case TypeRank.Null:
    case TypeRank.MinKey:
    case TypeRank.MaxKey:
      return 0;
    case TypeRank.Number:
      return typeof a === 'number' && typeof b === 'number' ? compareNumbers(a, b) : compareNumbers(toNumber(a), toNumber(b));
    case TypeRank.String:
      return compareStrings(String(a), String(b));
    case TypeRank.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case TypeRank.Date:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case TypeRank.ObjectId:
      return compareObjectIds(a, b);
    case TypeRank.Binary: {
      const ba = bytesOf(a);
      const bb = bytesOf(b);
      if (ba.length !== bb.length) return ba.length - bb.length;
      const sa = (a as { sub_type?: number }).sub_type ?? 0;
      const sb = (b as { sub_type?: number }).sub_type ?? 0;
      if (sa !== sb) return sa - sb;
      return compareBytes(ba, bb);
    }
    case TypeRank.Timestamp: {
      const ta = a as { high: number; low: number };
      const tb = b as { high: number; low: number };
      return (ta.high >>> 0) - (tb.high >>> 0) || (ta.low >>> 0) - (tb.low >>> 0);
    }
    case TypeRank.RegExp: {
      const pa = a instanceof RegExp ? a.source : String((a as { pattern: string }).pattern);
      const pb = b instanceof RegExp ? b.source : String((b as { pattern: string }).pattern);
      return compareStrings(pa, pb) || compareStrings(a instanceof RegExp ? a.flags : '', b instanceof RegExp ? b.flags : '');
    }
    case TypeRank.Array: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i]);
        if (c !== 0) return c;
      }
      return xa.length - xb.length;
    }
    default:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
  }
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = typeRank(a[ka[i]]) - typeRank(b[kb[i]]) || compareStrings(ka[i], kb[i]) || compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}

/** Equality with BSON semantics (numbers across types equal, types otherwise distinct). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** Compares compound keys (same length) field by field. */
export function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * A canonical string for a value such that two values are equal under {@link valuesEqual} exactly
 * when their strings are equal. Used for hash sets (`distinct`, de-duplication).
 */
export function canonicalKey(v: unknown): string {
  const r = typeRank(v);
  switch (r) {
    case TypeRank.Null:
      return 'n';
    case TypeRank.Number: {
      const n = toNumber(v);
      return 'd' + (Object.is(n, -0) ? '0' : String(n));
    }
    case TypeRank.String:
      return 's' + JSON.stringify(String(v));
    case TypeRank.Boolean:
      return v ? 'T' : 'F';
    case TypeRank.Date:
      return 't' + (v as Date).getTime();
    case TypeRank.ObjectId:
      return 'o' + Buffer.from(bytesOf(v)).toString('hex');
    case TypeRank.Binary:
      return 'b' + ((v as { sub_type?: number }).sub_type ?? 0) + ':' + Buffer.from(bytesOf(v)).toString('base64');
    case TypeRank.Array:
      return '[' + (v as unknown[]).map(canonicalKey).join(',') + ']';
    case TypeRank.Object: {
      const o = v as Record<string, unknown>;
      return (
        '{' +
        Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .map((k) => JSON.stringify(k) + ':' + canonicalKey(o[k]))
          .join(',') +
        '}'
      );
    }
    case TypeRank.Timestamp: {
      const t = v as { high: number; low: number };
      return 'ts' + (t.high >>> 0) + ':' + (t.low >>> 0);
    }
    case TypeRank.RegExp:
      return 'r' + String(v);
    default:
      return 'x' + r;
  }
}
