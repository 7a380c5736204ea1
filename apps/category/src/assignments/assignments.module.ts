import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { AssignmentsController } from './assignments.controller';
import { AssignmentsService } from './assignments.service';

/** Product assignments (ops 11–20). */
@Module({
  imports: [CategoriesModule],
  controllers: [AssignmentsController],
  providers: [AssignmentsService],
})
export class AssignmentsModule {}
