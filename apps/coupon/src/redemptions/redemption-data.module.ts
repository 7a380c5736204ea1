import { Module } from '@nestjs/common';
import { CustomerUsageRepository } from './customer-usage.repository';
import { RedemptionRepository } from './redemption.repository';

/** The redemption records and per-customer counters, shared by redemptions and the coupon cascade delete. */
@Module({ providers: [RedemptionRepository, CustomerUsageRepository], exports: [RedemptionRepository, CustomerUsageRepository] })
export class RedemptionDataModule {}
