import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import type { Logger } from 'pino';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import { FeedEventRepository } from './feed-event.repository';
import { FEED_PURGE_INTERVAL_MS } from './feed-settings';

/** Tenants remembered at most; past it the memory starts over (a tenant then purges once more, harmlessly). */
const MAX_TRACKED_TENANTS = 10_000;

/**
 * The feed's retention (README "Event feed", "Retention"): events received more than
 * `feedRetentionMs` ago are deleted. Each ingestion and each feed read of a tenant starts a purge of
 * that tenant unless this instance ran one in the last minute. Every instance may purge: deleting
 * what is expired is idempotent, and the feed never shows an expired event in the meantime.
 */
@Injectable()
export class FeedRetention {
  private readonly lastPurge = new Map<string, number>();

  constructor(
    private readonly events: FeedEventRepository,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The instant before which events are expired. */
  cutoff(now = Date.now()): Date {
    return new Date(now - this.config.feedRetentionMs);
  }

  /** Starts the tenant's purge when it is due; never waits for it and never fails the caller. */
  touch(tenant: string, now = Date.now()): void {
    const last = this.lastPurge.get(tenant);
    if (last !== undefined && now - last < FEED_PURGE_INTERVAL_MS) return;
    if (this.lastPurge.size >= MAX_TRACKED_TENANTS) this.lastPurge.clear();
    this.lastPurge.set(tenant, now);
    this.events.purgeReceivedBefore(tenant, this.cutoff(now)).catch((e: unknown) => {
      // Due again at the next request: a failed purge only delays the deletion.
      this.lastPurge.delete(tenant);
      this.logger.warn({ err: e, tenant }, 'feed retention purge failed; retried at the next request');
    });
  }
}
