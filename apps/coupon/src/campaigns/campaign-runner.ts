import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import type { Logger } from 'pino';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { CampaignRepository } from './campaign.repository';
import type { Campaign } from './campaign.types';
import { CampaignWorker } from './campaign-worker';

/**
 * Runs code campaigns in the background of every app instance (README "Code campaigns"). At
 * start, every `pollMs` and whenever a request asks (`kick`), it claims RUNNING and DELETING
 * campaigns of any tenant whose lease ran out, up to `workers` at once. The lease lives in the
 * campaign document, so with several instances exactly one works on a campaign, and a campaign
 * whose holder died is taken over once its lease (`leaseMs`) has run out. Leases compare wall
 * clocks of different instances: their skew must stay well below `leaseMs`.
 *
 * Shutdown stops before the connection closes (`beforeApplicationShutdown` runs before any
 * module's `onApplicationShutdown`, where mongoose closes it): no new claims, the batches in
 * flight finish, and the leases are given back so another instance resumes at once.
 */
@Injectable()
export class CampaignRunner implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  /** This instance, as the `leaseOwner` of the campaigns it works on. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly active = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private pollAgain = false;
  private stopping = false;

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly worker: CampaignWorker,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.campaigns.workers === 0) return;
    this.timer = setInterval(() => this.kick(), this.config.campaigns.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for work now (after a create or a delete request), instead of at the next poll. */
  kick(): void {
    if (this.stopping || !this.timer) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.poll()
      .catch((e: unknown) => this.logger.warn({ err: e }, 'code campaign poll failed'))
      .finally(() => {
        this.polling = undefined;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.kick();
        }
      });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Idempotent: no new claims; waits for the work in flight, which gives its leases back. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    await Promise.all(this.active.values());
  }

  private async poll(): Promise<void> {
    const { workers, leaseMs } = this.config.campaigns;
    if (this.active.size >= workers) return;
    const tenants = await this.campaigns.tenantsWithCampaigns();
    // A random order, so that no tenant's campaigns wait behind another's for ever.
    for (const tenant of tenants.sort(() => Math.random() - 0.5)) {
      while (this.active.size < workers && !this.stopping) {
        const claimed = await this.campaigns.claim(tenant, this.owner, new Date(), leaseMs);
        if (!claimed) break;
        this.start(tenant, claimed);
      }
      if (this.active.size >= workers || this.stopping) return;
    }
  }

  private start(tenant: string, campaign: Campaign): void {
    const key = `${tenant}/${campaign.id}`;
    const handle = { owner: this.owner, stopping: () => this.stopping };
    const work = this.worker
      .run(tenant, campaign, handle)
      .then(
        // A no-op after a recorded end; after a stop, another instance (or the next start) goes on at once.
        () => this.campaigns.release(tenant, campaign.id, this.owner),
        // The lease is kept: the campaign is retried once it runs out, not in a tight loop.
        (e: unknown) =>
          this.logger.error({ err: e, tenant, campaignId: campaign.id }, 'code campaign step failed; retried after the lease'),
      )
      .catch((e: unknown) => this.logger.warn({ err: e, tenant, campaignId: campaign.id }, 'code campaign lease not released'))
      .finally(() => {
        this.active.delete(key);
        this.kick();
      });
    this.active.set(key, work);
  }
}
