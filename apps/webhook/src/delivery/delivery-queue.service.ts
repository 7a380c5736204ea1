import { Injectable } from '@nestjs/common';
import { DeliveryScheduler } from './delivery-scheduler';
import { deliveryIdOf, pendingDelivery } from './delivery-keys';
import { DeliveryRepository } from './delivery.repository';
import { Delivery, DeliveryQueue, NewDelivery } from './delivery.types';
import { DestinationRepository, DestinationWork } from './destination.repository';

/**
 * The delivery engine's intake (README "Delivery"): stores the deliveries (a repeated one is
 * ignored), then announces them to their destinations, then wakes this instance's scheduler, so a
 * delivery is attempted within milliseconds without waiting for a poll. The order matters without
 * transactions: a worker releasing a destination watches the counter the announcement bumps, and
 * the announcement follows the insert, so no delivery is stored without its destination knowing.
 */
@Injectable()
export class DeliveryQueueService extends DeliveryQueue {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly destinations: DestinationRepository,
    private readonly scheduler: DeliveryScheduler,
  ) {
    super();
  }

  async enqueue(tenant: string, list: readonly NewDelivery[]): Promise<void> {
    if (!list.length) return;
    const now = new Date();
    const records = new Map<string, Delivery>();
    for (const n of list) {
      const id = deliveryIdOf(n.eventId, n.entryId);
      if (records.has(id)) continue;
      records.set(id, pendingDelivery(tenant, id, n, now));
    }
    await this.store(tenant, [...records.values()], now);
  }

  /**
   * Stores new PENDING deliveries and announces them. Every destination of the batch is announced,
   * also those whose deliveries existed already: a batch sent again after a failed announcement
   * repairs it.
   */
  async store(tenant: string, records: readonly Delivery[], now = new Date()): Promise<void> {
    await this.deliveries.insertNew(tenant, records);
    await this.announce(tenant, records, now);
  }

  /** Announces PENDING deliveries to their destinations and wakes the scheduler. */
  async announce(tenant: string, records: readonly Pick<Delivery, 'destinationKey' | 'url'>[], now = new Date()): Promise<void> {
    const work = new Map<string, DestinationWork>();
    for (const r of records) {
      const w = work.get(r.destinationKey);
      if (w) w.count += 1;
      else work.set(r.destinationKey, { key: r.destinationKey, tenant, url: r.url, count: 1 });
    }
    await this.destinations.announce([...work.values()], now);
    this.scheduler.wake([...work.keys()]);
  }
}
