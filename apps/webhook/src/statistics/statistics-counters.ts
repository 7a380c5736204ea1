import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import type { Logger } from 'pino';
import { StatisticsRepository } from './statistics.repository';
import { MonthCounts, monthOf } from './statistics.types';

/** How long outcomes are summed in memory before one `$inc` per tenant and month writes them. */
export const STATISTICS_FLUSH_MS = 250;

/**
 * The delivery engine's counters (README "Statistics"): outcomes are summed per tenant and month in
 * this process and written with one `$inc` each every {@link STATISTICS_FLUSH_MS} (and on shutdown),
 * instead of one write per delivery — at 500 deliveries a second that was a third of the webhook
 * database's writes. A read of the statistics flushes first, so this instance's outcomes are always
 * in its answers; another instance's appear within the flush interval. Best effort, as before: a
 * flush that fails is logged and dropped (a count may be short, never doubled), and a crash loses at
 * most one interval's counts.
 */
@Injectable()
export class StatisticsCounters implements OnApplicationShutdown {
  private pending = new Map<string, { tenant: string; at: Date; counts: Partial<MonthCounts> }>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly statistics: StatisticsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  add(tenant: string, at: Date, counts: Partial<MonthCounts>): void {
    const key = `${tenant} ${monthOf(at)}`;
    const entry = this.pending.get(key) ?? { tenant, at, counts: {} };
    for (const [name, n] of Object.entries(counts) as Array<[keyof MonthCounts, number]>)
      entry.counts[name] = (entry.counts[name] ?? 0) + n;
    this.pending.set(key, entry);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), STATISTICS_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what was summed so far; resolves when it (and any flush before it) is written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.flushing.then(() =>
      Promise.all(
        batch.map(({ tenant, at, counts }) =>
          this.statistics
            .add(tenant, at, counts)
            .catch((e) => this.logger.warn({ tenant, counts, err: e }, 'webhook statistics counter not written')),
        ),
      ).then(() => undefined),
    );
    return this.flushing;
  }

  onApplicationShutdown(): Promise<void> {
    return this.flush();
  }
}
