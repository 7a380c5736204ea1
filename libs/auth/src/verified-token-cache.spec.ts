import { AuthContext } from './auth-context';
import { VerifiedTokenCache } from './verified-token-cache';

const ctx = (subject: string) => new AuthContext({ tenant: 'acme', principalType: 'employee', subject, scopes: ['a.read'] });
const NOW = 1_800_000_000_000;
const exp = (msFromNow: number) => (NOW + msFromNow) / 1000;

describe('VerifiedTokenCache', () => {
  it('returns the context and key of a remembered token, and nothing for another token', () => {
    const cache = new VerifiedTokenCache();
    const key = {};
    cache.remember('tok-1', ctx('u1'), key, exp(3_600_000), NOW);
    expect(cache.lookup('tok-1', NOW + 1000)).toEqual({ auth: ctx('u1'), key, until: NOW + 60_000 });
    expect(cache.lookup('tok-2', NOW + 1000)).toBeUndefined();
  });

  it('never outlives the token exp (without leeway) nor its maximum age', () => {
    const cache = new VerifiedTokenCache(10, 60_000);
    cache.remember('short', ctx('u'), {}, exp(5_000), NOW);
    expect(cache.lookup('short', NOW + 4_999)).toBeDefined();
    expect(cache.lookup('short', NOW + 5_000)).toBeUndefined();
    cache.remember('long', ctx('u'), {}, exp(3_600_000), NOW);
    expect(cache.lookup('long', NOW + 59_999)).toBeDefined();
    expect(cache.lookup('long', NOW + 60_000)).toBeUndefined();
  });

  it('does not remember a token already past its exp (accepted only within the clock tolerance)', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('late', ctx('u'), {}, exp(-10_000), NOW);
    expect(cache.lookup('late', NOW)).toBeUndefined();
  });

  it('is bounded: the oldest entry goes first', () => {
    const cache = new VerifiedTokenCache(2);
    for (const t of ['t1', 't2', 't3']) cache.remember(t, ctx(t), {}, exp(3_600_000), NOW);
    expect(cache.lookup('t1', NOW)).toBeUndefined();
    expect(cache.lookup('t2', NOW)?.auth.subject).toBe('t2');
    expect(cache.lookup('t3', NOW)?.auth.subject).toBe('t3');
  });

  it('forgets on request, and remembers nothing when its size is 0', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', ctx('u'), {}, exp(3_600_000), NOW);
    cache.forget('t');
    expect(cache.lookup('t', NOW)).toBeUndefined();
    const off = new VerifiedTokenCache(0);
    off.remember('t', ctx('u'), {}, exp(3_600_000), NOW);
    expect(off.lookup('t', NOW)).toBeUndefined();
  });
});
