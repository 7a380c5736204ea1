import { loadCustomerSegmentConfig } from '../config/customer-segment.config';
import { SegmentSettings } from './settings';

describe('SegmentSettings.fromConfig (LOC-2, segment §1.12)', () => {
  const env = { MONGODB_URI: 'mongodb://127.0.0.1:1', I18N_LANGUAGES: 'en,de', I18N_TENANT_LANGUAGES: '{"acme": ["fr", "en"]}' };

  function settingsOf(extra: Record<string, string> = {}): SegmentSettings {
    return SegmentSettings.fromConfig(loadCustomerSegmentConfig({ ...env, ...extra }));
  }

  it('gives a configured tenant its own languages, first the default, and every other tenant the service languages', () => {
    const settings = settingsOf();
    expect(settings.languages.languagesOf('acme')).toEqual(['fr', 'en']);
    expect(settings.languages.languagesOf('other')).toEqual(['en', 'de']);
  });

  it('never takes an inherited object property for a tenant override', () => {
    // `constructor` is a valid tenant name; it must not resolve to Object.prototype.constructor.
    const settings = settingsOf();
    expect(settings.languages.languagesOf('constructor')).toEqual(['en', 'de']);
    expect(settings.languages.languagesOf('tostring')).toEqual(['en', 'de']);
  });

  it('carries the limits, defaulting to 1000 each', () => {
    expect(settingsOf()).toMatchObject({ maxSegmentsPerTenant: 1000, maxSegmentsPerCustomer: 1000 });
    expect(settingsOf({ SEGMENT_MAX_PER_TENANT: '5', SEGMENT_MAX_PER_CUSTOMER: '7' })).toMatchObject({
      maxSegmentsPerTenant: 5,
      maxSegmentsPerCustomer: 7,
    });
  });

  it('sweeps for lost profile evaluations every 10 s unless configured; refuses a value out of range', () => {
    expect(settingsOf().profileEvaluationSweepMs).toBe(10_000);
    expect(settingsOf({ PROFILE_EVALUATION_SWEEP_MS: '250' }).profileEvaluationSweepMs).toBe(250);
    expect(() => settingsOf({ PROFILE_EVALUATION_SWEEP_MS: '0' })).toThrow(/PROFILE_EVALUATION_SWEEP_MS/);
  });
});
