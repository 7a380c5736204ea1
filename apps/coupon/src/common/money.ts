/**
 * Exact decimal arithmetic for money rules (coupon §1.3): amounts are JSON numbers, compared as
 * the decimal they were written as (JavaScript's shortest round-trip form), never as binary
 * floating point. A value is `digits × 10^-scale` with a BigInt mantissa.
 */
export interface Dec {
  readonly digits: bigint;
  readonly scale: number;
}

/** The exact decimal of a finite number's shortest representation (`0.1` → 1×10⁻¹). */
export function dec(n: number): Dec {
  if (!Number.isFinite(n)) throw new RangeError('not a finite number');
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
  if (!m) throw new RangeError(`cannot read ${text} as a decimal`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = BigInt(`${sign}${int}${frac}`);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.digits * 10n ** BigInt(scale - a.scale), b.digits * 10n ** BigInt(scale - b.scale), scale];
}

export function add(a: Dec, b: Dec): Dec {
  const [x, y, scale] = align(a, b);
  return { digits: x + y, scale };
}

export function mul(a: Dec, b: Dec): Dec {
  return { digits: a.digits * b.digits, scale: a.scale + b.scale };
}

/** `a × 10^-k`, e.g. dividing by 100 exactly. */
export function shift(a: Dec, k: number): Dec {
  return { digits: a.digits, scale: a.scale + k };
}

/** -1, 0 or 1. */
export function compare(a: Dec, b: Dec): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The 0.01 tolerance of §9.3. */
export const CENT: Dec = { digits: 1n, scale: 2 };

/** The smaller of two decimals. */
export function min(a: Dec, b: Dec): Dec {
  return compare(a, b) <= 0 ? a : b;
}

/** `a` with at most `digits` decimals, halves rounded away from zero ("half-up" for amounts >= 0). */
export function roundHalfUp(a: Dec, digits: number): Dec {
  if (a.scale <= digits) return a;
  const divisor = 10n ** BigInt(a.scale - digits);
  const negative = a.digits < 0n;
  const magnitude = negative ? -a.digits : a.digits;
  let q = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) q += 1n;
  return { digits: negative ? -q : q, scale: digits };
}

/** `a` with at most `digits` decimals, the rest cut off (towards zero). */
export function roundDown(a: Dec, digits: number): Dec {
  if (a.scale <= digits) return a;
  return { digits: a.digits / 10n ** BigInt(a.scale - digits), scale: digits };
}

/** The JSON number of a decimal (exact for the amounts money rules produce: few significant digits). */
export function toNumber(a: Dec): number {
  return Number(`${a.digits}e${-a.scale}`);
}
