import { SegmentSettings } from './settings';

describe('SegmentSettings.languagesOf (LOC-2)', () => {
  const settings = new SegmentSettings(['en', 'de'], { acme: ['fr', 'en'], empty: [] }, 10, 10, 1000);

  it('gives a configured tenant its own languages, first the default', () => {
    expect(settings.languagesOf('acme')).toEqual({ all: ['fr', 'en'], default: 'fr' });
  });

  it('gives every other tenant the service languages, also for an empty override', () => {
    expect(settings.languagesOf('other')).toEqual({ all: ['en', 'de'], default: 'en' });
    expect(settings.languagesOf('empty')).toEqual({ all: ['en', 'de'], default: 'en' });
  });

  it('never takes an inherited object property for a tenant override', () => {
    // `constructor` is a valid tenant name; it must not resolve to Object.prototype.constructor.
    expect(settings.languagesOf('constructor')).toEqual({ all: ['en', 'de'], default: 'en' });
    expect(settings.languagesOf('tostring')).toEqual({ all: ['en', 'de'], default: 'en' });
  });
});
