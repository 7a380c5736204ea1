import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import type { Logger } from 'pino';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import { WebhookConfigReader } from '../configs/webhook-config.types';
import { DeliveryAttempts } from './delivery-attempts';
import { DeliveryRepository } from './delivery.repository';
import { DestinationRepository } from './destination.repository';
import type { DestinationDocument } from './destination.schema';
import { DestinationWorker, WorkerEnd, WorkerServices } from './destination-worker';

/** Overrides of the scheduler's fixed settings (tests). */
export interface DeliverySchedulerOptions {
  /** How long a destination's lease lasts without a heartbeat (default 10 000 ms). */
  leaseMs?: number;
  /** This instance's name in the leases (default `<hostname>:<pid>:<random>`). */
  holder?: string;
}
export const DELIVERY_SCHEDULER_OPTIONS = Symbol.for('webhook.deliverySchedulerOptions');
export const DEFAULT_DESTINATION_LEASE_MS = 10_000;
/** How long a destination whose worker ran into trouble waits before it is looked at again. */
const TROUBLE_BACKOFF_MS = 1000;

/**
 * The per-instance scheduler of the delivery engine (README "Leases"). It looks for due
 * destinations when woken (an enqueue in this process names its destinations, so they are claimed
 * at once) and every `pollMs` (work enqueued by other instances, retries coming due), claims each
 * with one conditional update and works it with a {@link DestinationWorker}, at most
 * `maxActiveDestinations` at a time. A destination is worked by one instance at a time; one slow
 * or dead destination occupies only its own worker.
 */
@Injectable()
export class DeliveryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  readonly holder: string;
  readonly leaseMs: number;
  private readonly workers = new Map<string, DestinationWorker>();
  private readonly running = new Set<Promise<void>>();
  private readonly candidates = new Set<string>();
  private readonly stopController = new AbortController();
  private readonly services: WorkerServices;
  private pollTimer?: NodeJS.Timeout;
  private wakeTimer?: { at: number; timer: NodeJS.Timeout };
  private scanning?: Promise<void>;
  private scanQueued = false;
  private rescan = false;
  /** A scan found more due destinations than free slots: look again when a worker ends. */
  private saturated = false;
  private started = false;

  constructor(
    private readonly destinations: DestinationRepository,
    deliveries: DeliveryRepository,
    attempts: DeliveryAttempts,
    configs: WebhookConfigReader,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(DELIVERY_SCHEDULER_OPTIONS) options: DeliverySchedulerOptions | null = null,
  ) {
    this.holder = options?.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options?.leaseMs ?? DEFAULT_DESTINATION_LEASE_MS;
    this.services = {
      holder: this.holder,
      leaseMs: this.leaseMs,
      settings: config.delivery,
      deliveries,
      destinations,
      attempts,
      configs,
      logger,
      stop: this.stopController.signal,
      wake: (keys) => this.wake(keys),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const conflicts = await this.destinations.ensureIndexes();
    if (conflicts.length) {
      this.logger.warn(
        { collection: 'destinations', conflicts },
        'destinations index definitions differ from the declared ones (run npm run migrate)',
      );
    }
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.started || this.stopController.signal.aborted) return;
    this.started = true;
    this.pollTimer = setInterval(() => void this.scan(), this.config.delivery.pollMs);
    this.pollTimer.unref();
    void this.scan();
  }

  /**
   * Stops: no new attempts, those in flight are aborted (not recorded: the next holder attempts
   * them again), and every held destination is handed back due now, for another instance.
   */
  async stop(): Promise<void> {
    this.stopController.abort();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer.timer);
    this.pollTimer = this.wakeTimer = undefined;
    await this.scanning;
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Destinations being worked by this instance (diagnostics and tests). */
  get activeDestinations(): string[] {
    return [...this.workers.keys()];
  }

  /**
   * New work: destinations this instance works already look again at once; the others are
   * claimed at once. Without keys, a scan for due destinations.
   */
  wake(keys: readonly string[] = []): void {
    if (!this.started || this.stopController.signal.aborted) return;
    let claim = !keys.length;
    for (const key of keys) {
      const worker = this.workers.get(key);
      if (worker) worker.poke();
      else {
        this.candidates.add(key);
        claim = true;
      }
    }
    if (claim) this.scanSoon();
  }

  private scanSoon(): void {
    if (this.scanQueued) return;
    this.scanQueued = true;
    setImmediate(() => {
      this.scanQueued = false;
      void this.scan();
    });
  }

  /** One look for work: the named candidates first, then the due destinations, while slots are free. */
  scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    const pass = (async () => {
      do {
        this.rescan = false;
        if (this.stopController.signal.aborted) return;
        const named = [...this.candidates].filter((k) => !this.workers.has(k));
        this.candidates.clear();
        await this.claimAll(named);
        const free = this.config.delivery.maxActiveDestinations - this.workers.size;
        if (free <= 0) continue;
        const due = await this.destinations.due(this.holder, new Date(), free + this.workers.size);
        const mine = due.filter((k) => !this.workers.has(k));
        this.saturated = mine.length > free;
        await this.claimAll(mine.slice(0, free));
      } while (this.rescan);
    })();
    this.scanning = pass
      .catch((e) => this.logger.warn({ err: e }, 'webhook delivery scan failed; the next poll retries'))
      .finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async claimAll(keys: readonly string[]): Promise<void> {
    const free = this.config.delivery.maxActiveDestinations - this.workers.size;
    await Promise.all(keys.slice(0, Math.max(0, free)).map((key) => this.claim(key)));
  }

  private async claim(key: string): Promise<void> {
    if (this.workers.has(key) || this.stopController.signal.aborted) return;
    const sent = performance.now();
    const claimed = await this.destinations.claim(key, this.holder, new Date(), this.leaseMs);
    if (!claimed || this.workers.has(key)) return;
    this.startWorker(claimed, sent);
  }

  private startWorker(claimed: DestinationDocument, sent: number): void {
    const worker = new DestinationWorker(this.services, claimed, sent);
    this.workers.set(worker.key, worker);
    const run: Promise<void> = worker
      .run()
      .then((end) => this.ended(worker.key, end))
      .catch(async (e) => {
        // The database failed under the worker: hand the destination back for a later look.
        this.logger.warn({ destination: worker.key, err: e }, 'webhook destination worker failed');
        await this.ended(worker.key, { released: false, reason: 'trouble' }).catch(() => undefined);
      })
      .finally(() => {
        this.workers.delete(worker.key);
        this.running.delete(run);
        if (this.saturated && !this.stopController.signal.aborted) this.scanSoon();
      });
    this.running.add(run);
  }

  private async ended(key: string, end: WorkerEnd): Promise<void> {
    if (end.released) {
      if (end.poked) {
        // Belt and braces for this process's own enqueues; other instances' are caught by the
        // release's condition on the `enqueued` counter.
        this.candidates.add(key);
        this.scanSoon();
      } else if (end.dueAt) this.wakeAt(end.dueAt);
      return;
    }
    if (end.reason === 'lost') return;
    const dueAt = new Date(Date.now() + (end.reason === 'trouble' ? TROUBLE_BACKOFF_MS : 0));
    await this.destinations.abandon(key, this.holder, dueAt);
    if (end.reason === 'trouble') this.wakeAt(dueAt);
  }

  /** A retry due before the next poll: look exactly then. */
  private wakeAt(at: Date): void {
    if (this.stopController.signal.aborted) return;
    const when = at.getTime();
    const delay = when - Date.now();
    if (delay > this.config.delivery.pollMs) return;
    if (this.wakeTimer && this.wakeTimer.at <= when) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer.timer);
    const timer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        void this.scan();
      },
      Math.max(0, delay) + 1,
    );
    timer.unref();
    this.wakeTimer = { at: when, timer };
  }
}
