import { DynamicModule, Global, Module } from '@nestjs/common';
import { CUSTOMER_SEGMENT_CONFIG, CustomerSegmentConfig } from '../config/customer-segment.config';
import { SEGMENT_SETTINGS, SegmentSettings } from './settings';

/** App-wide providers: the validated configuration and the typed settings read from it (STYLE habit 8). */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: CustomerSegmentConfig): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: CUSTOMER_SEGMENT_CONFIG, useValue: config },
        { provide: SEGMENT_SETTINGS, useValue: SegmentSettings.fromConfig(config) },
      ],
      exports: [CUSTOMER_SEGMENT_CONFIG, SEGMENT_SETTINGS],
    };
  }
}
