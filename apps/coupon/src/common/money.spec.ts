import { add, CENT, compare, dec, min, mul, roundDown, roundHalfUp, shift, toNumber } from './money';

describe('exact decimal money arithmetic (coupon §1.3)', () => {
  it('reads numbers as the decimals they were written as', () => {
    expect(dec(24.99)).toEqual({ digits: 2499n, scale: 2 });
    expect(dec(0)).toEqual({ digits: 0n, scale: 0 });
    expect(dec(1e21)).toEqual({ digits: 10n ** 21n, scale: 0 });
    expect(dec(1.5e-7)).toEqual({ digits: 15n, scale: 8 });
    expect(() => dec(Number.NaN)).toThrow(RangeError);
  });

  it('adds, multiplies and compares without binary floating point error', () => {
    expect(compare(add(dec(0.1), dec(0.2)), dec(0.3))).toBe(0); // 0.1 + 0.2 !== 0.3 in floats
    expect(compare(add(dec(24.99), CENT), dec(25))).toBe(0);
    expect(compare(shift(mul(dec(33.33), dec(10)), 2), dec(3.333))).toBe(0);
    expect(compare(dec(49.98), dec(49.99))).toBe(-1);
    expect(compare(dec(100), dec(99.999999))).toBe(1);
  });

  it('rounds half-up (away from zero) or down to a number of decimals, and renders JSON numbers', () => {
    expect(toNumber(roundHalfUp(dec(10.005), 2))).toBe(10.01);
    expect(toNumber(roundHalfUp(dec(10.0049), 2))).toBe(10);
    expect(toNumber(roundHalfUp(dec(1.0005), 3))).toBe(1.001);
    expect(toNumber(roundHalfUp(dec(149.5), 0))).toBe(150);
    expect(toNumber(roundHalfUp(dec(-0.5), 0))).toBe(-1);
    expect(toNumber(roundHalfUp(dec(7), 2))).toBe(7);
    expect(toNumber(roundDown(dec(9.999), 2))).toBe(9.99);
    expect(toNumber(roundDown(dec(12), 0))).toBe(12);
    expect(toNumber(min(dec(3), dec(2.5)))).toBe(2.5);
    expect(toNumber(shift(mul(dec(33.33), dec(15)), 2))).toBe(4.9995);
    expect(toNumber(dec(0))).toBe(0);
  });
});
