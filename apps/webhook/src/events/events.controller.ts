import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { assertBulkArray, Operation, TenantParamsDto } from '@suite/api-kit';
import { AllowedPrincipals, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { WEBHOOK_SCOPES } from '../webhook.scopes';
import { CloudEventDto } from './dto/cloud-event.dto';
import { FeedPageDto } from './dto/feed-page.response.dto';
import { FeedQueryDto } from './dto/feed-query.dto';
import { IngestionResultDto } from './dto/ingestion-result.response.dto';
import { FeedService } from './feed.service';
import { MAX_EVENTS_PER_REQUEST } from './feed-settings';
import { IngestionService } from './ingestion.service';

/** Suite extension (README "Ingestion", "Event feed"): the services hand their events in; managers pull them. */
@ApiTags('Event feed')
@Controller('webhook/:tenant/events')
export class EventsController {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly feed: FeedService,
  ) {}

  @Post()
  @RequireScopes(WEBHOOK_SCOPES.publish)
  @AllowedPrincipals('service')
  @Operation({
    id: 'publishEvents',
    summary: "Hand over a batch of a suite service's events (service tokens of customer-segment, category and coupon only)",
    body: { type: CloudEventDto, isArray: true, description: `1 to ${MAX_EVENTS_PER_REQUEST} CloudEvents envelopes (EVT-1).` },
    ok: { type: IngestionResultDto, description: 'Each event accepted, a duplicate, or rejected with its reasons.' },
    errors: [400, 413, 415, 503],
    httpCode: 200,
    validate: { rules: [({ body }) => void assertBulkArray(body, MAX_EVENTS_PER_REQUEST)] },
  })
  publish(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: unknown[]) {
    return this.ingestion.ingest(ctx, body);
  }

  @Get()
  @RequireScopes(WEBHOOK_SCOPES.manage)
  @Operation({
    id: 'readEventFeed',
    summary: "Read the tenant's events after a cursor, oldest first (kept 7 days)",
    ok: { type: FeedPageDto, description: 'The settled events after the cursor and the cursor to continue from.' },
    errors: [400, 503],
  })
  read(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: FeedQueryDto) {
    return this.feed.read(ctx, query);
  }
}
