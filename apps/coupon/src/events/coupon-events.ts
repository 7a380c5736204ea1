import { Inject, Injectable } from '@nestjs/common';
import { buildEvent, CouponEventType, emitSafely, EventSink, LOGGER } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { EVENT_SINK } from '@suite/persistence';
import type { Logger } from 'pino';
import type { RequestMeta } from '../common/request-meta';

/**
 * Emits the suite's coupon events (coupon §9.6) through the outbox after the write succeeded
 * (EVT-4). A failed outbox insert is logged and counted but never fails the request.
 */
@Injectable()
export class CouponEvents {
  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async emit(auth: AuthContext, meta: RequestMeta, e: { type: CouponEventType; subject: string; version: number; time: Date; data: object }): Promise<void> {
    const event = buildEvent({
      source: '/coupon',
      type: e.type,
      subject: e.subject,
      tenant: auth.tenant,
      entityVersion: e.version,
      actor: { type: auth.principalType, id: auth.subject },
      requestId: meta.requestId,
      time: e.time,
      data: e.data,
    });
    await emitSafely(this.sink, event, this.logger);
  }
}
