import { Module } from '@nestjs/common';
import { ProfileDataModule } from '../profiles/profile-data.module';
import { CustomerAssignmentDataModule } from '../segment-customers/customer-assignment-data.module';
import { SegmentDataModule } from '../segments/segment-data.module';
import { ExclusionsRepository } from './exclusions.repository';
import { Exclusions } from './exclusions.service';
import { Explanations } from './explanations.service';
import { RuleEvaluation } from './rule-evaluation.service';
import { RuleEpochsRepository } from './rule-epochs.repository';
import { RuleJobsRepository } from './rule-jobs.repository';
import { RuleMembership } from './rule-membership.service';
import { RulesController } from './rules.controller';

/** Rule-based membership (README "Rule-based segments"): per profile write, and per rule change as a job. */
@Module({
  imports: [ProfileDataModule, SegmentDataModule, CustomerAssignmentDataModule],
  controllers: [RulesController],
  providers: [RuleMembership, RuleEvaluation, RuleJobsRepository, Explanations, ExclusionsRepository, Exclusions, RuleEpochsRepository],
  exports: [RuleMembership, RuleEvaluation, ExclusionsRepository, RuleEpochsRepository, RuleJobsRepository],
})
export class RulesModule {}
