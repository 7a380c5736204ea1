import { Module } from '@nestjs/common';
import { ItemAssignmentsRepository } from './item-assignments.repository';

/** The item-assignments collection (item endpoints, cascade, match, category trees). */
@Module({ providers: [ItemAssignmentsRepository], exports: [ItemAssignmentsRepository] })
export class ItemAssignmentDataModule {}
