import { Module } from '@nestjs/common';
import { SegmentDataModule } from '../segments/segment-data.module';
import { MembershipKeysRepository } from './membership-keys.repository';
import { SegmentVisibility } from './segment-visibility.service';

@Module({ imports: [SegmentDataModule], providers: [SegmentVisibility, MembershipKeysRepository], exports: [SegmentVisibility] })
export class VisibilityModule {}
