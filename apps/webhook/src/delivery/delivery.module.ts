import { Module } from '@nestjs/common';

/** Placeholder until the feature lands (replaced by its owner). */
@Module({})
export class DeliveryModule {}
