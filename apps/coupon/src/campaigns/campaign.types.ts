import type { StoredMetadata } from '@suite/api-kit';
import type { ActorType } from '@suite/api-kit';
import type { CouponFields } from '../coupons/coupon.types';

/**
 * RUNNING: coupons are being generated; COMPLETED: exactly `requested` coupons exist; FAILED: the
 * code space ran out of free codes before `requested` was reached; DELETING: the campaign's coupons
 * are being deleted; DELETED: they are (the campaign document stays as a record).
 */
export const CAMPAIGN_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'DELETING', 'DELETED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** The statuses the job runner works on. */
export const ACTIVE_STATUSES: readonly CampaignStatus[] = ['RUNNING', 'DELETING'];

/** How a campaign's codes are made: `prefix` + `length` characters of `alphabet` + `suffix`, all upper case. */
export interface CodePattern {
  prefix: string;
  suffix: string;
  length: number;
  alphabet: string;
}

/** Who asked for a change, for the events the job runner emits later in that request's name (EVT-1). */
export interface CampaignActor {
  requestId: string;
  principalType: ActorType;
  subject: string;
}

export interface CampaignDeletion extends CampaignActor {
  /** The tenant's `couponPermanentDelete` when the deletion was requested. */
  permanent: boolean;
  requestedAt: Date;
}

/** A campaign as the repository returns it: plain data, no lease internals. */
export interface Campaign {
  id: string;
  name?: string;
  status: CampaignStatus;
  requested: number;
  /** Progress: the coupons that carried the campaign's id at the last heartbeat (the truth is their count). */
  created: number;
  codePattern: CodePattern;
  template: CouponFields;
  failure?: { type: string; message: string };
  completedAt?: Date;
  createdBy: CampaignActor;
  deletion?: CampaignDeletion;
  metadata: StoredMetadata;
}
