import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import type { StatisticsQueryDto } from './dto/statistics-query.dto';
import type { MonthStatisticsDto, WebhookStatisticsDto } from './dto/statistics.response.dto';
import { StatisticsCounters } from './statistics-counters';
import { StatisticsRepository } from './statistics.repository';
import { monthOf } from './statistics.types';

/** The longest range one request may ask for. */
export const MAX_STATISTICS_MONTHS = 120;

/** Emporix "Retrieving webhooks statistics" (README "Statistics"). */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly statistics: StatisticsRepository,
    private readonly counters: StatisticsCounters,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookServiceConfig,
  ) {}

  async get(ctx: RequestContext, query: StatisticsQueryDto): Promise<WebhookStatisticsDto> {
    const to = query.toYearMonth ?? monthOf(new Date());
    const from = query.fromYearMonth ?? addMonths(to, -11);
    if (from > to) {
      throw ApiError.validation([{ field: 'fromYearMonth', type: 'out_of_range', message: 'fromYearMonth must not be after toYearMonth' }]);
    }
    const months = monthsBetween(from, to);
    if (months.length > MAX_STATISTICS_MONTHS) {
      throw ApiError.validation([
        { field: 'fromYearMonth', type: 'out_of_range', message: `the range must span at most ${MAX_STATISTICS_MONTHS} months` },
      ]);
    }
    // This instance's outcomes not yet written are in the answer too.
    await this.counters.flush();
    const stored = new Map((await this.statistics.months(ctx.tenant, from, to)).map((m) => [m.month, m]));
    const monthStatistics: MonthStatisticsDto[] = months.reverse().map((month) => {
      const m = stored.get(month);
      return {
        statisticsMonth: month,
        succesfullySentWebhooks: m?.succeeded ?? 0,
        failedAttempts: m?.failedAttempts ?? 0,
        deadLetteredWebhooks: m?.deadLettered ?? 0,
        cancelledWebhooks: m?.cancelled ?? 0,
      };
    });
    const answer: WebhookStatisticsDto = { monthStatistics };
    if (this.config.monthlyLimit !== undefined) answer.webhooksLimit = this.config.monthlyLimit;
    return answer;
  }
}

/** `YYYY-MM` plus `n` months. */
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = Math.max(0, y * 12 + (m - 1) + n);
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `from` to `to`, oldest first. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length <= MAX_STATISTICS_MONTHS; m = addMonths(m, 1)) out.push(m);
  return out;
}
