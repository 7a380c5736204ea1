import { Module } from '@nestjs/common';
import { CustomerAssignmentsRepository } from './customer-assignments.repository';

/** The customer-assignments collection (membership, cascade, customer endpoints). */
@Module({ providers: [CustomerAssignmentsRepository], exports: [CustomerAssignmentsRepository] })
export class CustomerAssignmentDataModule {}
