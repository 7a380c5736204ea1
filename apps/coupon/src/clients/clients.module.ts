import { Module } from '@nestjs/common';
import { CustomerSegmentClient, customerSegmentClientProvider } from './customer-segment.client';

/** Peer clients (S2S-1): the customer-segment service, asked by rule R12 (coupon §10). */
@Module({ providers: [customerSegmentClientProvider], exports: [CustomerSegmentClient] })
export class ClientsModule {}
