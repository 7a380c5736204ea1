import { DynamicModule, Module } from '@nestjs/common';
import { ApiKitModule } from '@suite/api-kit';
import { AuthModule } from '@suite/auth';
import { PersistenceModule, translateMongoError } from '@suite/persistence';
import type { Logger } from 'pino';
import { CommonModule } from './common/common.module';
import { CustomerSegmentConfig, DATABASE_NAME, SERVICE_NAME } from './config/customer-segment.config';
import { MANAGE, READ, READ_OWN } from './customer-segment.scopes';
import { SegmentCustomersModule } from './segment-customers/segment-customers.module';
import { SegmentItemsModule } from './segment-items/segment-items.module';
import { SegmentsModule } from './segments/segments.module';

@Module({})
export class AppModule {
  static forRoot(config: CustomerSegmentConfig, logger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ApiKitModule.forRoot({
          service: SERVICE_NAME,
          errorProfile: 'segment',
          errorTranslators: [translateMongoError],
          logger,
          openapi: {
            scopes: {
              [MANAGE]: 'Create, change and delete segments and their assignments; match products.',
              [READ]: 'Read every segment and assignment (FULL mode).',
              [READ_OWN]: 'Read the caller’s own visible segments and their items (OWN mode).',
            },
          },
        }),
        PersistenceModule.forRoot({
          uri: config.mongodbUri,
          dbName: DATABASE_NAME,
          serverSelectionTimeoutMS: config.serverSelectionTimeoutMS,
        }),
        AuthModule.forRoot(config.auth),
        CommonModule.forRoot(config),
        // Item routes first: `/segments/items` must never be read as a segment id (the router's
        // static-over-parametric rule guarantees it; the order only keeps the table readable).
        SegmentItemsModule,
        SegmentCustomersModule,
        SegmentsModule,
      ],
    };
  }
}
