import { Inject, Injectable } from '@nestjs/common';
import { CloudEventEnvelope, CustomerSegmentEventType, EVENT_SOURCES, EventSink, LOGGER, buildEvent, emitAllSafely, emitManySafely, emitSafely } from '@suite/api-kit';
import { EVENT_SINK } from '@suite/persistence';
import type { Logger } from 'pino';
import { RequestCtx } from './request-context';

/** One change to announce (EVT-1, segment §6). */
export interface SegmentChange {
  type: CustomerSegmentEventType;
  subject: string;
  /** `metadata.version` after the change; the last version for deletions. */
  version: number;
  /** Commit time: `metadata.modifiedAt` for writes, the deletion time for deletes. */
  time: Date;
  data: Record<string, unknown>;
}

/**
 * Emits the service's events through the outbox (EVT-4): always after the entity write succeeded,
 * never failing the request (emitSafely logs and counts a failed insert). Every `data` carries the
 * tenant (segment §6).
 */
@Injectable()
export class SegmentEvents {
  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  envelope(ctx: RequestCtx, change: SegmentChange): CloudEventEnvelope<object> {
    return buildEvent({
      source: EVENT_SOURCES.customerSegment,
      type: change.type,
      subject: change.subject,
      tenant: ctx.auth.tenant,
      entityVersion: change.version,
      actor: { type: ctx.auth.principalType, id: ctx.auth.subject },
      requestId: ctx.requestId,
      time: change.time,
      data: { ...change.data, tenant: ctx.auth.tenant },
    });
  }

  async emit(ctx: RequestCtx, change: SegmentChange): Promise<void> {
    await emitSafely(this.sink, this.envelope(ctx, change), this.logger);
  }

  /**
   * One event per element of a bulk request (EVT-6), in one outbox write (the sink's batch form).
   * Failures follow EVT-4 exactly as `emitSafely` does: logged with the full envelope and counted,
   * never failing the request.
   */
  async emitMany(ctx: RequestCtx, changes: SegmentChange[]): Promise<void> {
    if (changes.length) await emitManySafely(this.sink, changes.map((c) => this.envelope(ctx, c)), this.logger);
  }

  /** In the given order (EVT-6: cascaded children before their parent). */
  async emitAll(ctx: RequestCtx, changes: SegmentChange[]): Promise<void> {
    if (changes.length) await emitAllSafely(this.sink, changes.map((c) => this.envelope(ctx, c)), this.logger);
  }
}
