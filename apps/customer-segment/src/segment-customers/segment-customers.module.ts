import { Module } from '@nestjs/common';
import { VisibilityModule } from '../visibility/visibility.module';
import { CustomerAssignmentDataModule } from './customer-assignment-data.module';
import { SegmentCustomersController } from './segment-customers.controller';
import { SegmentCustomersService } from './segment-customers.service';

@Module({
  imports: [CustomerAssignmentDataModule, VisibilityModule],
  controllers: [SegmentCustomersController],
  providers: [SegmentCustomersService],
})
export class SegmentCustomersModule {}
