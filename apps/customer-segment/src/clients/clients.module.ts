import { Module } from '@nestjs/common';
import { PeerClients } from '@suite/auth';
import { CUSTOMER_SEGMENT_CONFIG, CustomerSegmentConfig } from '../config/customer-segment.config';
import { CATEGORY_HTTP, CategoryClient } from './category.client';

/**
 * Peer clients (S2S-1): the category service's `ServiceHttpClient`, made by `PeerClients` (this
 * service's own tokens, closed with the application); none without `CATEGORY_URL`.
 */
@Module({
  providers: [
    {
      provide: CATEGORY_HTTP,
      inject: [PeerClients, CUSTOMER_SEGMENT_CONFIG],
      useFactory: (peers: PeerClients, config: CustomerSegmentConfig) =>
        peers.create({ service: 'category', baseUrl: config.categoryUrl, breaker: { openMs: config.peerBreakerOpenMs } }) ?? null,
    },
    CategoryClient,
  ],
  exports: [CategoryClient],
})
export class ClientsModule {}
