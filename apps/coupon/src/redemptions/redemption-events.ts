import { Inject, Injectable } from '@nestjs/common';
import { CloudEventEnvelope, emitManySafely, EventSink, LOGGER } from '@suite/api-kit';
import { ChangeEvent, ChangeEvents, Combiner, EVENT_SINK, EventOrigin } from '@suite/persistence';
import type { Logger } from 'pino';

/**
 * The events of redemptions (coupon §9.6), each handed to the outbox after its record was stored
 * (EVT-4), as `ChangeEvents.emit` does: the events of concurrent redemptions go in one outbox
 * insert ({@link Combiner}), and a failed insert is logged and counted per event, never failing
 * a request.
 */
@Injectable()
export class RedemptionEvents {
  private readonly outbox = new Combiner<CloudEventEnvelope<object>, void>(async (_, events) => {
    await emitManySafely(this.sink, events, this.logger);
    return events.map(() => undefined);
  });

  constructor(
    private readonly events: ChangeEvents,
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Resolves once the event is in the outbox, or its failure logged; never rejects. */
  emit(origin: EventOrigin, change: ChangeEvent): Promise<void> {
    return this.outbox.submit('outbox', this.events.envelope(origin, change));
  }
}
