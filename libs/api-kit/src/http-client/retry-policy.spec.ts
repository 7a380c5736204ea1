import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableMethod, parseRetryAfterMs } from './retry-policy';

describe('retry policy (S2S-7)', () => {
  it.each([
    ['GET', false, true],
    ['HEAD', false, true],
    ['PUT', false, true],
    ['DELETE', false, true],
    ['POST', false, false],
    ['POST', true, true],
    ['PATCH', false, false],
    ['PATCH', true, false],
  ] as const)('%s marked idempotent=%s may be retried: %s', (method, marked, expected) => {
    expect(isRetryableMethod(method, marked)).toBe(expected);
  });

  it('uses ~100 ms then ~400 ms with ±20 % jitter', () => {
    const at = (r: number, i: number) => backoffDelayMs({ ...DEFAULT_RETRY_POLICY, random: () => r }, i);
    expect(at(0, 0)).toBe(80);
    expect(at(0.5, 0)).toBe(100);
    expect(at(0.999999, 0)).toBe(120);
    expect(at(0, 1)).toBe(320);
    expect(at(0.999999, 1)).toBe(480);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelayMs(DEFAULT_RETRY_POLICY, 1);
      expect(d).toBeGreaterThanOrEqual(320);
      expect(d).toBeLessThanOrEqual(480);
    }
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2024-06-01T08:30:00.000Z');
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs(['1', '5'], now)).toBe(1000);
    expect(parseRetryAfterMs('Sat, 01 Jun 2024 08:30:03 GMT', now)).toBe(3000);
    expect(parseRetryAfterMs('Sat, 01 Jun 2024 08:29:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', '-1', '1.5', 'soon', '2024-06-01', '99999999999'])('ignores an unusable Retry-After %p', (v) => {
    expect(parseRetryAfterMs(v, 0)).toBeUndefined();
  });
});
