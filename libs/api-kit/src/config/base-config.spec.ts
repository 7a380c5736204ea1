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
});
