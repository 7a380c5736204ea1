import type { CategoryConfig } from '../config/category.config';

/** The app-wide settings of the validated configuration that services and repositories read. */
export class CategorySettings {
  /** the time budget of the paged reads (`QUERY_MAX_TIME_MS`); past it, `503 query_timeout`. */
  readonly queryMaxTimeMS: number;
  /** S2S-1: the customer-segment origin (`CUSTOMER_SEGMENT_URL`); without it segment filtering fails closed. */
  readonly customerSegmentUrl?: string;
  /** S2S-13: how long the peer circuit stays open. */
  readonly peerBreakerOpenMs: number;

  constructor(config: Pick<CategoryConfig, 'queryMaxTimeMS' | 'customerSegmentUrl' | 'peerBreakerOpenMs'>) {
    this.queryMaxTimeMS = config.queryMaxTimeMS;
    this.customerSegmentUrl = config.customerSegmentUrl;
    this.peerBreakerOpenMs = config.peerBreakerOpenMs;
  }
}
