import { TenantLanguages, tenantLanguagesOf } from './localization';

/** Injection token of {@link SegmentSettings}. */
export const SEGMENT_SETTINGS = Symbol.for('customer-segment.settings');

/** The validated configuration the features read (STYLE habit 8: injected, typed). */
export class SegmentSettings {
  /** Built once: every request asks for its tenant's languages, and they never change at runtime. */
  private readonly defaultLanguages: TenantLanguages;
  private readonly overrideLanguages = new Map<string, TenantLanguages>();

  constructor(
    languages: readonly string[],
    tenantOverrides: Record<string, string[]>,
    readonly maxSegmentsPerTenant: number,
    readonly maxSegmentsPerCustomer: number,
    readonly queryMaxTimeMS: number,
  ) {
    // Keyed by the configured tenants only (not by callers), so the map cannot grow with traffic.
    this.defaultLanguages = tenantLanguagesOf('', languages, {});
    for (const tenant of Object.keys(tenantOverrides)) {
      if (tenantOverrides[tenant]?.length) this.overrideLanguages.set(tenant, tenantLanguagesOf(tenant, languages, tenantOverrides));
    }
  }

  /** LOC-2: the languages of one tenant, first the default (a shared, read-only value). */
  languagesOf(tenant: string): TenantLanguages {
    return this.overrideLanguages.get(tenant) ?? this.defaultLanguages;
  }
}
