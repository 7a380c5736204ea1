import { Module } from '@nestjs/common';
import { CustomersDataModule } from '../segment-customers/customers-data.module';
import { SegmentsDataModule } from '../segments/segments-data.module';
import { SegmentVisibility } from './segment-visibility.service';

@Module({ imports: [SegmentsDataModule, CustomersDataModule], providers: [SegmentVisibility], exports: [SegmentVisibility] })
export class VisibilityModule {}
