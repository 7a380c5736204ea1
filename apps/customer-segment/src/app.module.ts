import { DynamicModule, Module } from '@nestjs/common';
import { ServiceDefinition, serviceModule } from '@suite/foundation';
import type { Logger } from 'pino';
import { SEGMENT_SETTINGS, SegmentSettings } from './common/settings';
import {
  CUSTOMER_SEGMENT_CONFIG,
  CUSTOMER_SEGMENT_SERVICE,
  CustomerSegmentConfig,
  loadCustomerSegmentConfig,
} from './config/customer-segment.config';
import { MANAGE, PROFILE_MANAGE, PROFILE_READ, READ, READ_OWN } from './customer-segment.scopes';
import { BulkIoModule } from './bulk-io/bulk-io.module';
import { ProfilesModule } from './profiles/profiles.module';
import { SegmentCustomersModule } from './segment-customers/segment-customers.module';
import { SegmentItemsModule } from './segment-items/segment-items.module';
import { SegmentsModule } from './segments/segments.module';

@Module({})
export class AppModule {
  static forRoot(config: CustomerSegmentConfig, logger?: Logger): DynamicModule {
    return serviceModule(AppModule, CUSTOMER_SEGMENT_SERVICE, config, logger, {
      openapi: {
        scopes: {
          [MANAGE]: 'Create, change and delete segments and their assignments; match products.',
          [READ]: 'Read every segment and assignment (FULL mode).',
          [READ_OWN]: 'Read the caller’s own visible segments and their items (OWN mode).',
          [PROFILE_MANAGE]: 'Write, merge and delete shopper profiles (suite extension).',
          [PROFILE_READ]: 'Read shopper profiles (suite extension).',
        },
      },
      // The validated configuration and the typed settings read from it (STYLE habit 8).
      global: [
        { provide: CUSTOMER_SEGMENT_CONFIG, useValue: config },
        { provide: SEGMENT_SETTINGS, useValue: SegmentSettings.fromConfig(config) },
      ],
      imports: [
        // Item routes first: `/segments/items` must never be read as a segment id (the router's
        // static-over-parametric rule guarantees it; the order only keeps the table readable).
        SegmentItemsModule,
        SegmentCustomersModule,
        SegmentsModule,
        ProfilesModule,
        BulkIoModule,
      ],
    });
  }
}

/** What runs the customer-segment app, in its own process (main.ts) or beside the others (`npm start`, tools/app-host.ts). */
export const SERVICE_DEFINITION: ServiceDefinition<CustomerSegmentConfig> = {
  name: CUSTOMER_SEGMENT_SERVICE.name,
  root: AppModule,
  loadConfig: loadCustomerSegmentConfig,
};
