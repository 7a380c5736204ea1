import { Module } from '@nestjs/common';
import { ProfileDataModule } from '../profiles/profile-data.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { CustomerAssignmentDataModule } from '../segment-customers/customer-assignment-data.module';
import { SegmentDataModule } from '../segments/segment-data.module';
import { BulkIoController } from './bulk-io.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';
import { MemberExport } from './member-export.service';

/** Bulk in and out (README "Bulk in and out"). */
@Module({
  imports: [SegmentDataModule, CustomerAssignmentDataModule, ProfileDataModule, ProfilesModule],
  controllers: [BulkIoController],
  providers: [MemberExport, ImportsRepository, ImportsService],
})
export class BulkIoModule {}
