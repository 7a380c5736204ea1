import { Inject, Injectable } from '@nestjs/common';
import {
  ActorType,
  buildEvent,
  CloudEventEnvelope,
  emitAllSafely,
  emitManySafely,
  EventSink,
  EventSourceName,
  EventType,
  LOGGER,
  SERVICE_NAME,
} from '@suite/api-kit';
import type { Logger } from 'pino';
import { EVENT_SINK } from './tokens';

/** One change to announce (EVT-1): its type, subject, version after the change, commit time and payload. */
export interface ChangeEvent {
  type: EventType;
  subject: string;
  /** `metadata.version` after the change; the last version for deletions. */
  version: number;
  /** Commit time: `metadata.modifiedAt` for writes, the deletion time for deletes. */
  time: Date;
  data: object;
}

/** What an event needs of the request (the one request context fits it). */
export interface EventOrigin {
  readonly tenant: string;
  readonly requestId: string;
  readonly auth: { readonly principalType: ActorType; readonly subject: string };
}

/**
 * The one event emitter of every service: builds the EVT-1 envelope from the request context and
 * hands it to the outbox after the entity write succeeded (EVT-4). A failing outbox insert never
 * fails the request; it is logged with the whole envelope and counted.
 */
@Injectable()
export class ChangeEvents {
  private readonly source: EventSourceName;

  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_NAME) service: string,
  ) {
    this.source = `/${service}` as EventSourceName;
  }

  envelope(origin: EventOrigin, change: ChangeEvent): CloudEventEnvelope<object> {
    return buildEvent({
      source: this.source,
      type: change.type,
      subject: change.subject,
      tenant: origin.tenant,
      entityVersion: change.version,
      actor: { type: origin.auth.principalType, id: origin.auth.subject },
      requestId: origin.requestId,
      time: change.time,
      data: change.data,
    });
  }

  /** In the given order, one outbox write each (EVT-6: cascaded children before their parent). */
  async emit(origin: EventOrigin, ...changes: ChangeEvent[]): Promise<void> {
    if (changes.length)
      await emitAllSafely(
        this.sink,
        changes.map((c) => this.envelope(origin, c)),
        this.logger,
      );
  }

  /** A bulk request's events (EVT-6) in one outbox write where the sink can batch. */
  async emitBatch(origin: EventOrigin, changes: readonly ChangeEvent[]): Promise<void> {
    if (changes.length)
      await emitManySafely(
        this.sink,
        changes.map((c) => this.envelope(origin, c)),
        this.logger,
      );
  }
}
