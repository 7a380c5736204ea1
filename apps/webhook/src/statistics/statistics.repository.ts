import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { STATISTICS_ENTITY, StatisticsDocument } from './statistics.schema';
import { MonthCounts, monthOf, MonthStatistics } from './statistics.types';

/** `<tenant>_webhook_statistics`; tenant first (TEN-5). Counters only grow, by `$inc` upserts. */
@Injectable()
export class StatisticsRepository extends TenantRepository<StatisticsDocument, MonthStatistics> {
  constructor(registry: TenantModelRegistry) {
    super(registry, STATISTICS_ENTITY);
  }

  protected toDomain(doc: StatisticsDocument): MonthStatistics {
    return {
      month: doc._id,
      succeeded: doc.succeeded ?? 0,
      failedAttempts: doc.failedAttempts ?? 0,
      deadLettered: doc.deadLettered ?? 0,
      cancelled: doc.cancelled ?? 0,
    };
  }

  /** Adds to the counters of the month of `at`. */
  async add(tenant: string, at: Date, counts: Partial<MonthCounts>): Promise<void> {
    const inc = Object.fromEntries(Object.entries(counts).filter(([, n]) => n)) as Partial<MonthCounts>;
    if (!Object.keys(inc).length) return;
    await this.modelForWrite(tenant);
    const increment = () => this.collection(tenant).updateOne(this.driverFilter({ _id: monthOf(at) }), { $inc: inc }, { upsert: true });
    await this.run(async () => {
      try {
        await increment();
      } catch (e) {
        // Two first increments of a month race on the upsert's insert; the loser's retry updates.
        if (!isDuplicateKeyError(e)) throw e;
        await increment();
      }
    });
  }

  /** The stored months from `from` to `to` (`YYYY-MM`, both included); months without counters are absent. */
  months(tenant: string, from: string, to: string): Promise<MonthStatistics[]> {
    return this.findDocs(tenant, { _id: { $gte: from, $lte: to } }, [['_id', -1]]);
  }
}
