import { Inject, Injectable } from '@nestjs/common';
import { EVENT_TYPES, EventType, LOGGER } from '@suite/api-kit';
import { ChangeEvents } from '@suite/persistence';
import type { Logger } from 'pino';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { CampaignCouponRepository } from './campaign-coupon.repository';
import { caseVariantsPattern, CodeDrawer } from './campaign-codes';
import { toCampaignView } from './campaign.mapper';
import { CampaignRepository } from './campaign.repository';
import type { Campaign, CampaignActor } from './campaign.types';

/**
 * Batches in a row that wrote nothing before the code space counts as used up even though draws
 * still found codes not known to be taken (each such batch learns its codes as taken, so this only
 * bounds a pathological run).
 */
const IDLE_ROUNDS = 100;

/** What the worker needs of its runner: who it is, and whether it should stop after this batch. */
export interface WorkerHandle {
  owner: string;
  stopping(): boolean;
}

/**
 * The work on one claimed campaign (README "Code campaigns"): generating its coupons, then, if
 * asked, deleting them. Only the lease holder works on a campaign, and it renews the lease with
 * every batch; a lost lease stops it before its next write.
 *
 * Exactly `requested` coupons, whatever dies when: the truth is the number of coupons that carry
 * the campaign id, counted when the work starts (or resumes), after which the holder, as the only
 * writer, adds what each unordered insert reports. A taken code (the unique `_id`, or a stored code
 * that differs only by case) only loses its own document; it is remembered and drawn again.
 */
@Injectable()
export class CampaignWorker {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly coupons: CampaignCouponRepository,
    private readonly events: ChangeEvents,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(tenant: string, claimed: Campaign, handle: WorkerHandle): Promise<void> {
    let campaign: Campaign | null = claimed;
    if (campaign.status === 'RUNNING') campaign = await this.generate(tenant, campaign, handle);
    if (campaign?.status === 'DELETING') await this.remove(tenant, campaign, handle);
  }

  /** Returns the campaign when it has to be deleted now (still leased), null when the work ended. */
  private async generate(tenant: string, campaign: Campaign, handle: WorkerHandle): Promise<Campaign | null> {
    const { id, requested, codePattern } = campaign;
    // One scan of the tenant's coupons and one count: long for a large tenant, so under a heartbeat.
    const [taken, counted] = await this.keepingLease(tenant, id, handle, () =>
      Promise.all([this.coupons.caseVariants(tenant, caseVariantsPattern(codePattern)), this.coupons.countForCampaign(tenant, id)]),
    );
    let created = counted;
    let current = await this.renew(tenant, id, handle, created);
    const drawer = new CodeDrawer(codePattern);
    let idle = 0;
    while (current?.status === 'RUNNING') {
      if (created >= requested) {
        created = await this.settle(tenant, id, requested);
        if (created >= requested) return this.end(tenant, current, handle, { status: 'COMPLETED', created });
        current = await this.renew(tenant, id, handle, created); // coupons were removed meanwhile: go on
        continue;
      }
      if (handle.stopping()) return null;
      const codes = drawer.draw(Math.min(this.config.campaigns.batchSize, requested - created), taken);
      const batch = await this.coupons.insertBatch(tenant, id, codes, campaign.template, new Date());
      for (const code of batch.taken) taken.add(code);
      created += batch.inserted;
      idle = batch.inserted > 0 ? 0 : idle + 1;
      // Used up: no code is left that is not known to be taken.
      const exhausted = codes.length === 0 || idle >= IDLE_ROUNDS;
      current = await this.renew(tenant, id, handle, created);
      if (current?.status === 'RUNNING' && exhausted) {
        const failure = {
          type: 'code_space_exhausted',
          message: `only ${created} of ${requested} codes could be made: the pattern has no free codes left`,
        };
        await this.end(tenant, current, handle, { status: 'FAILED', created, failure });
        return null;
      }
    }
    return current;
  }

  /**
   * The true count once the holder believes it is done. A surplus can only come from a stalled
   * insert that outlived its lease while another instance went on; it is removed, so the campaign
   * still ends with exactly the requested count.
   */
  private async settle(tenant: string, id: string, requested: number): Promise<number> {
    const total = await this.coupons.countForCampaign(tenant, id);
    if (total <= requested) return total;
    this.logger.error({ tenant, campaignId: id, total, requested }, 'code campaign overshot its count; removing the surplus');
    await this.coupons.trim(tenant, id, total - requested);
    return this.coupons.countForCampaign(tenant, id);
  }

  /** Records the end of the generation; a guard miss means the campaign is being deleted now (or the lease is gone). */
  private async end(
    tenant: string,
    campaign: Campaign,
    handle: WorkerHandle,
    outcome: { status: 'COMPLETED' | 'FAILED'; created: number; failure?: Campaign['failure'] },
  ): Promise<Campaign | null> {
    const now = new Date();
    const finished = await this.campaigns.finish(tenant, campaign.id, handle.owner, 'RUNNING', outcome, now);
    if (!finished) return this.renew(tenant, campaign.id, handle);
    await this.announce(tenant, finished, finished.createdBy, EVENT_TYPES.coupon.campaignCompleted, now);
    return null;
  }

  /**
   * Deletes the campaign's coupons in batches (idempotent, so a successor simply starts over):
   * permanently where the tenant asked for it and the coupon was never redeemed, softly otherwise
   * (a redeemed coupon keeps its redemption history readable, §6.6).
   */
  private async remove(tenant: string, campaign: Campaign, handle: WorkerHandle): Promise<void> {
    const { id } = campaign;
    const permanent = campaign.deletion?.permanent === true;
    for await (const codes of this.coupons.codes(tenant, id, this.config.campaigns.batchSize, false)) {
      if (handle.stopping()) return;
      if (permanent) await this.coupons.removeUnredeemed(tenant, id, codes);
      await this.coupons.softDelete(tenant, id, codes, new Date());
      if (!(await this.renew(tenant, id, handle))) return;
    }
    const now = new Date();
    const finished = await this.campaigns.finish(tenant, id, handle.owner, 'DELETING', { status: 'DELETED' }, now);
    if (finished) await this.announce(tenant, finished, finished.deletion ?? finished.createdBy, EVENT_TYPES.coupon.campaignDeleted, now);
  }

  /**
   * Runs a step that can outlast the lease (a scan of a large collection) while renewing the lease
   * every third of it, so no other instance takes the campaign over meanwhile.
   */
  private async keepingLease<T>(tenant: string, id: string, handle: WorkerHandle, step: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void this.renew(tenant, id, handle).catch(() => undefined), this.config.campaigns.leaseMs / 3);
    try {
      return await step();
    } finally {
      clearInterval(timer);
    }
  }

  private renew(tenant: string, id: string, handle: WorkerHandle, created?: number): Promise<Campaign | null> {
    return this.campaigns.renew(tenant, id, handle.owner, new Date(), this.config.campaigns.leaseMs, created);
  }

  /** The event in the name of the request that asked for the change (EVT-1 `requestid`, actor). */
  private announce(tenant: string, campaign: Campaign, actor: CampaignActor, type: EventType, time: Date): Promise<void> {
    const origin = { tenant, requestId: actor.requestId, auth: { principalType: actor.principalType, subject: actor.subject } };
    return this.events.emit(origin, {
      type,
      subject: campaign.id,
      version: campaign.metadata.version,
      time,
      data: toCampaignView(campaign),
    });
  }
}
