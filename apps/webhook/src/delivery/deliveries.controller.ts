import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { location, Operation, page, TenantParamsDto, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { WEBHOOK_SCOPES } from '../webhook.scopes';
import { DeliveriesService } from './deliveries.service';
import { DeliveryParamsDto } from './dto/delivery-params.dto';
import { DeliveryResponseDto, DeliverySummaryDto, ReplayResultDto } from './dto/delivery.response.dto';
import { ListDeliveriesQueryDto } from './dto/list-deliveries-query.dto';
import { ReplayFilterDto } from './dto/replay-filter.dto';

const { manage, read } = WEBHOOK_SCOPES;

/** The delivery log, dead letters and replay (suite extension, README "Delivery log"). */
@ApiTags('Deliveries')
@Controller('webhook/:tenant/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @RequireScopes(manage, read)
  @Operation({
    id: 'listDeliveries',
    summary: 'List the deliveries of the last 7 days and those still pending, newest first',
    headers: [TOTAL_COUNT],
    ok: page(DeliverySummaryDto, 'The deliveries matching every filter given, newest first.'),
    errors: [400],
  })
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: ListDeliveriesQueryDto) {
    return this.deliveries.list(ctx, query);
  }

  @Post('replay')
  @RequireScopes(manage)
  @Operation({
    id: 'replayDeadLetters',
    summary: 'Replay the dead letters (FAILED deliveries) matching a filter',
    ok: { type: ReplayResultDto, description: 'How many were replayed and skipped; `more` when the request stopped at 1000.' },
    httpCode: 200,
    errors: [400],
    validate: { optionalBody: true },
  })
  replayDeadLetters(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: ReplayFilterDto) {
    return this.deliveries.replayDeadLetters(ctx, body);
  }

  @Get(':deliveryId')
  @RequireScopes(manage, read)
  @Operation({
    id: 'getDelivery',
    summary: 'Read a delivery with its body and attempts (header values are never shown)',
    ok: { type: DeliveryResponseDto, description: 'The delivery.' },
    errors: [404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: DeliveryParamsDto) {
    return this.deliveries.get(ctx, params.deliveryId);
  }

  @Post(':deliveryId/replay')
  @RequireScopes(manage)
  @Operation({
    id: 'replayDelivery',
    summary: "Deliver a completed delivery's event again to its target's current URL",
    created: {
      type: DeliveryResponseDto,
      description: 'The new PENDING delivery; the replayed one is now REPLAYED and links to it.',
      headers: location('The URL of the new delivery.'),
    },
    errors: [400, 404, 409],
    validate: { optionalBody: true },
  })
  replay(@Ctx() ctx: RequestContext, @Param() params: DeliveryParamsDto) {
    return this.deliveries.replay(ctx, params.deliveryId);
  }
}
