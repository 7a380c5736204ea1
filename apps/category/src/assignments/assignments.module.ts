import { Module } from '@nestjs/common';
import { CategoriesDataModule } from '../categories/categories-data.module';
import { CategoriesModule } from '../categories/categories.module';
import { CustomerSegmentClient } from '../clients/customer-segment.client';
import { AssignmentListingService } from './assignment-listing.service';
import { AssignmentsDataModule } from './assignments-data.module';
import { AssignmentsController } from './assignments.controller';
import { AssignmentsService } from './assignments.service';

/** Product assignments (ops 11–20). */
@Module({
  imports: [AssignmentsDataModule, CategoriesDataModule, CategoriesModule],
  controllers: [AssignmentsController],
  providers: [AssignmentsService, AssignmentListingService, CustomerSegmentClient],
})
export class AssignmentsModule {}
