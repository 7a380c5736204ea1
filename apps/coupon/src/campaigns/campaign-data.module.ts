import { Module } from '@nestjs/common';
import { CampaignCouponRepository } from './campaign-coupon.repository';
import { CampaignRepository } from './campaign.repository';

/** The campaign documents and the campaigns' coupons. */
@Module({ providers: [CampaignRepository, CampaignCouponRepository], exports: [CampaignRepository, CampaignCouponRepository] })
export class CampaignDataModule {}
