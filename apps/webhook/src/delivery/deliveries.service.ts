import { Inject, Injectable } from '@nestjs/common';
import { ApiError, Outcome, pagingOf } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import { WebhookConfigReader } from '../configs/webhook-config.types';
import { DeliveryQueueService } from './delivery-queue.service';
import { pendingDelivery, replayIdOf } from './delivery-keys';
import { resolveTarget } from './delivery-target';
import { toDeliverySummary, toDeliveryView } from './delivery.mapper';
import { DeliveryRepository } from './delivery.repository';
import type { Delivery, DeliveryState } from './delivery.types';
import type { DeliveryResponseDto, DeliverySummaryDto, ReplayResultDto } from './dto/delivery.response.dto';
import type { ListDeliveriesQueryDto } from './dto/list-deliveries-query.dto';
import type { ReplayFilterDto } from './dto/replay-filter.dto';

/** What a single replay accepts: completed deliveries (README "Replay"). */
const REPLAYABLE: readonly DeliveryState[] = ['FAILED', 'CANCELLED', 'SUCCEEDED'];
/** Dead letters looked at per bulk replay request. */
export const BULK_REPLAY_LIMIT = 1000;
const BULK_REPLAY_BATCH = 100;

/** The delivery log and replay (suite extension, README "Delivery log"). */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly queue: DeliveryQueueService,
    private readonly configs: WebhookConfigReader,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookServiceConfig,
  ) {}

  /** The tenant's deliveries, newest first, by exact filters. */
  async list(ctx: RequestContext, query: ListDeliveriesQueryDto): Promise<Outcome<DeliverySummaryDto[]>> {
    const paging = pagingOf(query);
    const filter: Record<string, unknown> = {};
    for (const key of ['eventId', 'entryId', 'state', 'eventType'] as const) if (query[key] !== undefined) filter[key] = query[key];
    const page = await this.deliveries.page(ctx.tenant, {
      filter,
      sort: [
        ['createdAt', -1],
        ['_id', -1],
      ],
      skip: paging.skip,
      limit: paging.limit,
      withTotal: ctx.wantsTotal,
      maxTimeMS: this.config.queryMaxTimeMS,
    });
    return Outcome.page({ items: page.items.map(toDeliverySummary), total: page.total });
  }

  async get(ctx: RequestContext, id: string): Promise<DeliveryResponseDto> {
    return toDeliveryView(await this.existing(ctx.tenant, id));
  }

  /**
   * Replays one completed delivery: a new PENDING delivery of the same event and body to its
   * target's current URL, attempts from zero; the old one turns REPLAYED and links to it. The new
   * id is derived from the old one and the old one changes state in one guarded update, so two
   * requests (a double click) create one replay and deliver once; the second is a 409.
   */
  async replay(ctx: RequestContext, id: string): Promise<Outcome<DeliveryResponseDto>> {
    const { tenant } = ctx;
    const old = await this.existing(tenant, id);
    if (old.state === 'REPLAYED') throw alreadyReplayed(old);
    if (old.state === 'PENDING') {
      throw ApiError.businessRule(`Delivery ${id} is still PENDING; only a completed delivery can be replayed.`, [
        { field: 'state', type: 'invalid_value', message: 'a PENDING delivery cannot be replayed' },
      ]);
    }
    const resolved = resolveTarget(await this.configs.httpConfig(tenant), old.entryId);
    if ('cancel' in resolved) {
      throw ApiError.businessRule(`Delivery ${id} cannot be replayed: ${resolved.cancel}.`, [
        { field: 'entryId', type: 'invalid_value', message: resolved.cancel },
      ]);
    }
    const now = new Date();
    const replay = replayOf(tenant, old, resolved.target.url, now);
    // The replay is stored before the old delivery is marked: an interruption between the two
    // leaves the old one replayable, and replaying it again finds this replay (same id).
    await this.queue.store(tenant, [replay], now);
    const marked = await this.deliveries.markReplayed(tenant, old.id, REPLAYABLE, replay.id, now);
    if (!marked) throw alreadyReplayed((await this.deliveries.find(tenant, old.id)) ?? old);
    const stored = (await this.deliveries.find(tenant, replay.id)) ?? replay;
    return Outcome.created(`/webhook/${tenant}/deliveries/${stored.id}`, toDeliveryView(stored));
  }

  /**
   * Replays the tenant's dead letters (FAILED) that match the filter, newest first, at most
   * {@link BULK_REPLAY_LIMIT} per request; those whose target is gone or inactive now are skipped.
   */
  async replayDeadLetters(ctx: RequestContext, body: ReplayFilterDto): Promise<ReplayResultDto> {
    const { tenant } = ctx;
    const filter = { entryId: body.entryId, eventType: body.eventType, since: body.since ? new Date(body.since) : undefined };
    const config = await this.configs.httpConfig(tenant);
    const result: ReplayResultDto = { replayed: 0, skipped: 0, more: false };
    let after: Pick<Delivery, 'createdAt' | 'id'> | undefined;
    let seen = 0;
    while (seen < BULK_REPLAY_LIMIT) {
      const batch = await this.deliveries.deadLetters(tenant, filter, after, Math.min(BULK_REPLAY_BATCH, BULK_REPLAY_LIMIT - seen));
      if (!batch.length) return result;
      seen += batch.length;
      after = batch[batch.length - 1];
      const now = new Date();
      const replays: Array<{ old: Delivery; replay: Delivery }> = [];
      for (const old of batch) {
        const resolved = resolveTarget(config, old.entryId);
        if ('cancel' in resolved) result.skipped += 1;
        else replays.push({ old, replay: replayOf(tenant, old, resolved.target.url, now) });
      }
      await this.queue.store(
        tenant,
        replays.map((r) => r.replay),
        now,
      );
      const marked = await Promise.all(replays.map((r) => this.deliveries.markReplayed(tenant, r.old.id, ['FAILED'], r.replay.id, now)));
      result.replayed += marked.filter(Boolean).length;
    }
    result.more = (await this.deliveries.deadLetters(tenant, filter, after, 1)).length > 0;
    return result;
  }

  private async existing(tenant: string, id: string): Promise<Delivery> {
    const d = await this.deliveries.find(tenant, id);
    if (!d) throw ApiError.notFound(id, `Delivery with id ${id} not found.`);
    return d;
  }
}

function replayOf(tenant: string, old: Delivery, url: string, now: Date): Delivery {
  return { ...pendingDelivery(tenant, replayIdOf(old.id), { ...old, url }, now), replayOf: old.id };
}

function alreadyReplayed(d: Delivery): ApiError {
  return new ApiError('duplicate_resource', `Delivery ${d.id} was replayed already${d.replayedBy ? ` by delivery ${d.replayedBy}` : ''}.`, {
    resourceId: d.replayedBy ?? d.id,
  });
}
