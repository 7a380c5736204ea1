import { Module } from '@nestjs/common';
import { CampaignDataModule } from './campaign-data.module';
import { CampaignRunner } from './campaign-runner';
import { CampaignWorker } from './campaign-worker';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

/** Code campaigns: the five operations, and the job runner that makes and deletes the coupons. */
@Module({
  imports: [CampaignDataModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignRunner, CampaignWorker],
})
export class CampaignsModule {}
