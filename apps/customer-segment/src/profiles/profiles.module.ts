import { Module } from '@nestjs/common';
import { RuleMembership } from '../rules/rule-membership.service';
import { CustomerAssignmentDataModule } from '../segment-customers/customer-assignment-data.module';
import { SegmentDataModule } from '../segments/segment-data.module';
import { ProfilesController } from './profiles.controller';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';

/** Shopper profiles (README "Shopper profiles"). */
@Module({
  imports: [SegmentDataModule, CustomerAssignmentDataModule],
  controllers: [ProfilesController],
  providers: [ProfilesRepository, ProfilesService, RuleMembership],
  exports: [ProfilesRepository, RuleMembership],
})
export class ProfilesModule {}
