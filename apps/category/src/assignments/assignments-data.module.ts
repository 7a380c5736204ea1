import { Module } from '@nestjs/common';
import { AssignmentsRepository } from './assignments.repository';

/** The assignments collection (assignment endpoints and the cascade of a category delete). */
@Module({ providers: [AssignmentsRepository], exports: [AssignmentsRepository] })
export class AssignmentsDataModule {}
