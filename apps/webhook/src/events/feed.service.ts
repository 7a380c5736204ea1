import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@suite/auth';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';
import type { FeedPageDto } from './dto/feed-page.response.dto';
import type { FeedQueryDto } from './dto/feed-query.dto';
import { decodeCursor, encodeCursor } from './feed-cursor';
import { FeedEventRepository } from './feed-event.repository';
import { canonicalEventType, typeListEntries } from './feed-event-types';
import { FeedRetention } from './feed-retention';
import { FEED_PAGE_SIZE, FEED_SETTLE_MS } from './feed-settings';

/** The pull feed (README "Event feed"): a tenant's events in position order, from a cursor. */
@Injectable()
export class FeedService {
  constructor(
    private readonly events: FeedEventRepository,
    private readonly retention: FeedRetention,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookServiceConfig,
  ) {}

  /**
   * The settled events after the cursor, oldest position first. The page ends before the first
   * event stored less than FEED_SETTLE_MS ago, even when later ones are settled: positions are
   * handed out before the events are written, so passing an unsettled event could skip one that is
   * still being written before it.
   */
  async read(ctx: RequestContext, query: FeedQueryDto): Promise<FeedPageDto> {
    const { tenant } = ctx;
    const after = query.after === undefined ? 0 : (decodeCursor(query.after) as number);
    const types =
      query.type === undefined ? undefined : [...new Set(typeListEntries(query.type).map((t) => canonicalEventType(t) as string))];
    const now = Date.now();
    this.retention.touch(tenant, now);
    const found = await this.events.range(tenant, {
      after,
      types,
      receivedSince: this.retention.cutoff(now),
      limit: query.pageSize ?? FEED_PAGE_SIZE.default,
      maxTimeMS: this.config.queryMaxTimeMS,
    });
    const settledBefore = now - FEED_SETTLE_MS;
    const firstUnsettled = found.findIndex((e) => e.receivedAt.getTime() > settledBefore);
    const page = firstUnsettled === -1 ? found : found.slice(0, firstUnsettled);
    return {
      events: page.map((e) => e.event),
      cursor: page.length ? encodeCursor(page[page.length - 1].seq) : (query.after ?? encodeCursor(after)),
    };
  }
}
