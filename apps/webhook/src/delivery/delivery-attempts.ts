import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import type { Logger } from 'pino';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import type { WebhookConfig } from '../configs/webhook-config.types';
import { StatisticsCounters } from '../statistics/statistics-counters';
import { destinationKeyOf, tenantOfDestination } from './delivery-keys';
import { deliveryHeaders } from './delivery-request';
import { DeliverySender } from './delivery-sender';
import { resolveTarget } from './delivery-target';
import { deliveryMetrics } from './delivery.metrics';
import { DeliveryRepository } from './delivery.repository';
import { Delivery, DeliveryAttempt, MAX_KEPT_ATTEMPTS } from './delivery.types';
import { DestinationRepository } from './destination.repository';

/** What one step of a delivery came to, as the destination's worker needs to know it. */
export type AttemptResult =
  | { kind: 'succeeded' }
  | { kind: 'failed'; dead: boolean }
  /** Its target is gone or inactive: dropped without an attempt. */
  | { kind: 'cancelled' }
  /** Its target's URL changed: handed to that URL's destination (`key`) without an attempt. */
  | { kind: 'moved'; key: string }
  /** Changed by someone else since it was read (a lost lease): nothing recorded. */
  | { kind: 'stale' }
  /** Stopped by shutdown before an answer: nothing recorded, the next holder attempts again. */
  | { kind: 'aborted' };

/** ±20 % around the scheduled wait (README "Retry schedule"), so retries of many deliveries spread out. */
export function jittered(waitMs: number, random: () => number = Math.random): number {
  return Math.round(waitMs * (0.8 + 0.4 * random()));
}

/**
 * One step of one delivery (README "Delivery"): the target is read from the tenant's current
 * config; a gone or inactive target cancels, a changed URL moves the delivery, otherwise one
 * attempt is made and its outcome recorded with one guarded update (success, the next attempt of
 * the retry schedule, or the dead letter), then counted in the statistics.
 */
@Injectable()
export class DeliveryAttempts {
  private readonly schedule: readonly number[];

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly destinations: DestinationRepository,
    private readonly statistics: StatisticsCounters,
    private readonly sender: DeliverySender,
    @Inject(WEBHOOK_CONFIG) config: WebhookServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.schedule = config.delivery.retryScheduleMs;
  }

  async attempt(delivery: Delivery, config: WebhookConfig | null, stop?: AbortSignal): Promise<AttemptResult> {
    const tenant = tenantOfDestination(delivery.destinationKey);
    const resolved = resolveTarget(config, delivery.entryId);
    if ('cancel' in resolved) {
      const now = new Date();
      const done = await this.deliveries.record(tenant, delivery, {
        state: 'CANCELLED',
        reason: resolved.cancel,
        nextAttemptAt: null,
        completedAt: now,
      });
      if (!done) return { kind: 'stale' };
      deliveryMetrics.completed('CANCELLED');
      this.count(tenant, now, { cancelled: 1 });
      return { kind: 'cancelled' };
    }
    const { target } = resolved;
    if (target.url !== delivery.url) {
      // Moved first, announced second (like an enqueue): the new destination's worker cannot
      // release it unseen, since the announcement bumps its `enqueued` counter after the move.
      const key = destinationKeyOf(tenant, target.url);
      if (!(await this.deliveries.move(tenant, delivery, target.url, key))) return { kind: 'stale' };
      await this.destinations.announce([{ key, tenant, url: target.url, count: 1 }], new Date());
      return { kind: 'moved', key };
    }
    const at = new Date();
    const number = delivery.attemptCount + 1;
    const headers = deliveryHeaders(delivery, target, at, number);
    const sent = await this.sender.send({ url: target.url, body: delivery.body, headers }, stop);
    if (sent.aborted) return { kind: 'aborted' };
    deliveryMetrics.attempt(sent.outcome, sent.durationMs);
    const attempt: DeliveryAttempt = { at, durationMs: sent.durationMs, url: target.url, headerNames: Object.keys(headers) };
    if (sent.statusCode !== undefined) attempt.statusCode = sent.statusCode;
    if (sent.error !== undefined) attempt.error = sent.error;
    if (sent.responseExcerpt !== undefined) attempt.responseExcerpt = sent.responseExcerpt;
    const attempts = [...delivery.attempts, attempt].slice(-MAX_KEPT_ATTEMPTS);
    const end = new Date();
    if (sent.outcome === 'success') {
      const done = await this.deliveries.record(tenant, delivery, {
        state: 'SUCCEEDED',
        attemptCount: number,
        attempts,
        nextAttemptAt: null,
        completedAt: end,
      });
      if (!done) return { kind: 'stale' };
      deliveryMetrics.completed('SUCCEEDED', delivery.createdAt, end);
      this.count(tenant, end, { succeeded: 1 });
      return { kind: 'succeeded' };
    }
    // The wait before attempt n+1 is the schedule's n-th entry; past its end the delivery is dead.
    const wait = this.schedule[number - 1];
    const dead = wait === undefined;
    const done = await this.deliveries.record(
      tenant,
      delivery,
      dead
        ? {
            state: 'FAILED',
            attemptCount: number,
            attempts,
            nextAttemptAt: null,
            completedAt: end,
            reason: `no 2xx answer after ${number} attempt${number === 1 ? '' : 's'}; last: ${sent.error ?? `status ${sent.statusCode}`}`,
          }
        : { attemptCount: number, attempts, nextAttemptAt: new Date(end.getTime() + jittered(wait)) },
    );
    if (!done) return { kind: 'stale' };
    if (dead) deliveryMetrics.completed('FAILED');
    this.count(tenant, end, dead ? { failedAttempts: 1, deadLettered: 1 } : { failedAttempts: 1 });
    return { kind: 'failed', dead };
  }

  /** Summed in memory and written in batches (StatisticsCounters); best effort, never fails a delivery. */
  private count(tenant: string, at: Date, counts: Parameters<StatisticsCounters['add']>[2]): void {
    this.statistics.add(tenant, at, counts);
  }
}
