import { Module } from '@nestjs/common';
import { RulesModule } from '../rules/rules.module';
import { ProfileDataModule } from './profile-data.module';
import { ProfilesController } from './profiles.controller';
import { EvaluationSweep } from './evaluation-sweep.service';
import { ProfilesService } from './profiles.service';

/** Shopper profiles (README "Shopper profiles"). */
@Module({
  imports: [ProfileDataModule, RulesModule],
  controllers: [ProfilesController],
  providers: [ProfilesService, EvaluationSweep],
  exports: [ProfilesService],
})
export class ProfilesModule {}
