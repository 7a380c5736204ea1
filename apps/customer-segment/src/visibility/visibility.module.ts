import { Module } from '@nestjs/common';
import { CustomerAssignmentDataModule } from '../segment-customers/customer-assignment-data.module';
import { SegmentDataModule } from '../segments/segment-data.module';
import { SegmentVisibility } from './segment-visibility.service';

@Module({ imports: [SegmentDataModule, CustomerAssignmentDataModule], providers: [SegmentVisibility], exports: [SegmentVisibility] })
export class VisibilityModule {}
