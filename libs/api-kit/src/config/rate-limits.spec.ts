import { ConfigError, readBaseConfig } from './base-config';
import { formatRate, parseRate, readRate, readTenantRateLimits, readTrustProxy, tenantRate } from './rate-limits';

describe('rate limit configuration', () => {
  it('reads <count>/<window> in seconds, minutes and hours, and off', () => {
    expect(parseRate('600/60s')).toEqual({ limit: 600, windowMs: 60_000 });
    expect(parseRate(' 10 / 15m ')).toEqual({ limit: 10, windowMs: 900_000 });
    expect(parseRate('5000/1h')).toEqual({ limit: 5000, windowMs: 3_600_000 });
    expect(parseRate('50/s')).toEqual({ limit: 50, windowMs: 1000 });
    expect(parseRate('OFF')).toBeNull();
    for (const bad of ['', '600', '600/60', '0/60s', '-1/60s', '1.5/60s', '10/0s', '10/25h', '10/60d', 'ten/60s', '600/60s extra'])
      expect(parseRate(bad)).toBeUndefined();
    expect(formatRate({ limit: 600, windowMs: 60_000 })).toBe('600/60s');
  });

  it('defaults to a generous per-tenant limit and reads per-tenant overrides', () => {
    const problems: string[] = [];
    expect(readTenantRateLimits({}, problems)).toEqual({
      default: { limit: 100_000, windowMs: 60_000 },
      tenants: {},
      exemptClients: ['customer-segment', 'coupon', 'category'],
    });
    expect(readTenantRateLimits({ RATE_LIMIT_EXEMPT_CLIENTS: 'none' }, problems).exemptClients).toEqual([]);
    expect(readTenantRateLimits({ RATE_LIMIT_EXEMPT_CLIENTS: ' cs-prod , coupon-prod ' }, problems).exemptClients).toEqual([
      'cs-prod',
      'coupon-prod',
    ]);
    const limits = readTenantRateLimits(
      { RATE_LIMIT_PER_TENANT: '600/60s', RATE_LIMIT_TENANTS: '{"acme": "1200/60s", "bulk": "off"}' },
      problems,
    );
    expect(problems).toEqual([]);
    expect(tenantRate(limits, 'acme')).toEqual({ limit: 1200, windowMs: 60_000 });
    expect(tenantRate(limits, 'bulk')).toBeNull();
    expect(tenantRate(limits, 'other')).toEqual({ limit: 600, windowMs: 60_000 });
    // Inherited object properties are not tenants.
    expect(tenantRate(limits, 'constructor')).toEqual({ limit: 600, windowMs: 60_000 });
  });

  it('names every bad value', () => {
    const problems: string[] = [];
    readTenantRateLimits({ RATE_LIMIT_PER_TENANT: '600 per minute', RATE_LIMIT_TENANTS: '{"ACME": "1/1s", "acme": 5}' }, problems);
    expect(problems).toEqual([
      expect.stringMatching(/^RATE_LIMIT_PER_TENANT must be '<count>\/<window>' .* \(got '600 per minute'\)$/),
      expect.stringMatching(/^RATE_LIMIT_TENANTS: 'ACME' is not a tenant/),
      expect.stringMatching(/^RATE_LIMIT_TENANTS: the rate of 'acme' must be .* \(got 5\)$/),
    ]);
    const more: string[] = [];
    readTenantRateLimits({ RATE_LIMIT_TENANTS: '["acme"]' }, more);
    expect(more).toEqual([expect.stringMatching(/^RATE_LIMIT_TENANTS must be a JSON object/)]);
    const one: string[] = [];
    expect(readRate({ X: '1/0s' }, 'X', '10/15m', one)).toEqual({ limit: 10, windowMs: 900_000 });
    expect(one).toEqual([expect.stringMatching(/^X must be /)]);
  });

  it('reads TRUST_PROXY: loopback by default, none, addresses and ranges; refuses anything else', () => {
    const problems: string[] = [];
    expect(readTrustProxy({}, problems)).toEqual(['loopback']);
    expect(readTrustProxy({ TRUST_PROXY: 'none' }, problems)).toEqual([]);
    expect(readTrustProxy({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.168.1.7' }, problems)).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.7',
    ]);
    expect(problems).toEqual([]);
    for (const bad of ['true', '10.0.0.0/33', 'example.com', '10.0.0.1/8/1', ','])
      expect(readTrustProxy({ TRUST_PROXY: bad }, problems)).toEqual(['loopback']);
    expect(problems).toHaveLength(5);
  });

  it('stops a service at boot with a message naming the variable', () => {
    expect(() => readBaseConfig({ MONGODB_URI: 'mongodb://x', RATE_LIMIT_TENANTS: '{"acme": "lots"}' }, { port: 1 })).toThrow(ConfigError);
    try {
      readBaseConfig({ MONGODB_URI: 'mongodb://x', RATE_LIMIT_PER_TENANT: 'x', TRUST_PROXY: 'all' }, { port: 1 });
    } catch (e) {
      expect((e as ConfigError).message).toMatch(/RATE_LIMIT_PER_TENANT must be/);
      expect((e as ConfigError).message).toMatch(/TRUST_PROXY must be/);
    }
    expect(readBaseConfig({ MONGODB_URI: 'mongodb://x' }, { port: 1 })).toMatchObject({
      rateLimits: { default: { limit: 100_000, windowMs: 60_000 }, tenants: {}, exemptClients: ['customer-segment', 'coupon', 'category'] },
      trustProxy: ['loopback'],
    });
  });
});
