import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { Campaign } from './campaign.types';

/**
 * `<tenant>_coupon_campaigns`: one document per code campaign, the job's record and its lease.
 * `leaseOwner`/`leaseUntil` say which app instance works on a RUNNING or DELETING campaign and
 * until when; an instance claims a campaign only once `leaseUntil` has passed, and renews it with
 * every batch (the heartbeat). `leaseUntil` is the epoch when nobody holds the campaign.
 */
export interface CampaignDocument extends Omit<Campaign, 'id'> {
  _id: string;
  leaseOwner?: string;
  leaseUntil: Date;
}

const campaignSchema = new Schema<CampaignDocument>(
  {
    _id: String,
    name: String,
    status: String,
    requested: Number,
    created: Number,
    codePattern: Schema.Types.Mixed,
    template: Schema.Types.Mixed,
    failure: Schema.Types.Mixed,
    completedAt: Date,
    createdBy: Schema.Types.Mixed,
    deletion: Schema.Types.Mixed,
    metadata: Schema.Types.Mixed,
    leaseOwner: String,
    leaseUntil: Date,
  },
  { versionKey: false, minimize: false },
);
// The runner's claim: an active status whose lease has run out.
campaignSchema.index({ status: 1, leaseUntil: 1 }, { name: 'claim' });

export const CAMPAIGN_ENTITY = defineEntity<CampaignDocument>('coupon_campaigns', campaignSchema);
