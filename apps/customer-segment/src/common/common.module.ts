import { DynamicModule, Global, Module } from '@nestjs/common';
import { CATEGORY_URL, PEER_BREAKER_OPEN_MS } from '../clients/clients.module';
import { CustomerSegmentConfig } from '../config/customer-segment.config';
import { SegmentEvents } from './segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from './settings';

/** App-wide providers: typed settings from the validated config (STYLE habit 8) and the event emitter. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: CustomerSegmentConfig): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        {
          provide: SEGMENT_SETTINGS,
          useValue: new SegmentSettings(config.languages, config.tenantLanguages, config.segmentMaxPerTenant, config.segmentMaxPerCustomer, config.queryMaxTimeMS),
        },
        { provide: CATEGORY_URL, useValue: config.categoryUrl },
        { provide: PEER_BREAKER_OPEN_MS, useValue: config.peerBreakerOpenMs },
        SegmentEvents,
      ],
      exports: [SEGMENT_SETTINGS, CATEGORY_URL, PEER_BREAKER_OPEN_MS, SegmentEvents],
    };
  }
}
