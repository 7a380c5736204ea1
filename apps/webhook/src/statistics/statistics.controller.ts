import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { WEBHOOK_SCOPES } from '../webhook.scopes';
import { StatisticsQueryDto } from './dto/statistics-query.dto';
import { WebhookStatisticsDto } from './dto/statistics.response.dto';
import { StatisticsService } from './statistics.service';

const { manage, read } = WEBHOOK_SCOPES;

/** Emporix "Retrieving webhooks statistics" (README "Statistics"). */
@ApiTags('Statistics')
@Controller('webhook/:tenant/statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @RequireScopes(manage, read)
  @Operation({
    id: 'retrieveWebhookStatistics',
    summary: 'Retrieving webhooks statistics',
    ok: { type: WebhookStatisticsDto, description: 'The months of the range, newest first, and the monthly limit when one is set.' },
    errors: [400],
  })
  get(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: StatisticsQueryDto) {
    return this.statistics.get(ctx, query);
  }
}
