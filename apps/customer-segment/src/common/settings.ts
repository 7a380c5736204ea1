import { TenantLanguages, tenantLanguagesOf } from './localization';

/** Injection token of {@link SegmentSettings}. */
export const SEGMENT_SETTINGS = Symbol.for('customer-segment.settings');

/** The validated configuration the features read (STYLE habit 8: injected, typed). */
export class SegmentSettings {
  constructor(
    private readonly languages: readonly string[],
    private readonly tenantOverrides: Record<string, string[]>,
    readonly maxSegmentsPerTenant: number,
    readonly maxSegmentsPerCustomer: number,
    readonly queryMaxTimeMS: number,
  ) {}

  /** LOC-2: the languages of one tenant, first the default. */
  languagesOf(tenant: string): TenantLanguages {
    return tenantLanguagesOf(tenant, this.languages, this.tenantOverrides);
  }
}
