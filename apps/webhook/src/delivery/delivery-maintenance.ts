import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import { PeriodicPass } from '@suite/foundation';
import type { Logger } from 'pino';
import { DeliveryRepository } from './delivery.repository';
import { DestinationRepository } from './destination.repository';

/** Completed deliveries (and idle destinations) are kept this long (README "Retention"). */
export const DELIVERY_RETENTION_MS = 7 * 24 * 3_600_000;
/** How often each instance runs the maintenance pass. */
export const MAINTENANCE_INTERVAL_MS = 10 * 60_000;
/** A PENDING delivery overdue by this much while its destination is not due is re-announced. */
const OVERDUE_MS = 60_000;
const SWEEP_LIMIT = 1000;

/**
 * The delivery engine's housekeeping, per tenant that has destinations: removes deliveries
 * completed more than 7 days ago (like the outbox's published entries), re-announces destinations
 * of PENDING deliveries that are long overdue (the safety net for an enqueue or a move whose
 * announcement failed after the delivery was written: no transactions, EVT-4), and removes idle
 * destinations untouched for 7 days. Every step is idempotent, so instances running it at the
 * same time do no harm.
 */
@Injectable()
export class DeliveryMaintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly passes = new PeriodicPass(() => this.run(), MAINTENANCE_INTERVAL_MS);

  constructor(
    private readonly destinations: DestinationRepository,
    private readonly deliveries: DeliveryRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.passes.stop();
  }

  /** One pass; resolves what it did (logged, and read by tests). */
  async run(now = new Date()): Promise<{ purged: number; reannounced: number; idleRemoved: number }> {
    const result = { purged: 0, reannounced: 0, idleRemoved: 0 };
    try {
      const cutoff = new Date(now.getTime() - DELIVERY_RETENTION_MS);
      for (const tenant of await this.destinations.tenants()) {
        result.purged += await this.deliveries.purgeCompletedBefore(tenant, cutoff);
        const overdue = await this.deliveries.overdueDestinations(tenant, new Date(now.getTime() - OVERDUE_MS), SWEEP_LIMIT);
        await this.destinations.announce(
          overdue.map((d) => ({ key: d.destinationKey, tenant, url: d.url, count: 1 })),
          now,
        );
        result.reannounced += overdue.length;
      }
      result.idleRemoved = await this.destinations.purgeIdle(cutoff, now);
      if (result.purged || result.idleRemoved) this.logger.info(result, 'webhook delivery maintenance');
    } catch (e) {
      this.logger.warn({ err: e }, 'webhook delivery maintenance failed; the next pass retries');
    }
    return result;
  }
}
