import { ConfigError, readBaseConfig } from './base-config';

describe('readBaseConfig', () => {
  it('applies the documented defaults', () => {
    const c = readBaseConfig({ MONGODB_URI: 'mongodb://127.0.0.1:27017' }, { port: 3001 });
    expect(c).toMatchObject({
      port: 3001,
      serverSelectionTimeoutMS: 2000,
      queryMaxTimeMS: 5000,
      peerBreakerOpenMs: 30000,
      languages: ['en', 'de', 'fr'],
      tenantLanguages: {},
      corsOrigins: [],
      production: false,
    });
  });
  it('reads overrides and trims peer URLs', () => {
    const c = readBaseConfig(
      {
        MONGODB_URI: 'mongodb://x',
        PORT: '0',
        I18N_LANGUAGES: 'de, en',
        I18N_TENANT_LANGUAGES: '{"acme":["fr","en"]}',
        CATEGORY_URL: 'http://127.0.0.1:9/',
        NODE_ENV: 'production',
      },
      { port: 1 },
    );
    expect(c).toMatchObject({
      port: 0,
      languages: ['de', 'en'],
      tenantLanguages: { acme: ['fr', 'en'] },
      peers: { categoryUrl: 'http://127.0.0.1:9' },
      production: true,
    });
  });
  it('names every bad variable at once', () => {
    try {
      readBaseConfig({ PORT: 'x', I18N_TENANT_LANGUAGES: '[', CATEGORY_URL: 'ftp://a' }, { port: 1 });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toHaveLength(4);
    }
  });
  it('times database commands unless MONGODB_COMMAND_METRICS=false, and refuses anything but true or false', () => {
    const read = (value?: string) => readBaseConfig({ MONGODB_URI: 'mongodb://x', MONGODB_COMMAND_METRICS: value }, { port: 1 });
    expect(read().mongodbCommandMetrics).toBe(true);
    expect(read('false').mongodbCommandMetrics).toBe(false);
    expect(read(' TRUE ').mongodbCommandMetrics).toBe(true);
    expect(() => read('no')).toThrow("MONGODB_COMMAND_METRICS must be true or false (got 'no')");
  });
  it('reads the outbox lease (default 5000 ms, heartbeat 1000 ms) and refuses a heartbeat beyond half the lease', () => {
    const read = (env: Record<string, string>) => readBaseConfig({ MONGODB_URI: 'mongodb://x', ...env }, { port: 1 });
    expect(read({}).outboxLease).toEqual({ leaseMs: 5000, heartbeatMs: 1000 });
    expect(read({ OUTBOX_LEASE_MS: '2000', OUTBOX_HEARTBEAT_MS: '250' }).outboxLease).toEqual({ leaseMs: 2000, heartbeatMs: 250 });
    expect(() => read({ OUTBOX_LEASE_MS: '2000', OUTBOX_HEARTBEAT_MS: '1500' })).toThrow(
      'OUTBOX_HEARTBEAT_MS must be at most half of OUTBOX_LEASE_MS',
    );
    expect(() => read({ OUTBOX_LEASE_MS: 'soon' })).toThrow("OUTBOX_LEASE_MS must be an integer from 200 to 600000 (got 'soon')");
  });
});
