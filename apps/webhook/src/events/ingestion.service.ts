import { Inject, Injectable } from '@nestjs/common';
import { ApiError, EventSourceName, LOGGER } from '@suite/api-kit';
import type { AuthContext, RequestContext } from '@suite/auth';
import type { Logger } from 'pino';
import { PUBLISHERS } from '../webhook.scopes';
import type { IngestionResultDto, RejectedEventDto } from './dto/ingestion-result.response.dto';
import { checkEnvelope } from './envelope-check';
import { EventRoutingService } from './event-routing.service';
import type { IngestedEnvelope } from './feed-event.types';
import { FeedRetention } from './feed-retention';
import { FeedWriter } from './feed-writer';

/**
 * Ingestion (README "Ingestion"): a suite service hands over a batch of its outbox's events. Each
 * event is judged alone, so one bad event never blocks the publisher's outbox; the valid ones are
 * stored once per tenant (deduplicated by `id`) and every one of them, duplicates included, is
 * routed, so a batch re-sent after a failure still gets its deliveries.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly writer: FeedWriter,
    private readonly routing: EventRoutingService,
    private readonly retention: FeedRetention,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async ingest(ctx: RequestContext, body: readonly unknown[]): Promise<IngestionResultDto> {
    const { tenant } = ctx;
    const source = publisherSource(ctx.auth);
    const rejected: RejectedEventDto[] = [];
    const valid: IngestedEnvelope[] = [];
    const positions: number[] = [];
    const seen = new Set<string>();
    let repeated = 0;
    body.forEach((raw, index) => {
      const verdict = checkEnvelope(raw, { tenant, source });
      if (!verdict.ok) {
        rejected.push({ index, ...idOf(raw), message: verdict.message });
      } else if (seen.has(verdict.envelope.id)) {
        repeated++; // the same id twice in one batch: stored and routed once
      } else {
        seen.add(verdict.envelope.id);
        valid.push(verdict.envelope);
        positions.push(index);
      }
    });
    this.retention.touch(tenant);
    try {
      const stored = await this.writer.store(tenant, valid);
      const refused = new Set(stored.refused.map((r) => r.index));
      for (const r of stored.refused) {
        const event = valid[r.index];
        rejected.push({
          index: positions[r.index],
          id: event.id,
          message: `the event could not be stored (database code ${r.code ?? 'unknown'})`,
        });
        this.logger.error({ tenant, reqId: ctx.requestId, event, code: r.code }, 'ingested event refused by the database');
      }
      await this.routing.route(
        tenant,
        valid.filter((_, i) => !refused.has(i)),
      );
      rejected.sort((a, b) => a.index - b.index);
      return { accepted: stored.inserted, duplicates: stored.duplicates.length + repeated, rejected };
    } catch (e) {
      throw unavailable(e, () => this.logger.error({ err: e, tenant, reqId: ctx.requestId }, 'ingestion failed; the publisher retries'));
    }
  }
}

/**
 * The one `source` the caller may publish: only the suite's three event-writing services, by the
 * `client_id` of their service tokens (PUBLISHERS); anybody else holding the scope gets 403.
 */
function publisherSource(auth: AuthContext): EventSourceName {
  const clientId = auth.clientId;
  if (clientId === undefined || !Object.prototype.hasOwnProperty.call(PUBLISHERS, clientId)) {
    throw ApiError.forbidden('Only the suite services customer-segment, category and coupon may publish events.');
  }
  return PUBLISHERS[clientId];
}

function idOf(raw: unknown): { id?: string } {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? { id: id.slice(0, 100) } : {};
}

/** Any failure to store or route is a 503: the publisher sends the whole batch again, which deduplication makes safe. */
function unavailable(e: unknown, log: () => void): ApiError {
  if (e instanceof ApiError && e.httpStatus === 503) return e;
  log();
  return new ApiError('service_unavailable', 'The events could not be stored and routed; send the batch again.', { cause: e });
}
