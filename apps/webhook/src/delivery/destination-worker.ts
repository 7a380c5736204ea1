import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { DeliverySettings } from '../config/webhook.config';
import type { WebhookConfig, WebhookConfigReader } from '../configs/webhook-config.types';
import type { AttemptResult, DeliveryAttempts } from './delivery-attempts';
import { tenantOfDestination } from './delivery-keys';
import type { DeliveryRepository } from './delivery.repository';
import type { Delivery } from './delivery.types';
import type { DestinationRepository } from './destination.repository';
import { DestinationBreaker, DestinationDocument, NEVER } from './destination.schema';

/** What a worker needs from its scheduler. */
export interface WorkerServices {
  holder: string;
  leaseMs: number;
  settings: DeliverySettings;
  deliveries: DeliveryRepository;
  destinations: DestinationRepository;
  attempts: DeliveryAttempts;
  configs: WebhookConfigReader;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Shutdown: stop starting attempts and abort those in flight. */
  stop: AbortSignal;
  /** Work was handed to other destinations (moved deliveries). */
  wake(keys: string[]): void;
}

/** How a worker ended. */
export type WorkerEnd =
  /**
   * Released, with the destination's next due time (null: idle); `poked` when this process
   * enqueued for it while the release was under way (the scheduler looks again at once).
   */
  | { released: true; dueAt: Date | null; poked: boolean }
  /**
   * Stopped without releasing: `stopped` by shutdown and `trouble` (a step failed) while still
   * holding the lease; `lost` when the lease was no longer this worker's (nothing to give back).
   */
  | { released: false; reason: 'stopped' | 'trouble' | 'lost' };

/**
 * Works one destination while its scheduler holds the lease (README "Leases"): loads its due
 * PENDING deliveries oldest first and attempts them, at most `concurrencyPerDestination` at a time
 * (one, as the breaker's probe, after the breaker was open). It acts only while the lease is valid
 * locally: renewed by the heartbeat, and younger than 80 % of the lease on this process's monotonic
 * clock, timed from before the renewal was sent, so it stops before anybody else may take over.
 * When nothing is due it releases the destination, leaving the next due time, on the condition
 * that no enqueue happened since it last looked (otherwise it looks again).
 */
export class DestinationWorker {
  readonly key: string;
  private readonly tenant: string;
  private breaker: DestinationBreaker;
  private validUntil: number;
  private lost = false;
  private trouble = false;
  private poked = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private signal?: () => void;
  private breakerWrite: Promise<void> = Promise.resolve();
  /** Aborts the attempts in flight once the lease is no longer valid locally (or on shutdown). */
  private readonly lapse = new AbortController();
  private readonly abort: AbortSignal;
  private lapseTimer?: NodeJS.Timeout;

  constructor(
    private readonly services: WorkerServices,
    claimed: DestinationDocument,
    /** performance.now() from before the claim was sent. */
    claimSentAt: number,
  ) {
    this.key = claimed._id;
    this.tenant = tenantOfDestination(claimed._id);
    this.breaker = { failures: claimed.breaker?.failures ?? 0, openUntil: claimed.breaker?.openUntil ?? NEVER };
    this.validUntil = claimSentAt + services.leaseMs * 0.8;
    this.abort = AbortSignal.any([services.stop, this.lapse.signal]);
    // Every attempt in flight listens to it (up to concurrencyPerDestination, more than Node's
    // default warning threshold of 10); each removes its listener when it ends.
    setMaxListeners(services.settings.concurrencyPerDestination + 2, this.abort);
  }

  /** New work arrived for this destination: look again even in the middle of a batch. */
  poke(): void {
    this.poked = true;
    this.notify();
  }

  async run(): Promise<WorkerEnd> {
    const heartbeat = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.services.leaseMs / 5)));
    heartbeat.unref();
    this.armLapse();
    try {
      return await this.work();
    } finally {
      clearInterval(heartbeat);
      clearTimeout(this.lapseTimer);
    }
  }

  /** Whether this worker may start an attempt now. */
  private get mayAct(): boolean {
    return !this.lost && !this.trouble && !this.services.stop.aborted && performance.now() < this.validUntil;
  }

  /**
   * An attempt may outlast the lease (its timeout may be longer): once the lease is no longer valid
   * locally, the attempts in flight are abandoned unrecorded, before another instance may take over.
   */
  private armLapse(): void {
    clearTimeout(this.lapseTimer);
    this.lapseTimer = setTimeout(() => this.lapse.abort(), Math.max(0, this.validUntil - performance.now()));
    this.lapseTimer.unref();
  }

  private breakerOpen(now = Date.now()): boolean {
    return this.breaker.openUntil.getTime() > now;
  }

  private async work(): Promise<WorkerEnd> {
    const { deliveries, destinations, holder } = this.services;
    for (;;) {
      await this.drain();
      await this.breakerWrite;
      if (!this.mayAct) return this.stopped();
      // Read the counter before looking: an enqueue after this read changes it, and the release
      // below, conditional on it, then fails and the worker looks again (no lost wake-up).
      this.poked = false;
      const seen = await destinations.enqueuedCount(this.key, holder);
      if (seen === undefined) {
        this.lost = true;
        return this.stopped();
      }
      const now = new Date();
      if (!this.breakerOpen(now.getTime()) && (await deliveries.due(this.tenant, this.key, now, [], 1)).length) continue;
      let dueAt = await deliveries.earliestPending(this.tenant, this.key);
      if (dueAt && this.breakerOpen() && dueAt < this.breaker.openUntil) dueAt = this.breaker.openUntil;
      if (!this.mayAct) return this.stopped();
      if (await destinations.release(this.key, holder, seen, dueAt)) return { released: true, dueAt, poked: this.poked };
    }
  }

  private stopped(): WorkerEnd {
    // A lease that ran out locally without a failed renewal counts as lost: it may be another's by now.
    const lost = this.lost || performance.now() >= this.validUntil;
    return { released: false, reason: lost ? 'lost' : this.services.stop.aborted ? 'stopped' : 'trouble' };
  }

  /** Attempts due deliveries until none is due, the breaker opens, or the worker may no longer act. */
  private async drain(): Promise<void> {
    const { settings } = this.services;
    const batchSize = Math.max(16, settings.concurrencyPerDestination * 4);
    const queue: Delivery[] = [];
    let config: Promise<WebhookConfig | null> | undefined;
    let exhausted = false;
    try {
      while (this.mayAct && !this.breakerOpen()) {
        // After an open period the breaker lets one probe through; its success closes it.
        const probing = this.breaker.failures >= settings.breakerFailures;
        const limit = probing ? 1 : settings.concurrencyPerDestination;
        if (this.inFlight.size >= limit) {
          await this.nextSignal();
          continue;
        }
        if (probing) queue.length = 0;
        if (!queue.length) {
          if (exhausted && !this.poked) {
            if (!this.inFlight.size) break;
            await this.nextSignal();
            continue;
          }
          this.poked = false;
          // The config is read again for every batch: a change reaches the next batch at the latest.
          config = this.readConfig();
          const batch = await this.services.deliveries.due(
            this.tenant,
            this.key,
            new Date(),
            [...this.inFlight.keys()],
            probing ? 1 : batchSize,
          );
          exhausted = batch.length < (probing ? 1 : batchSize);
          queue.push(...batch);
          if (!queue.length) continue;
        }
        this.start(queue.shift() as Delivery, config as Promise<WebhookConfig | null>);
      }
    } finally {
      // Also when loading failed: the attempts in flight end (and are recorded) before the worker does.
      await Promise.all(this.inFlight.values());
    }
  }

  private readConfig(): Promise<WebhookConfig | null> {
    const read = this.services.configs.httpConfig(this.tenant);
    read.catch(() => undefined); // handled where it is awaited
    return read;
  }

  private start(delivery: Delivery, config: Promise<WebhookConfig | null>): void {
    const run = (async () => {
      try {
        const result = await this.services.attempts.attempt(delivery, await config, this.abort);
        this.observe(result);
      } catch (e) {
        // The database or the config could not be read: stop and let the lease run out or be
        // released; the delivery stays PENDING and is attempted again (at least once).
        this.trouble = true;
        this.services.logger.warn({ destination: this.key, deliveryId: delivery.id, err: e }, 'webhook delivery step failed');
      } finally {
        this.inFlight.delete(delivery.id);
        this.notify();
      }
    })();
    this.inFlight.set(delivery.id, run);
  }

  /** The breaker (README "Circuit breaker"): consecutive failed attempts open it; a success closes it. */
  private observe(result: AttemptResult): void {
    const { settings } = this.services;
    if (result.kind === 'moved') this.services.wake([result.key]);
    if (result.kind === 'stale') this.lost = true;
    if (result.kind === 'succeeded' && (this.breaker.failures > 0 || this.breaker.openUntil > NEVER)) {
      this.saveBreaker({ failures: 0, openUntil: NEVER });
    } else if (result.kind === 'failed') {
      const failures = this.breaker.failures + 1;
      const opens = failures >= settings.breakerFailures && !this.breakerOpen();
      this.saveBreaker({ failures, openUntil: opens ? new Date(Date.now() + settings.breakerOpenMs) : this.breaker.openUntil });
      if (opens) this.services.logger.info({ destination: this.key, failures }, 'webhook destination breaker opened');
    }
  }

  /** Breaker changes are written in order, one after another, so the last state is the stored one. */
  private saveBreaker(next: DestinationBreaker): void {
    this.breaker = next;
    const { destinations, holder } = this.services;
    this.breakerWrite = this.breakerWrite.then(() =>
      destinations.saveBreaker(this.key, holder, this.breaker).catch((e) => {
        this.services.logger.warn({ destination: this.key, err: e }, 'webhook destination breaker not stored');
      }),
    );
  }

  private async renew(): Promise<void> {
    if (this.lost) return;
    const sent = performance.now();
    try {
      if (await this.services.destinations.renew(this.key, this.services.holder, new Date(), this.services.leaseMs)) {
        this.validUntil = sent + this.services.leaseMs * 0.8;
        this.armLapse();
      } else {
        this.lost = true;
        this.lapse.abort();
        this.notify();
      }
    } catch {
      // The database is unavailable: the lease runs out locally by itself.
    }
  }

  private nextSignal(): Promise<void> {
    return new Promise((resolve) => {
      this.signal = resolve;
      // A worker waiting for in-flight attempts also re-checks its lease now and then.
      setTimeout(resolve, 1000).unref();
    });
  }

  private notify(): void {
    const signal = this.signal;
    this.signal = undefined;
    signal?.();
  }
}
