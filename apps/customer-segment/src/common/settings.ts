import { TenantLanguages } from '@suite/api-kit';
import { CustomerSegmentConfig } from '../config/customer-segment.config';

/** Injection token of {@link SegmentSettings}. */
export const SEGMENT_SETTINGS = Symbol.for('customer-segment.settings');

/** The validated configuration the features read (STYLE habit 8: injected, typed). */
export class SegmentSettings {
  constructor(
    /** LOC-2: every tenant's languages, first the default. */
    readonly languages: TenantLanguages,
    /** Segment §1.12. */
    readonly maxSegmentsPerTenant: number,
    readonly maxSegmentsPerCustomer: number,
    /** the time budget of every query built from `q`. */
    readonly queryMaxTimeMS: number,
    /** README R.2: how often profiles whose evaluation was lost are looked for. */
    readonly profileEvaluationSweepMs: number,
  ) {}

  static fromConfig(config: CustomerSegmentConfig): SegmentSettings {
    return new SegmentSettings(
      TenantLanguages.fromConfig(config),
      config.segmentMaxPerTenant,
      config.segmentMaxPerCustomer,
      config.queryMaxTimeMS,
      config.profileEvaluationSweepMs,
    );
  }
}
