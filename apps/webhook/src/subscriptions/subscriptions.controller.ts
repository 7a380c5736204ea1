import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ACCEPT_LANGUAGE, multiStatus, Operation, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { WEBHOOK_SCOPES } from '../webhook.scopes';
import { WebhookSubscriptionResponseDto } from './dto/subscription.response.dto';
import { UpdateSubscriptionItemDto, UpdateSubscriptionResultDto } from './dto/update-subscription.dto';
import { acceptLanguageRule, updateSubscriptionsRule } from './subscription-request.rules';
import { SubscriptionsService } from './subscriptions.service';

const { manage, read } = WEBHOOK_SCOPES;

/** Emporix "Events" (README "Subscriptions"): the event catalog and the tenant's subscriptions. */
@ApiTags('Events')
@Controller('webhook/:tenant/event-subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @RequireScopes(manage, read)
  @Operation({
    id: 'listEventSubscriptions',
    summary: 'List every catalog event with the tenant’s subscription to it',
    headers: [ACCEPT_LANGUAGE],
    ok: {
      type: WebhookSubscriptionResponseDto,
      isArray: true,
      description: 'The catalog in its order; `NONE` and empty metadata when never subscribed.',
    },
    errors: [400],
    validate: { rules: [acceptLanguageRule] },
  })
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto) {
    return this.subscriptions.list(ctx);
  }

  @Patch()
  @RequireScopes(manage)
  @Operation({
    id: 'updateEventSubscriptions',
    summary: 'Subscribe to and unsubscribe from events, and change their excluded fields',
    body: { type: UpdateSubscriptionItemDto, isArray: true, description: '1 to 100 items, applied in order, each on its own.' },
    multiStatus: multiStatus(UpdateSubscriptionResultDto, 'One result per item, in request order (200, 400, 404 or 409).'),
    errors: [400, 413, 415],
    validate: { rules: [updateSubscriptionsRule] },
  })
  update(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: UpdateSubscriptionItemDto[]) {
    return this.subscriptions.update(ctx, body as unknown as Record<string, unknown>[]);
  }
}
